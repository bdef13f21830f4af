"""The inventory read API: `inventory/summary/` and `inventory/{kind}/` across every connection."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connections.models import Connection
from resources import kinds
from resources.models import Freshness, Kind, Lifecycle, RefreshOutcome, Resource
from tests.factories import make_connection
from tests.resources.helpers import build_network, error_of, url

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/inventory/summary/"
KINDS = list(kinds.names())
SEGMENTS = [spec.segment for spec in kinds.all_kinds()]
NO_STORAGE = dict.fromkeys(KINDS[5:], 0)  # the kinds these tests leave empty
NEVER = {
    "outcome": "never",
    "last_success_at": None,
    "last_attempt_at": None,
    "age_seconds": None,
    "stale": True,
    "duration_ms": None,
    "error_code": "",
    "error_message": "",
}
_ids = itertools.count(1)


def inventory(kind: str) -> str:
    return f"/api/v1/inventory/{kind}/"


def record(connection: Connection, kind: str, name: str, **fields: Any) -> Resource:
    """A record as a refresh or a create leaves it: ready, seen, in the connection's region and zone."""
    values = {
        "system_id": f"sid-{next(_ids)}",
        "lifecycle": Lifecycle.READY,
        "status": "Available",
        "region": connection.region.region,
        "zone": connection.region.zone,
        "last_seen_at": timezone.now(),
    }
    return Resource.objects.create(
        connection=connection, kind=kind, name=name, cloud_name=f"{name}-cloud", **(values | fields)
    )


def iid(target: Resource) -> dict[str, str]:
    return {"name_id": target.cloud_name, "system_id": target.system_id}


def network(connection: Connection, *, vms: int = 1, prefix: str = "", storage: bool = False) -> None:
    """A VPC with a subnet, a security group, a key pair and `vms` VMs referring to them by cloud id.

    With `storage`, a disk attached to the first VM and a machine image taken from it as well.
    """
    vpc = record(connection, Kind.VPC, f"{prefix}vpc", info={"ipv4_cidr": "10.0.0.0/16", "subnets": []})
    subnet = record(connection, Kind.SUBNET, f"{prefix}subnet", parent=vpc, info={"ipv4_cidr": "10.0.1.0/24"})
    sg = record(
        connection,
        Kind.SECURITY_GROUP,
        f"{prefix}sg",
        parent=vpc,
        info={
            "vpc_iid": iid(vpc),
            "rules": [{"direction": "inbound", "protocol": "TCP", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}],
        },
    )
    key = record(connection, Kind.KEY_PAIR, f"{prefix}key", info={"fingerprint": "ab:cd", "public_key": "ssh-rsa x"})
    for i in range(vms):
        record(
            connection,
            Kind.VM,
            f"{prefix}vm-{i:03d}",
            status="Running",
            info={
                "vpc_iid": iid(vpc),
                "subnet_iid": iid(subnet),
                "security_group_iids": [iid(sg)],
                "key_pair_iid": iid(key),
                "image_iid": {"name_id": "mock-vmimage-01", "system_id": "img-1"},
                "spec_name": "mock-vmspec-01",
                "private_ip": "10.0.1.5",
            },
        )
    if storage and vms:
        first = Resource.objects.get(connection=connection, kind=Kind.VM, name=f"{prefix}vm-000")
        record(
            connection,
            Kind.DISK,
            f"{prefix}disk",
            status="Attached",
            info={"disk_type": "ssd", "disk_size_gb": 50, "owner_vm_iid": iid(first)},
        )
        record(connection, Kind.MY_IMAGE, f"{prefix}image", status="Available", info={"source_vm_iid": iid(first)})
        record(
            connection,
            Kind.NLB,
            f"{prefix}nlb",
            parent=vpc,
            info={
                "vpc_iid": iid(vpc),
                "type": "PUBLIC",
                "scope": "REGION",
                "listener": {"protocol": "TCP", "port": 80},
                "vm_group": {"protocol": "TCP", "port": 80, "vm_iids": [iid(first)]},
                "health_checker": {"protocol": "TCP", "port": 80},
            },
        )
        record(
            connection,
            Kind.CLUSTER,
            f"{prefix}cluster",
            parent=vpc,
            status="Active",
            info={
                "vpc_iid": iid(vpc),
                "version": "1.30",
                "subnet_iids": [iid(subnet)],
                "security_group_iids": [iid(sg)],
                "node_groups": [
                    {
                        "iid": {"name_id": "ng", "system_id": "ng-1"},
                        "spec_name": "mock-vmspec-01",
                        "key_pair_iid": iid(key),
                        "status": "Active",
                        "on_auto_scaling": True,
                        "min_node_size": 1,
                        "desired_node_size": 2,
                        "max_node_size": 3,
                        "nodes": [],
                    }
                ],
            },
        )


