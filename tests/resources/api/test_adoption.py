"""Adopting what exists: register cloud objects under a name, unregister records, reconcile with the cloud.

Objects "made at the cloud" are created through the mock driver directly, as another tool or a person
at the console would, so Spiderweb has no record of them until it registers them.
"""

from __future__ import annotations

from typing import Any

import pytest

from connections.models import Connection
from connections.services import connection_info
from drivers.errors import NotFoundError
from drivers.registry import get_driver
from drivers.types import IID, KeyPairReqInfo, SecurityReqInfo, SecurityRule, SubnetReqInfo, VMReqInfo, VPCReqInfo
from resources.models import Resource
from tests.factories import make_connection
from tests.resources.helpers import SG_BODY, VPC_BODY, delete, error_of, post, url

pytestmark = pytest.mark.django_db(transaction=True)

KINDS = ["vpcs", "security-groups", "key-pairs", "vms"]
SSH = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22, cidr="0.0.0.0/0")


# --- the cloud, behind Spiderweb's back ------------------------------------------------------------


def cloud_of(conn: str) -> Any:
    """The mock cloud of `conn`, opened directly through its driver."""
    return get_driver("mock").connect(connection_info(connection=Connection.objects.get(name=conn)))


def by_id(system_id: str) -> IID:
    return IID(name_id="", system_id=system_id)


def make_at_cloud(cloud: Any, kind: str, name: str) -> str:
    """Create an object of `kind` named `name` at the cloud (with whatever it needs); return its system id."""
    if kind == "key-pairs":
        return str(cloud.key_pair().create_key_pair(req=KeyPairReqInfo(name=name)).iid.system_id)
    vpc = cloud.vpc().create_vpc(
        req=VPCReqInfo(
            name=name if kind == "vpcs" else f"{name}-net",
            ipv4_cidr="10.0.0.0/16",
            subnets=(SubnetReqInfo(name=f"{name}-subnet", ipv4_cidr="10.0.1.0/24"),),
        )
    )
    if kind == "vpcs":
        return str(vpc.iid.system_id)
    sg = cloud.security_group().create_security_group(
        req=SecurityReqInfo(name=name if kind == "security-groups" else f"{name}-sg", vpc_iid=vpc.iid, rules=(SSH,))
    )
    if kind == "security-groups":
        return str(sg.iid.system_id)
    key = cloud.key_pair().create_key_pair(req=KeyPairReqInfo(name=f"{name}-key"))
    vm = cloud.vm().start_vm(
        req=VMReqInfo(
            name=name,
            image_iid=IID(name_id="mock-vmimage-01"),
            spec_name="mock-vmspec-01",
            vpc_iid=vpc.iid,
            subnet_iid=vpc.subnets[0].iid,
            security_group_iids=(sg.iid,),
            key_pair_iid=key.iid,
        )
    )
    return str(vm.iid.system_id)


def exists_at_cloud(cloud: Any, kind: str, system_id: str) -> bool:
    get = {
        "vpcs": lambda iid: cloud.vpc().get_vpc(iid=iid),
        "security-groups": lambda iid: cloud.security_group().get_security_group(iid=iid),
        "key-pairs": lambda iid: cloud.key_pair().get_key_pair(iid=iid),
        "vms": lambda iid: cloud.vm().get_vm(iid=iid),
    }[kind]
    try:
        get(by_id(system_id))
    except NotFoundError:
        return False
    return True


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


# --- the same through Spiderweb --------------------------------------------------------------------


