"""Reads: single resources read from the cloud, lists from the records, and the operations API."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from connections.models import Connection
from connections.services import connection_info
from drivers.registry import get_driver
from drivers.types import IID, SecurityRule
from resources.models import Resource
from tests.factories import make_connection
from tests.resources.helpers import SG_BODY, VM_BODY, VPC_BODY, build_network, error_of, post, settle, url

pytestmark = pytest.mark.django_db(transaction=True)

KEY_BODY = {"name": "keypair-01"}
# What each kind needs created first, and the object under test (the last one).
SETUP: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "vpcs": [("vpcs/", VPC_BODY)],
    "security-groups": [("vpcs/", VPC_BODY), ("security-groups/", SG_BODY)],
    "key-pairs": [("key-pairs/", KEY_BODY)],
    "vms": [("vpcs/", VPC_BODY), ("security-groups/", SG_BODY), ("key-pairs/", KEY_BODY), ("vms/", VM_BODY)],
}
ICMP = SecurityRule(direction="inbound", protocol="ICMP", cidr="10.0.0.0/8")


def cloud_of(conn: str) -> Any:
    """The mock cloud of `conn`, opened directly: changes made here bypass Spiderweb."""
    return get_driver("mock").connect(connection_info(connection=Connection.objects.get(name=conn)))


def by_id(system_id: str) -> IID:
    return IID(name_id="", system_id=system_id)


def delete_at_cloud(cloud: Any, kind: str, system_id: str) -> None:
    iid = by_id(system_id)
    if kind == "vpcs":
        cloud.vpc().delete_vpc(iid=iid)
    elif kind == "security-groups":
        cloud.security_group().delete_security_group(iid=iid)
    elif kind == "key-pairs":
        cloud.key_pair().delete_key_pair(iid=iid)
    else:
        cloud.vm().terminate_vm(iid=iid)


def created(api: Any, conn: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = post(api, conn, path, body)
    assert response.status_code == 201, response.json()
    return dict(response.json())


def names(response: Any) -> list[str]:
    return [item["name"] for item in response.json()["results"]]


@pytest.fixture
def conn(mock_tenant: str) -> str:
    return make_connection(tenant=mock_tenant).name


# --- one resource, read from the cloud ---------------------------------------------------------------


def test_get_shows_a_rule_added_at_the_cloud(api, conn) -> None:  # type: ignore[no-untyped-def]
    created(api, conn, "vpcs/", VPC_BODY)
    sg = created(api, conn, "security-groups/", SG_BODY)
    cloud_of(conn).security_group().add_rules(sg_iid=by_id(sg["system_id"]), rules=[ICMP])

    answer = api.get(url(conn, "security-groups/sg-01/")).json()

    assert [(rule["protocol"], rule["cidr"]) for rule in answer["rules"]] == [
        ("TCP", "0.0.0.0/0"),
        ("ICMP", "10.0.0.0/8"),
    ]
    assert answer["missing_since"] is None


def test_vm_status_changed_at_the_cloud_shows_in_status_and_get(api, conn) -> None:  # type: ignore[no-untyped-def]
    build_network(api, conn, with_vm=True)
    vm = api.get(url(conn, "vms/vm-01/")).json()
    settle()
    cloud_of(conn).vm().suspend_vm(iid=by_id(vm["system_id"]))

    assert api.get(url(conn, "vms/vm-01/")).json()["status"] == "Suspending"
    assert api.get(url(conn, "vms/vm-01/status/")).json() == {
        "name": "vm-01",
        "system_id": vm["system_id"],
        "status": "Suspending",
    }


@pytest.mark.parametrize("kind", SETUP)
def test_a_resource_deleted_at_the_cloud_reads_as_not_exist(api, conn, kind) -> None:  # type: ignore[no-untyped-def]
    *needs, (path, body) = SETUP[kind]
    for need_path, need_body in needs:
        created(api, conn, need_path, need_body)
    target = created(api, conn, path, body)
    delete_at_cloud(cloud_of(conn), kind, target["system_id"])

    first = api.get(url(conn, f"{kind}/{body['name']}/"))

    assert first.status_code == 200, first.json()
    assert (first.json()["status"], first.json()["system_id"]) == ("NotExist", target["system_id"])
    assert first.json()["missing_since"]
    again = api.get(url(conn, f"{kind}/{body['name']}/")).json()
    assert again["missing_since"] == first.json()["missing_since"]  # missing since the first sighting
    if kind == "vms":
        assert api.get(url(conn, "vms/vm-01/status/")).json()["status"] == "NotExist"


@pytest.mark.parametrize("name", ["reconcile", "register"])
def test_a_name_that_looks_like_an_action_is_refused_or_readable(api, conn, name) -> None:  # type: ignore[no-untyped-def]
    # `key-pairs/reconcile/` and `key-pairs/register/` are action routes: a key pair with that name must
    # either be refused up front or still be readable by its name.
    response = post(api, conn, "key-pairs/", {"name": name})

    if response.status_code == 400:
        assert error_of(response)["field"] == "name"
    else:
        assert response.status_code == 201, response.json()
        read = api.get(url(conn, f"key-pairs/{name}/"))
        assert read.status_code == 200, read.json()
        answer = read.json()
        assert (answer.get("name"), answer.get("system_id")) == (name, response.json()["system_id"]), answer


@pytest.mark.parametrize(
    "path", ["vpcs/nope/", "security-groups/nope/", "key-pairs/nope/", "vms/nope/", "vms/nope/status/"]
)
def test_an_unknown_name_is_404(api, conn, path) -> None:  # type: ignore[no-untyped-def]
    response = api.get(url(conn, path))

    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "not_found"
    assert "nope" in error["message"]


@pytest.mark.parametrize(
    "path", ["vpcs/", "vpcs/vpc-01/", "security-groups/", "key-pairs/", "vms/", "vms/vm-01/status/", "vpcs/reconcile/"]
)
def test_an_unknown_connection_is_404(api, path) -> None:  # type: ignore[no-untyped-def]
    response = api.get(url("no-such-connection", path))

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


# --- lists -----------------------------------------------------------------------------------------


def test_lists_are_paginated_and_ordered_by_name(api, conn) -> None:  # type: ignore[no-untyped-def]
    for name in ("kp-c", "kp-a", "kp-b"):
        created(api, conn, "key-pairs/", {"name": name})

    assert names(api.get(url(conn, "key-pairs/"))) == ["kp-a", "kp-b", "kp-c"]
    first = api.get(url(conn, "key-pairs/?page_size=2")).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert (first["count"], first["previous"]) == (3, None)
    assert [item["name"] for item in first["results"]] == ["kp-a", "kp-b"]
    second = api.get(first["next"]).json()
    assert [item["name"] for item in second["results"]] == ["kp-c"]
    assert second["next"] is None and second["previous"]


def test_refresh_marks_records_whose_objects_vanished_and_updates_the_rest(api, conn) -> None:  # type: ignore[no-untyped-def]
    created(api, conn, "vpcs/", VPC_BODY)
    kept = created(api, conn, "security-groups/", SG_BODY)
    gone = created(api, conn, "security-groups/", {**SG_BODY, "name": "sg-02"})
    cloud = cloud_of(conn)
    cloud.security_group().delete_security_group(iid=by_id(gone["system_id"]))
    cloud.security_group().add_rules(sg_iid=by_id(kept["system_id"]), rules=[ICMP])

    listed = {item["name"]: item for item in api.get(url(conn, "security-groups/?refresh=true")).json()["results"]}

    assert (listed["sg-02"]["status"], bool(listed["sg-02"]["missing_since"])) == ("NotExist", True)
    assert (listed["sg-01"]["status"], listed["sg-01"]["missing_since"]) == ("Available", None)
    assert len(listed["sg-01"]["rules"]) == 2
    # Remembered on the records: a plain list (no cloud call) says the same.
    plain = {item["name"]: item for item in api.get(url(conn, "security-groups/")).json()["results"]}
    assert plain["sg-02"]["missing_since"] == listed["sg-02"]["missing_since"]


def _bodies(kind: str, numbers: range) -> list[dict[str, Any]]:
    if kind == "vms":
        return [{**VM_BODY, "name": f"node-{n:02}"} for n in numbers]
    if kind == "security-groups":
        return [{**SG_BODY, "name": f"group-{n:02}"} for n in numbers]
    return [
        {
            "name": f"net-{n:02}",
            "ipv4_cidr": "10.0.0.0/16",
            "subnets": [
                {"name": f"net-{n:02}-a", "ipv4_cidr": "10.0.1.0/24"},
                {"name": f"net-{n:02}-b", "ipv4_cidr": "10.0.2.0/24"},
            ],
        }
        for n in numbers
    ]


@pytest.mark.parametrize("kind", ["vms", "vpcs", "security-groups"])
def test_a_list_costs_the_same_queries_for_2_and_8_records(api, conn, kind) -> None:  # type: ignore[no-untyped-def]
    build_network(api, conn)

    def queries_for_list(expected: int) -> int:
        with CaptureQueriesContext(db) as queries:
            response = api.get(url(conn, f"{kind}/"))
        assert response.status_code == 200
        made = [item for item in response.json()["results"] if item["name"].startswith(("node-", "group-", "net-"))]
        assert len(made) == expected
        return len(queries)

    for body in _bodies(kind, range(1, 3)):
        created(api, conn, f"{kind}/", body)
    with_two = queries_for_list(2)
    for body in _bodies(kind, range(3, 9)):
        created(api, conn, f"{kind}/", body)

    assert queries_for_list(8) == with_two


# --- operations ------------------------------------------------------------------------------------


def test_operations_list_newest_first_with_filters(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    first, other = make_connection(tenant=mock_tenant).name, make_connection(tenant=mock_tenant).name
    created(api, first, "key-pairs/", {"name": "kp"})
    assert post(api, first, "key-pairs/register/", {"name": "ghost", "system_id": "key-nope"}).status_code == 404
    created(api, other, "key-pairs/", {"name": "kp"})

    def listed(query: str) -> list[tuple[str, str, str]]:
        response = api.get(f"/api/v1/operations/?{query}")
        assert response.status_code == 200, response.json()
        return [(op["connection"], op["action"], op["state"]) for op in response.json()["results"]]

    assert listed(f"connection={first}") == [
        (first, "resource.register", "failed"),
        (first, "key_pair.create", "succeeded"),
    ]
    assert listed("")[:3] == [
        (other, "key_pair.create", "succeeded"),
        (first, "resource.register", "failed"),
        (first, "key_pair.create", "succeeded"),
    ]
    assert listed(f"state=failed&connection={first}") == [(first, "resource.register", "failed")]
    assert listed(f"state=succeeded&connection={first}") == [(first, "key_pair.create", "succeeded")]
    assert set(listed("action=key_pair.create")) == {
        (first, "key_pair.create", "succeeded"),
        (other, "key_pair.create", "succeeded"),
    }
    page = api.get("/api/v1/operations/?page_size=1").json()
    assert page["count"] >= 3 and len(page["results"]) == 1 and page["next"]


def test_a_failed_operation_shows_its_error(api, conn, user) -> None:  # type: ignore[no-untyped-def]
    build_network(api, conn)
    refused = post(api, conn, "vms/", {**VM_BODY, "image": "no-such-image"})
    assert refused.status_code == 404, refused.json()
    assert error_of(refused)["field"] == "image"

    response = api.get(f"/api/v1/operations/{refused['X-Spiderweb-Operation']}/")

    assert response.status_code == 200
    operation = response.json()
    assert (operation["action"], operation["state"], operation["connection"]) == ("vm.create", "failed", conn)
    assert (operation["target_kind"], operation["target_name"], operation["user"]) == ("vm", "vm-01", user.username)
    assert (operation["error"]["code"], operation["error"]["field"]) == ("not_found", "image")
    assert "no-such-image" in operation["error"]["message"]
    assert operation["created_at"] and operation["started_at"] and operation["finished_at"]
    assert operation["started_at"] <= operation["finished_at"]
    assert isinstance(operation["duration_ms"], int) and operation["duration_ms"] >= 0
    assert api.get(url(conn, "vms/vm-01/")).status_code == 404  # the failed create left no record


def test_a_succeeded_operation_shows_its_result(api, conn) -> None:  # type: ignore[no-untyped-def]
    answer = post(api, conn, "vpcs/", VPC_BODY)

    operation = api.get(f"/api/v1/operations/{answer['X-Spiderweb-Operation']}/").json()

    assert (operation["action"], operation["state"], operation["error"]) == ("vpc.create", "succeeded", None)
    assert operation["result"]["system_id"] == answer.json()["system_id"]
    assert operation["finished_at"] and operation["duration_ms"] is not None


def test_an_unknown_operation_is_404(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/operations/{uuid.uuid4()}/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_operations_need_a_login(api, anon, conn) -> None:  # type: ignore[no-untyped-def]
    operation_id = post(api, conn, "key-pairs/", KEY_BODY)["X-Spiderweb-Operation"]

    for path in ("/api/v1/operations/", f"/api/v1/operations/{operation_id}/", url(conn, "key-pairs/")):
        response = anon.get(path)
        assert response.status_code == 401, path
        assert "error" in response.json()


def test_a_subnet_removed_at_the_cloud_reads_as_missing(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    post(api, connection.name, "vpcs/", VPC_BODY)
    vpc = Resource.objects.get(connection=connection, name="vpc-01")
    subnet = Resource.objects.get(connection=connection, name="subnet-02")
    cloud = get_driver("mock").connect(connection_info(connection=Connection.objects.get(pk=connection.pk)))
    cloud.vpc().remove_subnet(
        vpc_iid=IID(name_id="", system_id=vpc.system_id), subnet_iid=IID(name_id="", system_id=subnet.system_id)
    )
    answer = api.get(url(connection.name, "vpcs/vpc-01/")).json()
    by_name = {item["name"]: item for item in answer["subnets"]}
    assert by_name["subnet-02"]["status"] == "NotExist"
    assert by_name["subnet-02"]["missing_since"]
    assert by_name["subnet-01"]["status"] == "Available"
    assert by_name["subnet-01"]["missing_since"] is None