def freshness(
    connection: Connection, kind: str, *, ago: float | None = 5, outcome: str = RefreshOutcome.OK, **fields: Any
) -> Freshness:
    now = timezone.now()
    success = now - timedelta(seconds=ago) if ago is not None else None
    return Freshness.objects.create(
        connection=connection,
        kind=kind,
        outcome=outcome,
        last_success_at=success,
        last_attempt_at=now,
        duration_ms=120,
        **fields,
    )


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def queries(call: Any) -> int:
    with CaptureQueriesContext(db) as captured:
        response = call()
    assert response.status_code == 200, response.json()
    return len(captured.captured_queries)


def connections_of(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        entry["name"]: entry
        for provider in summary["providers"]
        for region in provider["regions"]
        for zone in region["zones"]
        for entry in zone["connections"]
    }


# --- summary ----------------------------------------------------------------------------------------


def test_summary_counts_per_connection_and_kind_grouped_by_provider_region_and_zone(api, test_drivers) -> None:  # type: ignore[no-untyped-def]
    a1 = make_connection(name="a-mars-1", region="mars", zone="mars-z1")
    a2 = make_connection(name="b-mars-1", region="mars", zone="mars-z1")
    a3 = make_connection(name="c-mars-2", region="mars", zone="mars-z2")
    a4 = make_connection(name="d-venus-3", region="venus", zone="venus-z3")
    other = make_connection(name="e-limited", region="mars", zone="mars-z1", provider="limited")
    network(a1, vms=3)
    network(a3, vms=1)
    record(a4, Kind.KEY_PAIR, "only-key")
    record(other, Kind.VM, "elsewhere", managed=False)

    body = api.get(SUMMARY).json()

    assert body["kinds"] == KINDS
    tree = [
        (p["provider"], r["region"], z["zone"], [c["name"] for c in z["connections"]])
        for p in body["providers"]
        for r in p["regions"]
        for z in r["zones"]
    ]
    assert tree == [
        ("limited", "mars", "mars-z1", ["e-limited"]),
        ("mock", "mars", "mars-z1", ["a-mars-1", "b-mars-1"]),
        ("mock", "mars", "mars-z2", ["c-mars-2"]),
        ("mock", "venus", "venus-z3", ["d-venus-3"]),
    ]
    entries = connections_of(body)
    assert entries["a-mars-1"]["counts"] == {
        "vpc": 1,
        "subnet": 1,
        "security_group": 1,
        "key_pair": 1,
        "vm": 3,
        **NO_STORAGE,
    }
    assert entries["a-mars-1"]["resources"] == 7
    assert entries[a2.name]["counts"] == dict.fromkeys(body["kinds"], 0)
    assert entries["e-limited"]["counts"]["vm"] == 1  # discovered records count too
    mock = next(p for p in body["providers"] if p["provider"] == "mock")
    assert mock["totals"] == {
        "connections": 4,
        "resources": 13,
        "missing": 0,
        "by_kind": {"vpc": 2, "subnet": 2, "security_group": 2, "key_pair": 3, "vm": 4, **NO_STORAGE},
    }
    assert body["totals"]["connections"] == 5
    assert body["totals"]["resources"] == 14
    assert body["totals"]["by_kind"] == {
        "vpc": 2,
        "subnet": 2,
        "security_group": 2,
        "key_pair": 3,
        "vm": 5,
        **NO_STORAGE,
    }