def create(api: Any, conn: str, kind: str, name: str) -> dict[str, Any]:
    """Create an object of `kind` named `name` through the API (with whatever it needs); return the answer."""

    def made(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = post(api, conn, path, body)
        assert response.status_code == 201, response.json()
        return dict(response.json())

    if kind == "key-pairs":
        return made("key-pairs/", {"name": name})
    vpc = name if kind == "vpcs" else f"{name}-net"
    answer = made(
        "vpcs/",
        {"name": vpc, "ipv4_cidr": "10.0.0.0/16", "subnets": [{"name": f"{name}-subnet", "ipv4_cidr": "10.0.1.0/24"}]},
    )
    if kind == "vpcs":
        return answer
    answer = made("security-groups/", {"name": name if kind == "security-groups" else f"{name}-sg", "vpc": vpc})
    if kind == "security-groups":
        return answer
    made("key-pairs/", {"name": f"{name}-key"})
    return made(
        "vms/",
        {
            "name": name,
            "image": "mock-vmimage-01",
            "spec": "mock-vmspec-01",
            "vpc": vpc,
            "subnet": f"{name}-subnet",
            "security_groups": [f"{name}-sg"],
            "key_pair": f"{name}-key",
        },
    )


def register(api: Any, conn: str, kind: str, name: str, system_id: str) -> Any:
    return post(api, conn, f"{kind}/register/", {"name": name, "system_id": system_id})


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]


@pytest.fixture
def conn(mock_tenant: str) -> str:
    return make_connection(tenant=mock_tenant).name


# --- register --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_register_makes_a_cloud_object_a_managed_record(api, conn, kind) -> None:  # type: ignore[no-untyped-def]
    system_id = make_at_cloud(cloud_of(conn), kind, "legacy")

    response = register(api, conn, kind, "adopted", system_id)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["system_id"], body["cloud_name"]) == ("adopted", system_id, "legacy")
    assert (body["managed"], body["lifecycle"], body["connection"]) == (True, "ready", conn)
    assert api.get(url(conn, f"{kind}/adopted/")).json()["system_id"] == system_id
    listed = api.get(url(conn, f"{kind}/")).json()["results"]
    assert [(item["name"], item["system_id"]) for item in listed] == [("adopted", system_id)]


def test_registered_vpc_brings_its_subnets_and_takes_new_security_groups_and_subnets(api, conn) -> None:  # type: ignore[no-untyped-def]
    cloud = cloud_of(conn)
    legacy = cloud.vpc().create_vpc(
        req=VPCReqInfo(
            name="legacy-net",
            ipv4_cidr="10.0.0.0/16",
            subnets=(
                SubnetReqInfo(name="app", ipv4_cidr="10.0.1.0/24"),
                SubnetReqInfo(name="db", ipv4_cidr="10.0.2.0/24"),
            ),
        )
    )
    subnet_ids = {subnet.iid.name_id: subnet.iid.system_id for subnet in legacy.subnets}

    vpc = register(api, conn, "vpcs", "prod", legacy.iid.system_id).json()

    assert [(s["name"], s["system_id"], s["ipv4_cidr"]) for s in vpc["subnets"]] == [
        ("app", subnet_ids["app"], "10.0.1.0/24"),
        ("db", subnet_ids["db"], "10.0.2.0/24"),
    ]
    assert sorted(
        Resource.objects.filter(connection__name=conn, kind="subnet", parent__name="prod").values_list(
            "name", "system_id"
        )
    ) == sorted(subnet_ids.items())

    sg = post(api, conn, "security-groups/", {**SG_BODY, "name": "web", "vpc": "prod"})
    assert sg.status_code == 201, sg.json()
    assert sg.json()["vpc"] == "prod"
    at_cloud = cloud.security_group().get_security_group(iid=by_id(sg.json()["system_id"]))
    assert at_cloud.vpc_iid.system_id == legacy.iid.system_id

    added = post(api, conn, "vpcs/prod/subnets/", {"name": "cache", "ipv4_cidr": "10.0.3.0/24"})
    assert added.status_code == 201, added.json()
    assert names(added.json()["subnets"]) == ["app", "cache", "db"]
    assert len(cloud.vpc().get_vpc(iid=by_id(legacy.iid.system_id)).subnets) == 3


