"""How fast the overview dashboard renders with 200 connections, and whether its query count stays constant.

    .venv/bin/python bench/dashboard_overview.py [--connections 200] [--resources 20000] [--runs 30]

Uses the inventory read benchmark's data (connections over the mock's 8 regions x 3 zones, records of
every kind, a freshness row per connection and kind), logs a user in and times, in-process through
Django's test client (middleware, session, view, SQL, template rendering; no network):

  (a) GET /             the whole overview page
  (b) GET / (HTMX)      the matrix partial the page swaps in while a refresh runs

It prints the median and p90 of each against the target (median < 300 ms), and the SQL queries of the
page with all connections and with a tenth of them, which must be the same number. It is a measurement:
the exit code is 0 whether the target is met or not, non-zero only when something fails. It creates and
drops its own database `spiderweb_bench_<random>`; no cloud is called.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from typing import Any

from inventory_read import fill, freshen, p90, queries_of, register, timed
from scratch import scratch_database, setup_django

TARGET_MS = 300.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--resources", type=int, default=20_000, help="records in all, spread evenly")
    parser.add_argument("--runs", type=int, default=30, help="timed renders of each")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.connections < 10 or args.resources // args.connections < 40:
        parser.error("at least 10 connections of at least 40 records each")
    return args


def run(args: argparse.Namespace) -> None:
    import django
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from connections.models import Connection

    rng = random.Random(args.seed)
    started = time.perf_counter()
    connections = register(args.connections)
    total = fill(connections, args.resources // args.connections, rng)
    mix = freshen(connections, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    setup_s = time.perf_counter() - started

    user = get_user_model().objects.create_user(username="bench", password=uuid.uuid4().hex)
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)

    def page() -> Any:
        return client.get("/")

    def matrix() -> Any:
        return client.get("/", HTTP_HX_REQUEST="true")

    html = page().content.decode()
    missing = [c.name for c in connections if c.name not in html]
    if missing:
        raise RuntimeError(f"{len(missing)} connections are not on the page, e.g. {missing[:3]}")
    page_kb, matrix_kb = len(html) / 1024, len(matrix().content) / 1024

    for _ in range(args.warmup):
        page()
        matrix()
    a: list[float] = []
    b: list[float] = []
    for i in range(args.runs):
        first, second = (page, matrix) if i % 2 else (matrix, page)
        (a if first is page else b).append(timed(first))
        (a if second is page else b).append(timed(second))

    all_queries, _ = queries_of(page)
    # Keep a tenth of the connections: the query count must not change with their number.
    keep = {c.pk for c in connections[: args.connections // 10]}
    Connection.objects.exclude(pk__in=keep).delete()
    few_queries, _ = queries_of(page)

    print(f"Django {django.get_version()}; in-process through the test client (no network, no WSGI server)")
    print(f"{args.connections} connections, {total} records, freshness cells {mix}; set up in {setup_s:.1f} s")
    print(f"runs R={args.runs}, warm-up {args.warmup}")
    for label, samples, size in (("(a) GET / (overview page)", a, page_kb), ("(b) GET / HTMX matrix", b, matrix_kb)):
        median = statistics.median(samples)
        verdict = "met" if median < TARGET_MS else "NOT met"
        print(
            f"{label:<28} median {median:7.2f} ms   p90 {p90(samples):7.2f} ms   {size:.0f} KB   "
            f"target < {TARGET_MS:g} ms: {verdict}"
        )
    same = "constant" if all_queries == few_queries else "NOT constant"
    print(
        f"queries of the page: {all_queries} with {args.connections} connections, "
        f"{few_queries} with {len(keep)}: {same}"
    )


def main() -> int:
    args = parse_args()
    with scratch_database(use_existing=False):
        setup_django()
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
