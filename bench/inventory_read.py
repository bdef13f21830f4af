"""How fast the inventory reads answer with 200 connections and 20,000 records.

    .venv/bin/python bench/inventory_read.py [--connections 200] [--resources 20000] [--runs 50]

Fills a throw-away PostgreSQL database with mock connections spread over the mock's 8 regions x 3
zones, records of every kind (bulk-inserted, `info` shaped exactly as the driver answers) and a
freshness row per (connection, kind), then times, in-process through Django's test client (the
whole Django + DRF stack: middleware, token auth, view, SQL, JSON rendering; no network):

  (a) GET /api/v1/inventory/summary/
  (b) GET /api/v1/inventory/vms/?page_size=50

and prints the median, p90 and SQL queries of each against the target (median < 150 ms). It is a
measurement: the exit code is 0 whether the target is met or not, non-zero only when something fails.

It always creates its own database `spiderweb_bench_<random>` on postgres://postgres@127.0.0.1:5432/
(a summary over somebody's data would measure that data) and drops it at the end. REDIS_URL
defaults to redis://127.0.0.1:6379/1; no cloud is called.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from scratch import scratch_database, setup_django

PAGE = 50
TARGET_MS = 150.0
TENANTS = 10  # cloud accounts the connections share, as teams share a few accounts


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--resources", type=int, default=20_000, help="records in all, spread evenly")
    parser.add_argument("--runs", type=int, default=50, help="timed calls of each endpoint")
    parser.add_argument("--warmup", type=int, default=5, help="untimed calls of each endpoint first")
    parser.add_argument("--seed", type=int, default=1, help="of the random mix, so runs compare")
    args = parser.parse_args()
    if args.connections < 1 or args.resources // args.connections < 40:
        parser.error("give each connection at least 40 records (its network takes 34)")
    if args.runs < 2:
        parser.error("--runs must be at least 2")
    return args


# --- the fixture ------------------------------------------------------------------------------------


def register(count: int) -> list[Any]:
    """Driver, a few credentials, one region per (region, zone) of the mock, and `count` connections."""
    from connections import services
    from drivers.mock._catalogue import REGION_ZONES

    services.driver_create(name="bench-mock", provider="mock")
    for tenant in range(TENANTS):
        services.credential_create(
            name=f"bench-account-{tenant}", provider="mock", values={"MockName": f"bench-{tenant}"}
        )
    places = [(region, zone) for region, zones in REGION_ZONES for zone in zones]
    for region, zone in places:
        services.region_create(name=f"bench-{zone}", provider="mock", region=region, zone=zone, options={})
    connections = []
    for i in range(count):
        region, zone = places[i % len(places)]
        connections.append(
            services.connection_create(
                name=f"conn-{i:03d}-{zone}",
                driver="bench-mock",
                credential=f"bench-account-{i % TENANTS}",
                region=f"bench-{zone}",
            )
        )
    return connections


class Records:
    """Resource rows for one connection, `info` built from the driver's own types as a listing leaves it."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now, self.serial = rng, now, 0

    def iid(self, prefix: str, name: str) -> Any:
        from drivers.types import IID

        self.serial += 1
        return IID(name_id=f"{name}-{uuid.uuid4().hex[:6]}", system_id=f"{prefix}-{self.serial:08x}")

    def row(
        self, connection: Any, kind: str, name: str, iid: Any, info: Any, *, status: str, parent: Any = None
    ) -> Any:
        from drivers.types import to_jsonable
        from resources.models import Lifecycle, Resource

        roll = self.rng.random()
        missing = roll < 0.01  # gone at the cloud, kept as a record
        data = to_jsonable(info)
        return Resource(
            connection=connection,
            kind=kind,
            name=name,
            cloud_name=iid.name_id,
            system_id=iid.system_id,
            parent=parent,
            lifecycle=Lifecycle.READY,
            status="NotExist" if missing else status,
            region=connection.region.region,
            zone=data.get("zone") or connection.region.zone,
            tags=data.get("tags", {}),
            info=data,
            managed=roll > 0.2,  # a fifth only discovered at the cloud
            last_seen_at=self.now - timedelta(minutes=self.rng.randint(1, 30)),
            missing_since=self.now - timedelta(hours=2) if missing else None,
        )

    def tags(self) -> dict[str, str]:
        return {"env": self.rng.choice(["prod", "staging", "dev"]), "team": self.rng.choice("abcdefgh")}

    def network(self, connection: Any, per_connection: int) -> Iterator[list[Any]]:
        """Yields the rows in dependency order (VPCs, then what hangs off them), each batch saved before the next."""
        from drivers.types import KeyPairInfo, SecurityInfo, SecurityRule, SubnetInfo, VMInfo, VMStatus, VPCInfo
        from resources.models import Kind

        zone = connection.region.zone
        vpc_infos, subnet_iids = [], []
        for v in range(6):
            iid = self.iid("vpc", f"vpc-{v:02d}")
            subnets = tuple(
                SubnetInfo(
                    iid=self.iid("subnet", f"subnet-{v:02d}-{s}"),
                    ipv4_cidr=f"10.{v}.{s}.0/24",
                    zone=zone,
                    tags=self.tags(),
                )
                for s in range(2)
            )
            subnet_iids.append(subnets)
            vpc_infos.append(
                (
                    iid,
                    VPCInfo(
                        iid=iid,
                        ipv4_cidr=f"10.{v}.0.0/16",
                        subnets=subnets,
                        tags=self.tags(),
                        extra={"state": "available"},
                    ),
                )
            )
        vpcs = [
            self.row(connection, Kind.VPC, f"vpc-{v:02d}", iid, info, status="Available")
            for v, (iid, info) in enumerate(vpc_infos)
        ]
        yield vpcs

        rows = []
        for v, vpc in enumerate(vpcs):
            for s, subnet in enumerate(subnet_iids[v]):
                rows.append(
                    self.row(
                        connection,
                        Kind.SUBNET,
                        f"subnet-{v:02d}-{s}",
                        subnet.iid,
                        subnet,
                        status="Available",
                        parent=vpc,
                    )
                )
        groups = []
        for g in range(10):
            v = g % len(vpcs)
            iid = self.iid("sg", f"sg-{g:02d}")
            rules = (
                SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22, cidr="0.0.0.0/0"),
                SecurityRule(direction="inbound", protocol="TCP", from_port=443, to_port=443, cidr="0.0.0.0/0"),
                SecurityRule(direction="outbound", protocol="ALL", cidr="0.0.0.0/0"),
            )
            groups.append((v, iid))
            rows.append(
                self.row(
                    connection,
                    Kind.SECURITY_GROUP,
                    f"sg-{g:02d}",
                    iid,
                    SecurityInfo(iid=iid, vpc_iid=vpc_infos[v][0], rules=rules, tags=self.tags()),
                    status="Available",
                    parent=vpcs[v],
                )
            )
        keys = []
        for k in range(6):
            iid = self.iid("key", f"key-{k:02d}")
            keys.append(iid)
            rows.append(
                self.row(
                    connection,
                    Kind.KEY_PAIR,
                    f"key-{k:02d}",
                    iid,
                    KeyPairInfo(
                        iid=iid,
                        fingerprint=f"SHA256:{uuid.uuid4().hex}{uuid.uuid4().hex[:11]}",
                        public_key=f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{uuid.uuid4().hex}{uuid.uuid4().hex[:11]} b",
                        tags=self.tags(),
                    ),
                    status="Available",
                )
            )
        region = connection.region.region
        for n in range(per_connection - len(rows) - len(vpcs)):
            v, sg = self.rng.choice(groups)
            iid = self.iid("vm", f"vm-{n:03d}")
            private_ip, public_ip = f"10.{v}.0.{n % 250 + 4}", f"198.51.{self.rng.randint(0, 255)}.{n % 250 + 4}"
            status = self.rng.choices(
                [VMStatus.RUNNING, VMStatus.SUSPENDED, VMStatus.CREATING, VMStatus.FAILED], weights=[85, 10, 3, 2]
            )[0]
            info = VMInfo(
                iid=iid,
                status=status,
                image_iid=_image(self.rng),
                spec_name=f"mock-vmspec-0{self.rng.randint(1, 4)}",
                vpc_iid=vpc_infos[v][0],
                subnet_iid=subnet_iids[v][n % 2].iid,
                region=region,
                zone=zone,
                security_group_iids=(sg,),
                key_pair_iid=self.rng.choice(keys),
                root_disk_type="SSD",
                root_disk_size_gb=50,
                platform="Linux/UNIX",
                public_ip=public_ip,
                public_dns=f"vm-{public_ip.replace('.', '-')}.{region}.mockcloud.test",
                private_ip=private_ip,
                private_dns=f"ip-{private_ip.replace('.', '-')}.{region}.internal",
                ssh_access_point=f"{public_ip}:22",
                start_time=self.now - timedelta(days=self.rng.randint(0, 90)),
                tags=self.tags(),
                extra={"architecture": "x86_64"},
            )
            rows.append(self.row(connection, Kind.VM, f"vm-{n:03d}", iid, info, status=status.value, parent=vpcs[v]))
        yield rows