def test_vm_starts_in_registered_network_and_a_registered_vm_answers_with_our_names(api, conn) -> None:  # type: ignore[no-untyped-def]
    cloud = cloud_of(conn)
    legacy_vm_id = make_at_cloud(cloud, "vms", "legacy")  # also makes legacy-net, legacy-subnet, -sg and -key
    vpc = cloud.vpc().get_vpc(iid=IID(name_id="legacy-net"))
    sg = cloud.security_group().get_security_group(iid=IID(name_id="legacy-sg"))
    key = cloud.key_pair().get_key_pair(iid=IID(name_id="legacy-key"))
    assert register(api, conn, "vpcs", "net", vpc.iid.system_id).status_code == 201
    assert register(api, conn, "security-groups", "fw", sg.iid.system_id).status_code == 201
    assert register(api, conn, "key-pairs", "kp", key.iid.system_id).status_code == 201

    started = post(
        api,
        conn,
        "vms/",
        {
            "name": "new-vm",
            "image": "mock-vmimage-01",
            "spec": "mock-vmspec-01",
            "vpc": "net",
            "subnet": "legacy-subnet",
            "security_groups": ["fw"],
            "key_pair": "kp",
        },
    )

    assert started.status_code == 201, started.json()
    vm = started.json()
    assert (vm["vpc"], vm["subnet"], vm["security_groups"], vm["key_pair"]) == ("net", "legacy-subnet", ["fw"], "kp")
    at_cloud = cloud.vm().get_vm(iid=by_id(vm["system_id"]))
    assert (at_cloud.vpc_iid.system_id, at_cloud.subnet_iid.system_id) == (
        vpc.iid.system_id,
        vpc.subnets[0].iid.system_id,
    )
    assert [group.system_id for group in at_cloud.security_group_iids] == [sg.iid.system_id]

    adopted = register(api, conn, "vms", "old-vm", legacy_vm_id)
    assert adopted.status_code == 201, adopted.json()
    old = adopted.json()
    assert (old["vpc"], old["subnet"], old["security_groups"], old["key_pair"]) == (
        "net",
        "legacy-subnet",
        ["fw"],
        "kp",
    )
    assert names(api.get(url(conn, "vms/")).json()["results"]) == ["new-vm", "old-vm"]


def test_registering_vpcs_never_takes_over_another_vpcs_subnet_record(api, conn) -> None:  # type: ignore[no-untyped-def]
    # Subnet names are only unique inside one VPC at the cloud: two legacy VPCs may both have an "app"
    # subnet, and Spiderweb's own VPC may have a subnet its user named "app" too.
    cloud = cloud_of(conn)
    ours = post(
        api,
        conn,
        "vpcs/",
        {"name": "ours", "ipv4_cidr": "10.0.0.0/16", "subnets": [{"name": "app", "ipv4_cidr": "10.0.1.0/24"}]},
    ).json()
    legacy = [
        cloud.vpc().create_vpc(
            req=VPCReqInfo(
                name=f"legacy-{n}",
                ipv4_cidr="10.0.0.0/16",
                subnets=(SubnetReqInfo(name="app", ipv4_cidr="10.0.1.0/24"),),
            )
        )
        for n in (1, 2)
    ]
    for n, vpc in enumerate(legacy, start=1):
        register(api, conn, "vpcs", f"legacy-{n}", vpc.iid.system_id)

    def subnet_ids(vpc: str) -> list[str]:
        return [subnet["system_id"] for subnet in api.get(url(conn, f"vpcs/{vpc}/")).json()["subnets"]]

    assert subnet_ids("ours") == [ours["subnets"][0]["system_id"]]
    for n, vpc in enumerate(legacy, start=1):
        if api.get(url(conn, f"vpcs/legacy-{n}/")).status_code == 200:  # refusing the register is fine too
            assert subnet_ids(f"legacy-{n}") == [vpc.subnets[0].iid.system_id]


@pytest.mark.parametrize("kind", KINDS)
def test_register_of_an_unknown_system_id_is_404_and_leaves_no_record(api, conn, kind) -> None:  # type: ignore[no-untyped-def]
    response = register(api, conn, kind, "ghost", "id-0000000000000000")

    assert response.status_code == 404, response.json()
    assert error_of(response)["code"] == "not_found"
    assert api.get(url(conn, f"{kind}/ghost/")).status_code == 404
    assert api.get(url(conn, f"{kind}/")).json()["count"] == 0
    assert not Resource.objects.filter(connection__name=conn).exists()
    # The name is free again.
    assert register(api, conn, kind, "ghost", make_at_cloud(cloud_of(conn), kind, "real")).status_code == 201


