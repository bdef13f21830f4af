"""Benchmark: meta answers from the cloud vs. from the cache, through the real API stack.

Registers a mock connection whose region adds `--latency-ms` to every cloud call, then for each
meta kind (region-zones, images, specs, prices) times `-n` uncached calls (`?refresh=true`, which
always asks the driver and re-fills the cache) and `-n` cached ones. Requests go through Django's
test `Client` with a logged-in user: middleware, URL routing, DRF authentication, the view, the
service and the Redis cache — everything but the HTTP server's socket.

Runs alone: `.venv/bin/python bench/meta_cache.py [-n 20] [--latency-ms 200] [--min-ratio 10]`.
Uses Redis at `REDIS_URL` (default redis://127.0.0.1:6379/1) and a throw-away SQLite database in a
temporary directory. Exits 1 if any kind's median uncached/cached ratio is below `--min-ratio`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PATHS = {"region_zones": "region-zones/", "images": "images/", "specs": "specs/", "prices": "prices/"}


def setup_django(var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "spiderweb.settings"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")
    os.environ.setdefault("SPIDERWEB_LOG_LEVEL", "WARNING")
    os.environ["SPIDERWEB_VAR_DIR"] = var_dir
    # Set but empty, so neither the caller's environment nor a .env file can point us at a real database:
    # settings then use SQLite under SPIDERWEB_VAR_DIR.
    os.environ["DATABASE_URL"] = ""

    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()  # lets the test Client's "testserver" host through ALLOWED_HOSTS
    call_command("migrate", interactive=False, verbosity=0)


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least `fraction` of them at or below it."""
    ordered = sorted(samples)
    rank = max(1, round(fraction * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def timed_get(client: Any, url: str, expect_cache: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or response["X-Spiderweb-Cache"] != expect_cache:
        raise SystemExit(f"GET {url}: {response.status_code} {response.get('X-Spiderweb-Cache')} {response.content!r}")
    return elapsed_ms


def run(*, rounds: int, latency_ms: int, min_ratio: float) -> int:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from connections import services
    from resources.catalogue.meta import meta_cache_forget

    suffix = uuid.uuid4().hex[:8]
    driver = services.driver_create(name=f"bench-drv-{suffix}", provider="mock")
    credential = services.credential_create(
        name=f"bench-cred-{suffix}", provider="mock", values={"MockName": f"bench-{suffix}"}
    )
    region = services.region_create(
        name=f"bench-reg-{suffix}", provider="mock", region="mars", zone="mars-z1", options={"latency_ms": latency_ms}
    )
    connection = services.connection_create(
        name=f"bench-{suffix}", driver=driver.name, credential=credential.name, region=region.name
    )
    user = get_user_model().objects.create_user(username=f"bench-{suffix}", password=uuid.uuid4().hex)
    client = Client()
    client.force_login(user)

    print(
        f"meta cache benchmark: mock region latency {latency_ms} ms, {rounds} calls per kind and mode, "
        "Django test Client (session auth) -> DRF view -> service -> Redis cache"
    )
    print(f"{'kind':<14}{'uncached median':>17}{'p90':>10}{'cached median':>16}{'p90':>10}{'ratio':>9}")
    worst = float("inf")
    try:
        for kind, path in PATHS.items():
            url = f"/api/v1/connections/{connection.name}/{path}"
            timed_get(client, f"{url}?refresh=true", "miss")  # warm-up: first-request imports and connections
            uncached = [timed_get(client, f"{url}?refresh=true", "miss") for _ in range(rounds)]
            cached = [timed_get(client, url, "hit") for _ in range(rounds)]
            ratio = statistics.median(uncached) / statistics.median(cached)
            worst = min(worst, ratio)
            print(
                f"{kind:<14}{statistics.median(uncached):>14.1f} ms{percentile(uncached, 0.9):>7.1f} ms"
                f"{statistics.median(cached):>13.2f} ms{percentile(cached, 0.9):>7.2f} ms{ratio:>8.0f}x"
            )
    finally:
        meta_cache_forget(connection=connection)
    if worst < min_ratio:
        print(f"FAIL: the worst uncached/cached ratio is {worst:.1f}, below {min_ratio:g}")
        return 1
    print(f"ok: every uncached/cached ratio is at least {min_ratio:g} (worst {worst:.0f}x)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rounds", type=int, default=20, help="calls per kind and mode (default 20)")
    parser.add_argument("--latency-ms", type=int, default=200, help="latency the mock region adds (default 200)")
    parser.add_argument("--min-ratio", type=float, default=10.0, help="fail below this uncached/cached ratio")
    args = parser.parse_args()
    if args.rounds < 1 or args.latency_ms < 0:
        parser.error("--rounds must be at least 1 and --latency-ms at least 0")
    with tempfile.TemporaryDirectory(prefix="spiderweb-bench-") as var_dir:
        setup_django(var_dir)
        return run(rounds=args.rounds, latency_ms=args.latency_ms, min_ratio=args.min_ratio)


if __name__ == "__main__":
    sys.exit(main())