def _image(rng: random.Random) -> Any:
    from drivers.types import IID

    image = f"mock-vmimage-0{rng.randint(1, 5)}"
    return IID(name_id=image, system_id=image)


def fill(connections: list[Any], per_connection: int, rng: random.Random) -> int:
    from resources.models import Resource

    records = Records(rng, datetime.now(UTC))
    vpcs: list[Any] = []
    rest: list[Any] = []
    for connection in connections:
        batches = records.network(connection, per_connection)
        first = next(batches)
        vpcs += first
        # The children need their VPC's primary key: hold the generator until the VPCs are saved.
        rest.append(batches)
    Resource.objects.bulk_create(vpcs, batch_size=2000)
    children = [row for batches in rest for row in next(batches)]
    Resource.objects.bulk_create(children, batch_size=2000)
    return len(vpcs) + len(children)


def freshen(connections: list[Any], rng: random.Random) -> dict[str, int]:
    """A freshness row per (connection, kind): mostly fresh, some stale, some failing, a few never succeeded."""
    from resources import kinds
    from resources.models import Freshness, RefreshOutcome

    now = datetime.now(UTC)
    rows, mix = [], {"ok": 0, "ok, stale": 0, "failed": 0, "failed, never succeeded": 0}
    for connection in connections:
        for kind in kinds.names():
            state = rng.choices(list(mix), weights=[85, 8, 5, 2])[0]
            mix[state] += 1
            success = {
                "ok": now - timedelta(minutes=rng.randint(1, 10)),
                "ok, stale": now - timedelta(hours=2),
                "failed": now - timedelta(minutes=30),
                "failed, never succeeded": None,
            }[state]
            failed = state.startswith("failed")
            rows.append(
                Freshness(
                    connection=connection,
                    kind=kind,
                    outcome=RefreshOutcome.FAILED if failed else RefreshOutcome.OK,
                    last_attempt_at=now - timedelta(minutes=1),
                    last_success_at=success,
                    duration_ms=rng.randint(150, 900),
                    resource_count=0,
                    error_code="unreachable" if failed else "",
                    error_message=f"region {connection.region.region} did not answer in 30 s" if failed else "",
                )
            )
    Freshness.objects.bulk_create(rows, batch_size=2000)
    return mix