@pytest.mark.parametrize("kind", KINDS)
def test_registering_a_system_id_twice_is_409_on_system_id(api, conn, kind) -> None:  # type: ignore[no-untyped-def]
    system_id = make_at_cloud(cloud_of(conn), kind, "legacy")
    assert register(api, conn, kind, "first", system_id).status_code == 201

    again = register(api, conn, kind, "second", system_id)

    assert again.status_code == 409, again.json()
    assert (error_of(again)["code"], error_of(again)["field"]) == ("already_exists", "system_id")
    assert api.get(url(conn, f"{kind}/second/")).status_code == 404


def test_registering_what_spiderweb_created_is_409_on_system_id(api, conn) -> None:  # type: ignore[no-untyped-def]
    created = create(api, conn, "key-pairs", "kp")

    response = register(api, conn, "key-pairs", "again", created["system_id"])

    assert response.status_code == 409, response.json()
    assert error_of(response)["field"] == "system_id"


@pytest.mark.parametrize("kind", KINDS)
def test_registering_under_a_taken_name_is_409_on_name(api, conn, kind) -> None:  # type: ignore[no-untyped-def]
    existing = create(api, conn, kind, "taken")
    other = make_at_cloud(cloud_of(conn), kind, "legacy")

    response = register(api, conn, kind, "taken", other)

    assert response.status_code == 409, response.json()
    assert (error_of(response)["code"], error_of(response)["field"]) == ("already_exists", "name")
    assert api.get(url(conn, f"{kind}/taken/")).json()["system_id"] == existing["system_id"]


def test_register_checks_its_input(api, conn) -> None:  # type: ignore[no-untyped-def]
    response = post(api, conn, "vpcs/register/", {"name": "no-id"})
    assert response.status_code == 400
    assert error_of(response)["field"] == "system_id"
    assert post(api, "no-such-connection", "vpcs/register/", {"name": "x", "system_id": "y"}).status_code == 404


# --- unregister ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_unregister_forgets_the_record_and_keeps_the_cloud_object(api, conn, kind) -> None:  # type: ignore[no-untyped-def]
    system_id = create(api, conn, kind, "target")["system_id"]

    response = post(api, conn, f"{kind}/target/unregister/")

    assert response.status_code == 200, response.json()
    assert response.json() == {"name": "target", "system_id": system_id, "unregistered": True}
    assert error_of(api.get(url(conn, f"{kind}/target/")))["code"] == "not_found"
    assert "target" not in names(api.get(url(conn, f"{kind}/")).json()["results"])
    assert exists_at_cloud(cloud_of(conn), kind, system_id)
    only_at_cloud = api.get(url(conn, f"{kind}/reconcile/")).json()["only_at_cloud"]
    assert system_id in [item["system_id"] for item in only_at_cloud]


def test_unregistering_a_vpc_forgets_its_subnets_and_it_can_be_registered_again(api, conn) -> None:  # type: ignore[no-untyped-def]
    vpc = post(api, conn, "vpcs/", VPC_BODY).json()
    assert post(api, conn, "vpcs/vpc-01/unregister/").status_code == 200
    assert not Resource.objects.filter(connection__name=conn, kind="subnet").exists()

    again = register(api, conn, "vpcs", "vpc-01", vpc["system_id"])

    assert again.status_code == 201, again.json()
    assert sorted(s["system_id"] for s in again.json()["subnets"]) == sorted(s["system_id"] for s in vpc["subnets"])


