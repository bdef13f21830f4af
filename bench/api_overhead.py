"""How much a page of VMs costs over the cheapest authenticated call of the same API.

    .venv/bin/python bench/api_overhead.py [--vms 100] [--runs 200] [--profile]

Times, in-process through Django's test client (the whole Django + DRF stack: middleware, token
auth, view, queries, JSON rendering; no network, no WSGI server):

  (a) GET /api/v1/connections/{conn}/vms/?page_size=100   a full page of 100 VMs
  (b) GET /api/v1/providers/mock/                          a trivial authenticated endpoint

and reports median(a) / median(b) against the target of 3x. It is a measurement: the exit code is 0
whether the target is met or not, non-zero only when something fails.

Without DATABASE_URL it creates a throw-away PostgreSQL database on this machine's server and drops
it at the end; REDIS_URL and SPIDERWEB_MOCK_STORE default to redis://127.0.0.1:6379/1.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import scratch
from scratch import scratch_database

PAGE = 100
SMALL_PAGE = 10
TARGET_RATIO = 3.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vms", type=int, default=100, help=f"VMs to create (at least {PAGE}, a full page)")
    parser.add_argument("--runs", type=int, default=200, help="timed calls of each endpoint")
    parser.add_argument("--warmup", type=int, default=20, help="untimed calls of each endpoint first")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the VM page call")
    args = parser.parse_args()
    if args.vms < PAGE:
        parser.error(f"--vms must be at least {PAGE}: the timed call lists a full page of {PAGE}")
    if args.runs < 2:
        parser.error("--runs must be at least 2")
    return args


# --- a database of our own ----------------------------------------------------------------------------


def setup_django() -> None:
    scratch.setup_django()
    # Operations run in this process even if a broker is configured (in .env, say): the setup waits
    # for each create, and the benchmark must not depend on a worker being up.
    from spiderweb.celery import app

    app.conf.task_always_eager = True


# --- the fixture: user, token, mock connection, network, N VMs ---------------------------------------


class Fixture:
    def __init__(self, vms: int) -> None:
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token
        from rest_framework.test import APIClient

        from connections import services

        tag = uuid.uuid4().hex[:8]
        self.tenant = f"bench-{tag}"  # a MockName of our own: the mock cloud's state is shared
        self.user = get_user_model().objects.create_user(username=f"bench-{tag}", password=uuid.uuid4().hex)
        token = Token.objects.create(user=self.user)
        # SERVER_NAME: ALLOWED_HOSTS does not list the test client's default "testserver".
        self.client = APIClient(SERVER_NAME="localhost")
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

        self.driver = services.driver_create(name=f"bench-drv-{tag}", provider="mock")
        self.credential = services.credential_create(
            name=f"bench-cred-{tag}", provider="mock", values={"MockName": self.tenant}
        )
        self.region = services.region_create(
            name=f"bench-reg-{tag}", provider="mock", region="mars", zone="mars-z1", options={}
        )
        self.conn = services.connection_create(
            name=f"bench-conn-{tag}", driver=self.driver.name, credential=self.credential.name, region=self.region.name
        ).name
        self.vms = vms

    def post(self, path: str, body: dict[str, Any]) -> None:
        response = self.client.post(f"/api/v1/connections/{self.conn}/{path}", body, format="json")
        if response.status_code != 201:
            raise RuntimeError(f"POST {path} answered {response.status_code}: {response.content[:500]!r}")

    def build(self) -> None:
        """The network and the VMs, through the API as a user would create them."""
        # A /20 subnet: the mock hands out real addresses, and a /24 runs out after about 250 VMs.
        self.post(
            "vpcs/",
            {
                "name": "vpc-01",
                "ipv4_cidr": "192.168.0.0/16",
                "subnets": [{"name": "subnet-01", "ipv4_cidr": "192.168.16.0/20", "zone": "mars-z1"}],
            },
        )
        self.post(
            "security-groups/",
            {
                "name": "sg-01",
                "vpc": "vpc-01",
                "rules": [
                    {"direction": "inbound", "protocol": "TCP", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}
                ],
            },
        )
        self.post("key-pairs/", {"name": "keypair-01"})
        for i in range(1, self.vms + 1):
            self.post(
                "vms/",
                {
                    "name": f"vm-{i:04d}",
                    "image": "mock-vmimage-01",
                    "spec": "mock-vmspec-01",
                    "vpc": "vpc-01",
                    "subnet": "subnet-01",
                    "security_groups": ["sg-01"],
                    "key_pair": "keypair-01",
                },
            )

    def forget(self) -> None:
        """Remove what we made from a database we did not create, and our tenant from the mock cloud."""
        from connections.models import Connection
        from drivers.registry import get_driver
        from resources.models import Operation

        get_driver("mock").wipe_tenant(self.tenant)  # type: ignore[attr-defined]
        Connection.objects.filter(name=self.conn).delete()  # its resources cascade
        Operation.objects.filter(connection_name=self.conn).delete()
        self.driver.delete()
        self.credential.delete()
        self.region.delete()
        self.user.delete()  # and its token


# --- measuring --------------------------------------------------------------------------------------


def timed(call: Callable[[], Any]) -> float:
    """Milliseconds of one call; the status is checked outside the timed span."""
    start = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"answered {response.status_code}: {response.content[:500]!r}")
    return elapsed


def queries_of(call: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def p90(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10, method="inclusive")[8]


def print_profile(call: Callable[[], Any], calls: int = 50) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        call()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"\nprofile of {calls} VM page calls, by cumulative time:\n")
    stats.sort_stats("cumulative").print_stats(35)
    out.write(f"\nprofile of {calls} VM page calls, by own time:\n")
    stats.sort_stats("tottime").print_stats(25)
    print(out.getvalue())


def run(args: argparse.Namespace) -> None:
    import django
    import rest_framework

    started = time.perf_counter()
    fixture = Fixture(args.vms)
    try:
        fixture.build()
        setup_s = time.perf_counter() - started
        client, vms_url = fixture.client, f"/api/v1/connections/{fixture.conn}/vms/"

        def page() -> Any:
            return client.get(vms_url, {"page_size": PAGE})

        def provider() -> Any:
            return client.get("/api/v1/providers/mock/")

        body = page().json()
        if len(body["results"]) != PAGE or body["count"] != args.vms:
            raise RuntimeError(f"expected {PAGE} of {args.vms} VMs, got {len(body['results'])} of {body['count']}")
        if len(client.get(vms_url, {"page_size": SMALL_PAGE}).json()["results"]) != SMALL_PAGE:
            raise RuntimeError(f"expected a page of {SMALL_PAGE} VMs")

        for _ in range(args.warmup):
            page()
            provider()
        # Interleaved, and the order alternated, so both endpoints see the same machine noise.
        a: list[float] = []
        b: list[float] = []
        for i in range(args.runs):
            if i % 2:
                a.append(timed(page))
                b.append(timed(provider))
            else:
                b.append(timed(provider))
                a.append(timed(page))

        small_queries = queries_of(lambda: client.get(vms_url, {"page_size": SMALL_PAGE}))
        page_queries = queries_of(page)
        provider_queries = queries_of(provider)
        ratio = statistics.median(a) / statistics.median(b)

        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, "
            f"DRF {rest_framework.VERSION}, {os.cpu_count()} CPUs"
        )
        print("in-process Django+DRF stack through the test client (no network, no WSGI server)")
        print(
            f"VMs N={args.vms} (created through the API in {setup_s:.1f} s), runs R={args.runs}, warm-up {args.warmup}"
        )
        print(f"(a) GET .../vms/?page_size={PAGE}  median {statistics.median(a):7.2f} ms   p90 {p90(a):7.2f} ms")
        print(f"(b) GET /api/v1/providers/mock/  median {statistics.median(b):7.2f} ms   p90 {p90(b):7.2f} ms")
        print(f"ratio median(a)/median(b) = {ratio:.2f}")
        print(
            f"SQL queries: VM page of {SMALL_PAGE} = {small_queries}, VM page of {PAGE} = {page_queries}, "
            f"provider = {provider_queries}"
        )
        if small_queries != page_queries:
            print(f"WARNING: the VM list's query count grows with the page ({small_queries} -> {page_queries})")
        print(f"target <= {TARGET_RATIO:g}x: {'met' if ratio <= TARGET_RATIO else 'NOT met'}")
        if args.profile:
            print_profile(page)
    finally:
        fixture.forget()


def main() -> int:
    args = parse_args()
    with scratch_database():
        setup_django()
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