# --- measuring --------------------------------------------------------------------------------------


def timed(call: Callable[[], Any]) -> float:
    """Milliseconds of one call; the status is checked outside the timed span."""
    start = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"answered {response.status_code}: {response.content[:500]!r}")
    return elapsed


def queries_of(call: Callable[[], Any]) -> tuple[int, float]:
    """How many SQL queries one call makes, and the milliseconds they take in all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries), sum(float(query["time"]) for query in captured.captured_queries) * 1000


def p90(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10, method="inclusive")[8]


def run(args: argparse.Namespace) -> None:
    import django
    import rest_framework
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from resources.models import Kind, Resource

    rng = random.Random(args.seed)
    started = time.perf_counter()
    connections = register(args.connections)
    registered_s = time.perf_counter() - started
    total = fill(connections, args.resources // args.connections, rng)
    mix = freshen(connections, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum would have them by now
    setup_s = time.perf_counter() - started

    user = get_user_model().objects.create_user(username="bench", password=uuid.uuid4().hex)
    client = APIClient(SERVER_NAME="localhost")  # ALLOWED_HOSTS does not list "testserver"
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    def summary() -> Any:
        return client.get("/api/v1/inventory/summary/")

    def vms() -> Any:
        return client.get("/api/v1/inventory/vms/", {"page_size": PAGE})

    body = summary().json()
    present = Resource.objects.filter(missing_since__isnull=True).count()
    if body["totals"]["connections"] != args.connections or body["totals"]["resources"] != present:
        raise RuntimeError(
            f"summary totals {body['totals']} do not match {args.connections} connections, {present} present records"
        )
    page = vms().json()
    vm_count = Resource.objects.filter(kind=Kind.VM).count()
    if len(page["results"]) != PAGE or page["count"] != vm_count:
        raise RuntimeError(f"expected {PAGE} of {vm_count} VMs, got {len(page['results'])} of {page['count']}")
    summary_kb, page_kb = len(summary().content) / 1024, len(vms().content) / 1024

    for _ in range(args.warmup):
        summary()
        vms()
    # Interleaved, and the order alternated, so both endpoints see the same machine noise.
    a: list[float] = []
    b: list[float] = []
    for i in range(args.runs):
        if i % 2:
            a.append(timed(summary))
            b.append(timed(vms))
        else:
            b.append(timed(vms))
            a.append(timed(summary))

    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"DRF {rest_framework.VERSION}, {os.cpu_count()} CPUs"
    )
    print("in-process Django+DRF stack through the test client (no network, no WSGI server)")
    print(
        f"{args.connections} connections (registered in {registered_s:.1f} s), {total} records, "
        f"{vm_count} of them VMs; freshness cells {mix}; set up in {setup_s:.1f} s"
    )
    print(f"runs R={args.runs}, warm-up {args.warmup}")
    for label, samples, call, size in (
        ("(a) GET /api/v1/inventory/summary/", a, summary, summary_kb),
        (f"(b) GET /api/v1/inventory/vms/?page_size={PAGE}", b, vms, page_kb),
    ):
        median = statistics.median(samples)
        verdict = "met" if median < TARGET_MS else "NOT met"
        count, sql_ms = queries_of(call)
        print(
            f"{label:<45} median {median:7.2f} ms   p90 {p90(samples):7.2f} ms   "
            f"{count} queries ({sql_ms:.1f} ms of SQL)   {size:.0f} KB   target < {TARGET_MS:g} ms: {verdict}"
        )


def main() -> int:
    args = parse_args()
    with scratch_database(use_existing=False):
        setup_django()
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
