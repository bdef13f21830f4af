"""The inventory refresh: side by side, bounded, deadlines, retries, and nothing silently lost."""

from __future__ import annotations

import time

import pytest

from connections.models import Connection
from connections.services import connection_info
from drivers.registry import get_driver
from drivers.types import IID, KeyPairReqInfo, VPCReqInfo
from resources.inventory.refresh import apply_listing, inventory_kinds
from resources.models import Freshness, Kind, Operation, Resource
from tests.factories import make_connection
from tests.resources.flow import finish
from tests.resources.helpers import VPC_BODY, post

pytestmark = pytest.mark.django_db(transaction=True)

REFRESH = "/api/v1/inventory/refresh/"
# What one mock connection lists in a full refresh.
PER_CONNECTION = len([kind for kind in inventory_kinds() if get_driver("mock").capabilities.supports(kind)])


def cloud_of(connection: Connection):  # type: ignore[no-untyped-def]
    return get_driver("mock").connect(connection_info(connection=Connection.objects.get(pk=connection.pk)))


def refresh(api, body=None, *, wait: bool = True):  # type: ignore[no-untyped-def]
    headers = {} if wait else {"HTTP_PREFER": "respond-async"}
    return api.post(REFRESH, body or {}, format="json", **headers)


def fresh(connection: Connection, kind: str) -> Freshness:
    return Freshness.objects.get(connection=connection, kind=kind)