def test_freshness_of_each_cell_and_staleness(api, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SPIDERWEB_INVENTORY_STALE_SECONDS = 60
    conn, untouched = make_connection(), make_connection()
    vpcs = freshness(conn, Kind.VPC, ago=10)
    freshness(conn, Kind.VM, ago=3600)  # succeeded, long ago
    freshness(
        conn,
        Kind.KEY_PAIR,
        ago=None,
        outcome=RefreshOutcome.FAILED,
        error_code="unreachable",
        error_message="mars is down",
    )
    freshness(
        conn,
        Kind.SECURITY_GROUP,
        ago=20,
        outcome=RefreshOutcome.FAILED,
        error_code="throttled",
        error_message="slow down",
    )  # failed now, but its last success is recent

    body = api.get(SUMMARY).json()

    assert body["stale_after_seconds"] == 60
    cells = connections_of(body)[conn.name]["freshness"]
    assert cells["vpc"] | {"age_seconds": 10} == {
        "outcome": "ok",
        "last_success_at": iso(vpcs.last_success_at),
        "last_attempt_at": iso(vpcs.last_attempt_at),
        "age_seconds": 10,
        "stale": False,
        "duration_ms": 120,
        "error_code": "",
        "error_message": "",
    }
    assert 10 <= cells["vpc"]["age_seconds"] < 30
    assert cells["subnet"] == cells["vpc"]  # listed with the VPCs
    assert (cells["vm"]["outcome"], cells["vm"]["stale"], cells["vm"]["age_seconds"] >= 3600) == ("ok", True, True)
    assert cells["key_pair"] | {"last_attempt_at": None} == {
        **NEVER,
        "outcome": "failed",
        "duration_ms": 120,
        "error_code": "unreachable",
        "error_message": "mars is down",
    }
    assert [cells["security_group"][field] for field in ("outcome", "stale", "error_message")] == [
        "failed",
        False,
        "slow down",
    ]
    assert connections_of(body)[untouched.name]["freshness"] == dict.fromkeys(cells, NEVER)
    # vm, key_pair and the never-listed other kinds; plus every kind of the untouched connection.
    assert (body["totals"]["stale"], body["totals"]["failed"]) == (2 + len(NO_STORAGE) + len(KINDS), 2)


def test_missing_records_are_counted_apart_and_hide_empty_keeps_them(api) -> None:  # type: ignore[no-untyped-def]
    full, empty, only_missing = make_connection(), make_connection(), make_connection()
    record(full, Kind.VM, "vm")
    record(only_missing, Kind.VM, "gone", status="NotExist", missing_since=timezone.now())
    record(only_missing, Kind.VPC, "gone-vpc", missing_since=timezone.now())

    shown = connections_of(api.get(SUMMARY, {"hide_empty": "true"}).json())
    everything = api.get(SUMMARY, {"hide_empty": "false"}).json()

    assert set(shown) == {full.name, only_missing.name}
    gone = shown[only_missing.name]
    assert gone["counts"] == dict.fromkeys(KINDS, 0)
    assert gone["missing"] == {**dict.fromkeys(KINDS, 0), "vm": 1, "vpc": 1}
    assert empty.name in connections_of(everything)
    assert [everything["totals"][key] for key in ("connections", "resources", "missing")] == [3, 1, 2]


def test_summary_narrowed_to_providers_and_connections(api, test_drivers) -> None:  # type: ignore[no-untyped-def]
    a, b, c = make_connection(), make_connection(), make_connection()
    limited = make_connection(provider="limited")
    record(a, Kind.VM, "vm")

    def shown(**params: str | list[str]) -> set[str]:
        return set(connections_of(api.get(SUMMARY, params).json()))

    assert shown(provider="limited") == {limited.name}
    assert shown(provider="mock") == {a.name, b.name, c.name}
    assert shown(connection=f"{a.name},{limited.name}") == {a.name, limited.name}
    assert shown(connection=[a.name, b.name]) == {a.name, b.name}
    assert shown(connection=[a.name, limited.name], provider="mock") == {a.name}
    narrowed = api.get(SUMMARY, {"connection": b.name}).json()
    assert narrowed["totals"]["connections"] == 1 and narrowed["totals"]["resources"] == 0


def test_summary_queries_do_not_grow_with_the_connections(api) -> None:  # type: ignore[no-untyped-def]
    def grow_to(count: int) -> None:
        while Connection.objects.count() < count:
            conn = make_connection()
            network(conn, vms=2, prefix=conn.name)
            freshness(conn, Kind.VM)
            freshness(conn, Kind.VPC, outcome=RefreshOutcome.FAILED, error_message="down")

    grow_to(2)
    few = queries(lambda: api.get(SUMMARY))
    grow_to(10)
    many = queries(lambda: api.get(SUMMARY))

    assert few == many <= 4
    assert len(connections_of(api.get(SUMMARY).json())) == 10


# --- lists of one kind ------------------------------------------------------------------------------


@pytest.fixture
def two_clouds(db, test_drivers) -> tuple[Connection, Connection]:  # type: ignore[no-untyped-def]
    """A mock connection on mars-z1 and a `limited` one on venus-z2, each with a network and two VMs."""
    mars = make_connection(name="mars", region="mars", zone="mars-z1")
    venus = make_connection(name="venus", region="venus", zone="venus-z2", provider="limited")
    network(mars, vms=2)
    network(venus, vms=2)
    return mars, venus


@pytest.mark.parametrize("segment", SEGMENTS)
def test_every_kind_has_an_inventory_list(api, segment) -> None:  # type: ignore[no-untyped-def]
    response = api.get(inventory(segment))
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("vpcs", ["vpc", "vpc"]),
        ("subnets", ["subnet", "subnet"]),
        ("security-groups", ["sg", "sg"]),
        ("key-pairs", ["key", "key"]),
        ("vms", ["vm-000", "vm-001", "vm-000", "vm-001"]),
    ],
)
def test_a_kind_is_listed_across_connections(api, two_clouds, segment, expected) -> None:  # type: ignore[no-untyped-def]
    body = api.get(inventory(segment)).json()

    assert body["count"] == len(expected)
    assert [item["name"] for item in body["results"]] == expected
    assert [(item["connection"], item["provider"]) for item in body["results"]] == (
        [("mars", "mock")] * (len(expected) // 2) + [("venus", "limited")] * (len(expected) // 2)
    )


def test_items_refer_to_the_names_of_their_own_connection(api, two_clouds) -> None:  # type: ignore[no-untyped-def]
    mars, _ = two_clouds
    # A connection on the same cloud account knows the same cloud ids under other names: on one
    # page, each item must use its own connection's names.
    copy = make_connection(name="copy")
    for original in Resource.objects.filter(connection=mars, name__in=["vpc", "subnet", "sg", "key", "vm-000"]):
        record(copy, original.kind, f"copy-{original.name}", system_id=original.system_id, info=original.info)

    vms = api.get(inventory("vms"), {"connection": "mars,copy", "search": "vm-000"}).json()["results"]
    copied = vms[0]
    assert (copied["connection"], copied["vpc"], copied["subnet"], copied["security_groups"], copied["key_pair"]) == (
        "copy",
        "copy-vpc",
        "copy-subnet",
        ["copy-sg"],
        "copy-key",
    )
    vm = vms[1]
    assert (vm["vpc"], vm["subnet"], vm["security_groups"], vm["key_pair"]) == ("vpc", "subnet", ["sg"], "key")
    subnet = api.get(inventory("subnets"), {"connection": "mars"}).json()["results"][0]
    assert (subnet["vpc"], subnet["ipv4_cidr"], subnet["provider"]) == ("vpc", "10.0.1.0/24", "mock")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"provider": "limited"}, "venus/vm-000 venus/vm-001"),
        (
            {"provider": "mock,limited"},
            "mars/found mars/gone mars/vm-000 mars/vm-001 mars/vm-002 venus/vm-000 venus/vm-001",
        ),
        ({"provider": ["mock"], "connection": "venus"}, ""),
        ({"connection": "mars"}, "mars/found mars/gone mars/vm-000 mars/vm-001 mars/vm-002"),
        ({"connection": ["mars", "venus"], "search": "001"}, "mars/vm-001 venus/vm-001"),
        ({"region": "venus"}, "venus/vm-000 venus/vm-001"),
        ({"zone": "mars-z1"}, "mars/found mars/gone mars/vm-000 mars/vm-001"),
        ({"zone": "mars-z3"}, "mars/vm-002"),
        ({"status": "suspended"}, "venus/vm-000"),
        ({"status": "SUSPENDED,notexist"}, "mars/gone venus/vm-000"),
        ({"tag": "env"}, "mars/vm-000 venus/vm-001"),
        ({"tag": "env=prod"}, "mars/vm-000"),
        ({"tag": ["env=prod", "team"]}, ""),
        ({"tag": ["env", "team=a,b"]}, "venus/vm-001"),
        ({"managed": "false"}, "mars/found"),
        ({"managed": "true", "connection": "mars"}, "mars/gone mars/vm-000 mars/vm-001 mars/vm-002"),
        ({"missing": "true"}, "mars/gone"),
        ({"missing": "false", "connection": "mars"}, "mars/found mars/vm-000 mars/vm-001 mars/vm-002"),
        ({"search": "VM-00"}, "mars/vm-000 mars/vm-001 mars/vm-002 venus/vm-000 venus/vm-001"),
    ],
)
def test_filters_of_a_list(api, two_clouds, params, expected) -> None:  # type: ignore[no-untyped-def]
    mars, venus = two_clouds
    Resource.objects.filter(connection=mars, name="vm-000").update(tags={"env": "prod"})
    Resource.objects.filter(connection=venus, name="vm-001").update(tags={"env": "dev", "team": "a,b"})
    Resource.objects.filter(connection=venus, name="vm-000").update(status="Suspended")
    record(mars, Kind.VM, "vm-002", zone="mars-z3")
    record(mars, Kind.VM, "found", managed=False)
    record(mars, Kind.VM, "gone", status="NotExist", missing_since=timezone.now())

    body = api.get(inventory("vms"), params).json()

    assert [f"{item['connection']}/{item['name']}" for item in body["results"]] == expected.split()
    assert body["count"] == len(expected.split())


