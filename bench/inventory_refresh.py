"""How close an inventory refresh of many connections comes to the ideal of its concurrency.

    .venv/bin/python bench/inventory_refresh.py [--connections 200] [--latency-ms 200] [--concurrency 64]

Registers N mock connections (one tenant each, a few objects in each), gives every driver call an
injected latency L, and refreshes K kinds of all of them through `inventory_refresh` in the
embedded mode (no broker: the shards run on threads of this process, as `make run` does). Prints
the wall time, the ideal `ceil(N*K / concurrency) * L`, their ratio, and peak memory; then again
with a share of the connections down, to show that their failures do not extend the wall time.
Targets: ratio <= 1.5 at concurrency 64, and 200 x 4 listings under 5 s at 200 ms. Exits 1 if a
target is missed.

Needs PostgreSQL and Redis on loopback; a throw-away database is created and dropped (see
scratch.py), the mock cloud's state goes to redis://127.0.0.1:6379/1 and is wiped afterwards.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import sys
import time
import tracemalloc
import uuid
from typing import Any

import scratch
from scratch import scratch_database

KINDS = ["vpc", "security_group", "key_pair", "vm"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--kinds", type=int, default=4, choices=range(1, 5), help="how many kinds to list (1-4)")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--down-percent", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3, help="refreshes per scenario; the median is reported")
    return parser.parse_args()


def setup_django(concurrency: int) -> None:
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        os.environ.pop(name, None)  # the embedded mode
    os.environ["SPIDERWEB_INVENTORY_CONCURRENCY"] = str(concurrency)
    os.environ["SPIDERWEB_INVENTORY_PROVIDER_CONCURRENCY"] = str(concurrency)
    scratch.setup_django()


def register(count: int, tag: str) -> list[Any]:
    """N connections, each its own tenant in one of the mock's regions, with a VPC and two key pairs."""
    from connections import services
    from drivers.mock import REGION_ZONES
    from drivers.registry import get_driver
    from drivers.types import KeyPairReqInfo, VPCReqInfo

    driver = services.driver_create(name=f"bench-{tag}", provider="mock")
    connections = []
    for index in range(count):
        region, zones = REGION_ZONES[index % len(REGION_ZONES)]
        name = f"bench-{tag}-{index:03d}"
        credential = services.credential_create(name=name, provider="mock", values={"MockName": name})
        place = services.region_create(name=name, provider="mock", region=region, zone=zones[0])
        connection = services.connection_create(
            name=name, driver=driver.name, credential=credential.name, region=place.name
        )
        cloud = get_driver("mock").connect(services.connection_info(connection=connection))
        cloud.vpc().create_vpc(req=VPCReqInfo(name="vpc", ipv4_cidr="10.0.0.0/16"))
        for key in ("key-a", "key-b"):
            cloud.key_pair().create_key_pair(req=KeyPairReqInfo(name=key))
        connections.append(connection)
    return connections


def set_options(connections: list[Any], options: dict[str, Any]) -> None:
    from connections.models import Region

    Region.objects.filter(connections__in=connections).update(options=options)


def refresh(kinds: list[str]) -> tuple[float, int, int]:
    """One refresh of everything, waited for; returns (seconds, listings, failed listings)."""
    from resources.inventory.refresh import inventory_refresh
    from resources.models import Operation

    started = time.perf_counter()
    operation = inventory_refresh(user=None, kinds=kinds)
    while True:
        operation = Operation.objects.get(pk=operation.pk)
        if operation.finished:
            break
        time.sleep(0.005)
    return time.perf_counter() - started, operation.progress_total, operation.progress_failed


def main() -> int:
    args = parse_args()
    tag = uuid.uuid4().hex[:6]
    with scratch_database():
        setup_django(args.concurrency)
        from drivers.registry import get_driver

        kinds = KINDS[: args.kinds]
        connections = register(args.connections, tag)
        latency = args.latency_ms / 1000
        calls = len(connections) * len(kinds)
        ideal = math.ceil(calls / args.concurrency) * latency
        try:
            set_options(connections, {"latency_ms": args.latency_ms})
            refresh(kinds)  # warm-up: first listings create the discovered records
            healthy = [refresh(kinds) for _ in range(args.runs)]
            # Tracing slows Python down several times over, so memory is measured in a run of its own.
            tracemalloc.start()
            refresh(kinds)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            down = connections[: max(1, round(len(connections) * args.down_percent / 100))]
            set_options(down, {"latency_ms": args.latency_ms, "down": True})
            degraded = [refresh(kinds) for _ in range(args.runs)]
        finally:
            mock = get_driver("mock")
            for connection in connections:
                mock.wipe_tenant(connection.name)

    wall = statistics.median(run[0] for run in healthy)
    wall_down = statistics.median(run[0] for run in degraded)
    failed = degraded[0][2]
    ratio = wall / ideal
    print(f"Python {sys.version.split()[0]}; embedded mode (shards on threads of one process), PostgreSQL, Redis")
    print(
        f"N={len(connections)} connections x K={len(kinds)} kinds = {calls} listings, L={args.latency_ms} ms, "
        f"concurrency {args.concurrency}, median of {args.runs} runs"
    )
    print(f"all up:        wall {wall:.2f} s  (runs: {', '.join(f'{r[0]:.2f}' for r in healthy)})")
    print(f"ideal:         ceil({calls}/{args.concurrency}) x {latency:g} s = {ideal:.2f} s")
    print(f"ratio:         {ratio:.2f}  (target <= 1.5: {'met' if ratio <= 1.5 else 'NOT met'})")
    print(f"under 5 s:     {'met' if wall < 5 else 'NOT met'}")
    print(
        f"peak memory:   {peak / 2**20:.1f} MiB traced by Python during one refresh; "
        f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    print(
        f"{len(down)} down ({args.down_percent:g}%): wall {wall_down:.2f} s, {failed} listings failed, "
        f"{wall_down / wall:.2f}x the all-up wall time"
    )
    met = ratio <= 1.5 and wall < 5 and wall_down <= wall * 1.2 and failed == len(down) * len(kinds)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