def test_refresh_records_discovered_and_seen_objects_with_progress(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    ours = make_connection(tenant=mock_tenant)
    other = make_connection(tenant=f"{mock_tenant}-b", region="venus", zone="venus-z1")
    post(api, ours.name, "vpcs/", VPC_BODY)
    cloud_of(other).key_pair().create_key_pair(req=KeyPairReqInfo(name="made-elsewhere"))
    cloud_of(other).vpc().create_vpc(req=VPCReqInfo(name="legacy", ipv4_cidr="10.0.0.0/16"))

    response = refresh(api)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["total"] == 2 * PER_CONNECTION and body["failed"] == 0 and body["failures"] == []
    operation = Operation.objects.get(action="inventory.refresh")
    total = 2 * PER_CONNECTION
    assert (operation.progress_total, operation.progress_done, operation.progress_failed) == (total, total, 0)

    managed = Resource.objects.get(connection=ours, name="vpc-01")
    assert managed.managed and managed.last_seen_at is not None
    discovered = Resource.objects.filter(connection=other, managed=False)
    assert sorted(discovered.values_list("kind", "name")) == [("key_pair", "made-elsewhere"), ("vpc", "legacy")]
    assert all(r.system_id and r.last_seen_at for r in discovered)
    assert fresh(other, Kind.VPC).outcome == "ok" and fresh(other, Kind.VPC).resource_count == 1
    # Discovered objects are not the user's: the per-connection lists keep showing managed ones only.
    assert api.get(f"/api/v1/connections/{other.name}/key-pairs/").json()["count"] == 0


def test_one_connection_down_leaves_the_others_fresh_and_says_why(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    healthy = [make_connection(tenant=mock_tenant, zone=f"mars-z{i}") for i in (1, 2)]
    down = make_connection(tenant=mock_tenant, zone="mars-z3")
    post(api, down.name, "vpcs/", VPC_BODY)
    refresh(api, {"connections": [down.name], "kinds": ["vpc"]})
    last_good = fresh(down, Kind.VPC).last_success_at
    region = down.region
    region.options = {"down": True}
    region.save()

    body = refresh(api, {"kinds": ["vpc", "vm"]}).json()
    assert body["failed"] == 2
    assert {(f["connection"], f["kind"], f["code"]) for f in body["failures"]} == {
        (down.name, "vpc", "unreachable"),
        (down.name, "vm", "unreachable"),
    }
    for connection in healthy:
        assert fresh(connection, Kind.VPC).outcome == "ok"
        assert fresh(connection, Kind.VM).outcome == "ok"
    broken = fresh(down, Kind.VPC)
    assert broken.outcome == "failed" and "cannot be reached" in broken.error_message
    assert broken.last_success_at == last_good  # the last good data keeps its date
    record = Resource.objects.get(connection=down, name="vpc-01")
    assert record.missing_since is None  # a failed listing is not a vanished object


def test_a_hanging_connection_is_cut_off_at_the_deadline(api, mock_tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SPIDERWEB_INVENTORY_DEADLINE_SECONDS = 1
    quick = make_connection(tenant=mock_tenant, options={"latency_ms": 100})
    hanging = make_connection(tenant=mock_tenant, zone="mars-z2", options={"latency_ms": 20_000})
    started = time.monotonic()
    body = refresh(api, {"kinds": ["key_pair"]}).json()
    elapsed = time.monotonic() - started
    assert elapsed < 2.5, f"the refresh waited {elapsed:.1f}s for a hanging call"
    assert body["failures"] == [
        {
            "connection": hanging.name,
            "kind": "key_pair",
            "code": "deadline_exceeded",
            "message": "the cloud did not answer within 1 s",
        }
    ]
    assert fresh(quick, Kind.KEY_PAIR).outcome == "ok"


def test_throttled_listings_are_retried_and_succeed(api, mock_tenant, test_drivers) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant, provider="throttledlist")
    body = refresh(api, {"connections": [connection.name], "kinds": ["vm"]}).json()
    assert body["failed"] == 0
    assert fresh(connection, Kind.VM).outcome == "ok"


def test_throttling_beyond_the_retries_is_recorded_with_the_provider_message(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant, options={"throttle_rate": 1})
    body = refresh(api, {"connections": [connection.name], "kinds": ["vm"]}).json()
    assert body["failures"][0]["code"] == "throttled"
    assert "RequestLimitExceeded" in fresh(connection, Kind.VM).error_message


def test_vanished_objects_are_marked_missing_and_reappearing_ones_unmarked(mock_tenant) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    cloud = cloud_of(connection)
    a = cloud.key_pair().create_key_pair(req=KeyPairReqInfo(name="a"))
    b = cloud.key_pair().create_key_pair(req=KeyPairReqInfo(name="b"))
    apply_listing(connection=connection, kind=Kind.KEY_PAIR, infos=[a, b])
    apply_listing(connection=connection, kind=Kind.KEY_PAIR, infos=[a])
    gone = Resource.objects.get(connection=connection, system_id=b.iid.system_id)
    assert gone.missing_since is not None and gone.status == "NotExist"  # kept, never silently deleted
    first_missing = gone.missing_since
    apply_listing(connection=connection, kind=Kind.KEY_PAIR, infos=[a])
    gone.refresh_from_db()
    assert gone.missing_since == first_missing  # missing since the first time it was not seen
    apply_listing(connection=connection, kind=Kind.KEY_PAIR, infos=[a, b])
    gone.refresh_from_db()
    assert gone.missing_since is None and gone.status == "Available"
    assert Resource.objects.filter(connection=connection, kind=Kind.KEY_PAIR).count() == 2


def test_a_deleted_object_is_missing_after_the_next_refresh(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    post(api, connection.name, "key-pairs/", {"name": "kp"})
    record = Resource.objects.get(connection=connection, name="kp")
    cloud_of(connection).key_pair().delete_key_pair(iid=IID(name_id="", system_id=record.system_id))
    refresh(api, {"connections": [connection.name]})
    record.refresh_from_db()
    assert record.missing_since is not None


def test_a_change_through_spiderweb_refreshes_its_listing(api, mock_tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SPIDERWEB_INVENTORY_REFRESH_AFTER_CHANGE = True
    connection = make_connection(tenant=mock_tenant)
    assert not Freshness.objects.filter(connection=connection).exists()
    post(api, connection.name, "vpcs/", VPC_BODY)
    vpcs = fresh(connection, Kind.VPC)
    assert vpcs.outcome == "ok" and vpcs.resource_count == 1
    assert not Freshness.objects.filter(connection=connection, kind=Kind.VM).exists()  # only what was touched


def test_async_refresh_answers_at_once_with_progress(api, mock_tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SPIDERWEB_BROKER_URL = ""  # the embedded mode: shards on threads of this process
    for zone in (1, 2, 3):
        make_connection(tenant=mock_tenant, zone=f"mars-z{zone}", options={"latency_ms": 300})
    started = time.monotonic()
    accepted = refresh(api, wait=False)
    assert accepted.status_code == 202 and time.monotonic() - started < 0.3
    operation = finish(api, accepted)
    total = 3 * PER_CONNECTION
    assert operation["progress"] == {"total": total, "done": total, "failed": 0}
    assert operation["result"]["succeeded"] == total


def test_embedded_mode_lists_side_by_side(api, mock_tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SPIDERWEB_BROKER_URL = ""
    for index in range(20):
        make_connection(tenant=f"{mock_tenant}-{index}", options={"latency_ms": 200})
    started = time.monotonic()
    body = refresh(api).json()
    elapsed = time.monotonic() - started
    total = 20 * PER_CONNECTION
    assert body["total"] == total and body["failed"] == 0
    # 64 at once: about ceil(total / 64) rounds of 200 ms; one after another would take total x 200 ms.
    assert elapsed < total * 0.2 / 8, f"{total} listings of 200 ms took {elapsed:.1f}s"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"connections": ["nope"]}, "connections"), ({"kinds": ["teapot"]}, "kinds"), ({"colour": 1}, "colour")],
)
def test_bad_scope_is_400_naming_the_field(api, body, field) -> None:  # type: ignore[no-untyped-def]
    response = refresh(api, body)
    assert response.status_code == 400
    assert response.json()["error"]["field"].startswith(field)
    assert not Operation.objects.exists()


def test_registering_a_discovered_object_keeps_one_record(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    made = cloud_of(connection).vpc().create_vpc(req=VPCReqInfo(name="legacy", ipv4_cidr="10.0.0.0/16"))
    refresh(api, {"connections": [connection.name], "kinds": ["vpc"]})
    assert Resource.objects.get(connection=connection, system_id=made.iid.system_id).managed is False
    response = post(api, connection.name, "vpcs/register/", {"name": "adopted", "system_id": made.iid.system_id})
    assert response.status_code == 201
    rows = Resource.objects.filter(connection=connection, kind=Kind.VPC, system_id=made.iid.system_id)
    assert [(r.name, r.managed) for r in rows] == [("adopted", True)]
    refresh(api, {"connections": [connection.name], "kinds": ["vpc"]})
    assert rows.count() == 1


def test_data_turns_stale_with_age_and_fresh_after_a_refresh(api, mock_tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SPIDERWEB_INVENTORY_STALE_SECONDS = 1
    connection = make_connection(tenant=mock_tenant)
    scope = {"connections": [connection.name], "kinds": ["vm"]}

    def vm_cell() -> dict:  # type: ignore[type-arg]
        summary = api.get("/api/v1/inventory/summary/", {"connection": connection.name}).json()
        zones = summary["providers"][0]["regions"][0]["zones"]
        return zones[0]["connections"][0]["freshness"]["vm"]

    assert vm_cell()["stale"] is True  # never listed
    refresh(api, scope)
    assert vm_cell()["stale"] is False
    time.sleep(1.2)
    assert vm_cell()["stale"] is True
    refresh(api, scope)
    assert vm_cell()["stale"] is False