def test_a_record_without_a_zone_is_in_its_connections_zone(api) -> None:  # type: ignore[no-untyped-def]
    record(make_connection(name="z1", zone="mars-z1"), Kind.VPC, "found", zone="", managed=False)
    record(make_connection(name="z2", zone="mars-z2"), Kind.VPC, "found", zone="", managed=False)

    results = api.get(inventory("vpcs"), {"zone": "mars-z2"}).json()["results"]

    assert [(item["connection"], item["zone"]) for item in results] == [("z2", "")]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("", ["a/b", "a/c", "b/a", "b/d"]),
        ("name", ["b/a", "a/b", "a/c", "b/d"]),
        ("-name", ["b/d", "a/c", "a/b", "b/a"]),
        ("-connection", ["b/a", "b/d", "a/b", "a/c"]),
        ("status,name", ["a/c", "a/b", "b/d", "b/a"]),
        ("-status", ["b/a", "a/b", "b/d", "a/c"]),
        ("zone,-name", ["b/d", "b/a", "a/c", "a/b"]),
        ("region", ["b/a", "b/d", "a/b", "a/c"]),
        ("created_at", ["a/c", "b/d", "a/b", "b/a"]),
        ("-created_at", ["b/a", "a/b", "b/d", "a/c"]),
        ("last_seen_at", ["a/b", "b/a", "b/d", "a/c"]),  # never seen: last
        ("-last_seen_at", ["b/d", "b/a", "a/b", "a/c"]),  # never seen: last either way
    ],
)
def test_ordering_of_a_list(api, db, ordering, expected) -> None:  # type: ignore[no-untyped-def]
    a = make_connection(name="a", region="mars", zone="mars-z2")
    b = make_connection(name="b", region="jupiter", zone="jupiter-z1")
    now = timezone.now()
    rows = {
        ("a", "b"): ("Running", "zz", 3, 1),
        ("a", "c"): ("Failed", "mars-z2", 0, None),
        ("b", "a"): ("Suspended", "jupiter-z1", 4, 2),
        ("b", "d"): ("Running", "jupiter-z1", 1, 3),
    }
    for (conn, name), (status, zone, created, seen) in rows.items():
        made = record(a if conn == "a" else b, Kind.VM, name, status=status, zone=zone)
        Resource.objects.filter(pk=made.pk).update(
            created_at=now + timedelta(minutes=created),
            last_seen_at=now + timedelta(minutes=seen) if seen is not None else None,
        )
    params = {"ordering": ordering} if ordering else {}

    results = api.get(inventory("vms"), params).json()["results"]

    assert [f"{item['connection']}/{item['name']}" for item in results] == expected