@pytest.mark.parametrize("how", ["created", "registered", "sg-registered-before-its-vpc"])
def test_unregistering_a_vpc_that_still_has_a_security_group_is_409(api, conn, how) -> None:  # type: ignore[no-untyped-def]
    if how == "created":
        create(api, conn, "security-groups", "fw")  # in VPC fw-net
    else:
        cloud = cloud_of(conn)
        sg_id = make_at_cloud(cloud, "security-groups", "fw")  # in VPC fw-net at the cloud
        vpc_id = cloud.vpc().get_vpc(iid=IID(name_id="fw-net")).iid.system_id
        steps = [("vpcs", "fw-net", vpc_id), ("security-groups", "fw", sg_id)]
        if how == "sg-registered-before-its-vpc":
            steps.reverse()
        for kind, name, system_id in steps:
            assert register(api, conn, kind, name, system_id).status_code == 201

    response = post(api, conn, "vpcs/fw-net/unregister/")

    assert response.status_code == 409, response.json()
    assert error_of(response)["code"] == "in_use"
    assert "fw" in str(error_of(response))
    assert api.get(url(conn, "vpcs/fw-net/")).status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_unregister_of_an_unknown_name_is_404(api, conn, kind) -> None:  # type: ignore[no-untyped-def]
    response = post(api, conn, f"{kind}/nobody/unregister/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


# --- reconcile -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_reconcile_compares_records_with_the_cloud(api, conn, kind) -> None:  # type: ignore[no-untyped-def]
    cloud = cloud_of(conn)
    kept = create(api, conn, kind, "kept")
    gone = create(api, conn, kind, "gone")
    delete_at_cloud(cloud, kind, gone["system_id"])
    legacy_id = make_at_cloud(cloud, kind, "legacy")

    response = api.get(url(conn, f"{kind}/reconcile/"))

    assert response.status_code == 200, response.json()
    report = response.json()
    assert [(item["name"], item["system_id"]) for item in report["managed"]] == [("kept", kept["system_id"])]
    assert [(item["name"], item["status"]) for item in report["only_in_spiderweb"]] == [("gone", "NotExist")]
    assert report["only_in_spiderweb"][0]["missing_since"]
    assert [(item["system_id"], item["cloud_name"]) for item in report["only_at_cloud"]] == [(legacy_id, "legacy")]
    # Reconciling remembered the vanished object on its record.
    listed = {item["name"]: item for item in api.get(url(conn, f"{kind}/")).json()["results"]}
    assert (listed["gone"]["status"], bool(listed["gone"]["missing_since"])) == ("NotExist", True)
    assert listed["kept"]["missing_since"] is None

    assert register(api, conn, kind, "adopted", legacy_id).status_code == 201
    report = api.get(url(conn, f"{kind}/reconcile/")).json()
    assert names(report["managed"]) == ["adopted", "kept"]
    assert report["only_at_cloud"] == []


# --- connections with resources --------------------------------------------------------------------


def test_a_connection_with_managed_resources_cannot_be_deleted(api, conn) -> None:  # type: ignore[no-untyped-def]
    create(api, conn, "vms", "vm")  # with vm-net, vm-subnet, vm-sg and vm-key
    key_id = make_at_cloud(cloud_of(conn), "key-pairs", "legacy-key")
    assert register(api, conn, "key-pairs", "adopted-key", key_id).status_code == 201

    refused = api.delete(f"/api/v1/connections/{conn}/")

    assert refused.status_code == 409, refused.json()
    error = error_of(refused)
    assert error["code"] == "in_use"
    listed = {entry.split()[-1] for entry in error["details"]["resources"]}  # "<kind> <name>"
    assert listed >= {"vm", "vm-net", "vm-subnet", "vm-sg", "vm-key", "adopted-key"}, listed
    assert api.get(f"/api/v1/connections/{conn}/").status_code == 200

    for path in ("vms/vm/", "security-groups/vm-sg/", "key-pairs/vm-key/", "vpcs/vm-net/"):
        assert delete(api, conn, path).status_code == 200, path
    assert post(api, conn, "key-pairs/adopted-key/unregister/").status_code == 200

    assert api.delete(f"/api/v1/connections/{conn}/").status_code == 204
    assert api.get(f"/api/v1/connections/{conn}/").status_code == 404