def test_lists_are_paginated(api) -> None:  # type: ignore[no-untyped-def]
    first, second = make_connection(name="first"), make_connection(name="second")
    for i in range(3):
        record(first, Kind.KEY_PAIR, f"key-{i}")
        record(second, Kind.KEY_PAIR, f"key-{i}")

    page_one = api.get(inventory("key-pairs"), {"page_size": 4}).json()
    page_two = api.get(page_one["next"]).json()

    assert page_one["count"] == 6 and page_one["previous"] is None
    assert [(i["connection"], i["name"]) for i in page_one["results"]] == [
        ("first", "key-0"),
        ("first", "key-1"),
        ("first", "key-2"),
        ("second", "key-0"),
    ]
    assert [(i["connection"], i["name"]) for i in page_two["results"]] == [("second", "key-1"), ("second", "key-2")]
    assert page_two["next"] is None and page_two["previous"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (SUMMARY, {"provider": "nocloud"}, "provider"),
        (SUMMARY, {"connection": "no-such-connection"}, "connection"),
        (SUMMARY, {"hide_empty": "maybe"}, "hide_empty"),
        (inventory("vms"), {"managed": "maybe"}, "managed"),
        (inventory("vms"), {"missing": "2"}, "missing"),
        (inventory("vms"), {"ordering": "size"}, "ordering"),
        (inventory("vms"), {"ordering": "name,-cost"}, "ordering"),
        (inventory("vms"), {"tag": "=prod"}, "tag"),
        (inventory("vms"), {"provider": "nocloud"}, "provider"),
        (inventory("vms"), {"connection": "no-such-connection"}, "connection"),
    ],
)
def test_bad_filter_values_are_400(api, path, params, field) -> None:  # type: ignore[no-untyped-def]
    make_connection()

    response = api.get(path, params)

    assert response.status_code == 400
    assert (error_of(response)["code"], error_of(response)["field"]) == ("invalid", field)


@pytest.mark.parametrize("segment", ["teapots", "vm", "routers"])
def test_an_unknown_kind_is_404(api, segment) -> None:  # type: ignore[no-untyped-def]
    response = api.get(inventory(segment))

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert segment in error_of(response)["message"]


@pytest.mark.parametrize("path", [SUMMARY, inventory("vms"), inventory("subnets"), inventory("nope")])
def test_anonymous_callers_are_refused(anon, path) -> None:  # type: ignore[no-untyped-def]
    response = anon.get(path)

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


@pytest.mark.parametrize("segment", SEGMENTS)
def test_list_queries_do_not_grow_with_the_page_or_its_connections(api, segment) -> None:  # type: ignore[no-untyped-def]
    connections = [make_connection(name=f"conn-{i:02d}") for i in range(10)]
    for conn in connections:
        for n in range(10):
            network(conn, vms=1, prefix=f"n{n}-", storage=True)

    def page(size: int, **params: str) -> int:
        def call() -> Any:
            response = api.get(inventory(segment), {"page_size": size, **params})
            assert len(response.json()["results"]) == size, response.json()
            return response

        return queries(call)

    # By name, a page takes the same name from each connection in turn: it spans two, then ten.
    two = page(5, connection="conn-00,conn-01", ordering="name")
    ten = page(10, connection=",".join(conn.name for conn in connections), ordering="name")
    assert two == ten <= 5
    assert page(5) == page(50) <= 4


# --- through the API --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_items_are_the_per_connection_answers_with_the_provider(api) -> None:  # type: ignore[no-untyped-def]
    # The network's subnets are in mars zones, so the second connection differs by zone only.
    first, second = make_connection(name="inv-first"), make_connection(name="inv-second", zone="mars-z2")
    build_network(api, first.name, with_vm=True)
    build_network(api, second.name, with_vm=True)

    for segment in ("vpcs", "security-groups", "key-pairs", "vms"):
        everywhere = api.get(inventory(segment)).json()["results"]
        for conn in (first, second):
            own = api.get(url(conn.name, f"{segment}/")).json()["results"]
            mine = [item for item in everywhere if item["connection"] == conn.name]
            assert [item.pop("provider") for item in mine] == ["mock"] * len(own)
            assert mine == own, segment

    subnets = api.get(inventory("subnets"), {"connection": "inv-second"}).json()["results"]
    vpc = api.get(url("inv-second", "vpcs/vpc-01/")).json()
    assert [(s["name"], s["system_id"], s["ipv4_cidr"], s["vpc"]) for s in subnets] == [
        (s["name"], s["system_id"], s["ipv4_cidr"], "vpc-01") for s in vpc["subnets"]
    ]
    summary = connections_of(api.get(SUMMARY).json())
    assert summary["inv-first"]["counts"] == {
        "vpc": 1,
        "subnet": 2,
        "security_group": 1,
        "key_pair": 1,
        "vm": 1,
        **NO_STORAGE,
    }
