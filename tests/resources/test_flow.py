"""The whole flow on a mock connection through the API: VPC → SG → key pair → VM → control → delete."""

from __future__ import annotations

import time

import pytest

from connections.models import Connection
from connections.services import connection_info
from drivers.registry import get_driver
from drivers.types import IID
from resources.models import Operation, Resource
from tests.factories import make_connection
from tests.resources.helpers import SG_BODY, VM_BODY, VPC_BODY, delete, post, url

pytestmark = pytest.mark.django_db(transaction=True)


def settle() -> None:
    time.sleep(1.1)  # the mock's VMs leave transitional states after settle_seconds (1 s)


def finish(api, response):  # type: ignore[no-untyped-def]
    """Follow a 202 to the end through the operation URL; return (status, body) as a waiting call would."""
    assert response.status_code == 202, response.json()
    assert response["Location"].endswith(f"/api/v1/operations/{response.json()['id']}/")
    for _ in range(200):
        operation = api.get(response["Location"]).json()
        if operation["state"] in ("succeeded", "failed"):
            return operation
        time.sleep(0.02)
    raise AssertionError("operation did not finish")


@pytest.mark.parametrize("mode", ["wait", "async"])
def test_full_flow(api, mock_tenant, mode) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant).name
    wait = mode == "wait"

    def call(method, path, body=None):  # type: ignore[no-untyped-def]
        response = method(api, conn, path, body, wait=wait)
        if wait:
            assert response.status_code in (200, 201), response.json()
            return response.json()
        operation = finish(api, response)
        assert operation["state"] == "succeeded", operation
        return operation["result"]

    vpc = call(post, "vpcs/", VPC_BODY)
    assert vpc["name"] == "vpc-01" and vpc["system_id"]
    assert [(s["name"], s["ipv4_cidr"], s["zone"]) for s in vpc["subnets"]] == [
        ("subnet-01", "192.168.1.0/24", "mars-z1"), ("subnet-02", "192.168.2.0/24", "mars-z2")]
    assert all(s["system_id"] for s in vpc["subnets"])

    sg = call(post, "security-groups/", SG_BODY)
    assert sg["vpc"] == "vpc-01" and sg["system_id"]
    assert sg["rules"][0]["from_port"] == 22

    key = call(post, "key-pairs/", {"name": "keypair-01"})
    assert key["private_key"].startswith("-----BEGIN")
    assert key["system_id"] and key["fingerprint"]

    vm = call(post, "vms/", VM_BODY)
    assert vm["name"] == "vm-01" and vm["system_id"]
    assert vm["status"] == "Creating"
    assert (vm["vpc"], vm["subnet"], vm["security_groups"], vm["key_pair"]) == (
        "vpc-01", "subnet-01", ["sg-01"], "keypair-01")
    settle()
    assert api.get(url(conn, "vms/vm-01/status/")).json() == {"name": "vm-01", "system_id": vm["system_id"],
                                                               "status": "Running"}

    for action, transitional, settled in (("suspend", "Suspending", "Suspended"), ("resume", "Resuming", "Running"),
                                          ("reboot", "Rebooting", "Running")):
        answer = call(post, "vms/vm-01/actions/", {"action": action})
        assert answer["status"] == transitional
        settle()
        assert api.get(url(conn, "vms/vm-01/status/")).json()["status"] == settled

    assert call(delete, "vms/vm-01/")["status"] == "Terminated"
    assert call(delete, "key-pairs/keypair-01/")["deleted"] is True
    assert call(delete, "security-groups/sg-01/")["deleted"] is True
    assert call(delete, "vpcs/vpc-01/subnets/subnet-02/")["subnets"][0]["name"] == "subnet-01"
    assert call(delete, "vpcs/vpc-01/")["deleted"] is True

    assert not Resource.objects.filter(connection__name=conn).exists()
    cloud = get_driver("mock").connect(connection_info(connection=Connection.objects.get(name=conn)))
    assert cloud.vpc().list_vpcs() == []
    assert cloud.vm().list_vms() == []
    assert Operation.objects.filter(connection_name=conn, state="succeeded").count() == 12


def test_private_key_is_returned_once(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant).name
    created = post(api, conn, "key-pairs/", {"name": "kp"})
    assert "PRIVATE KEY" in created.json()["private_key"]
    operation_url = f"/api/v1/operations/{created['X-Spiderweb-Operation']}/"
    assert "private_key" not in api.get(operation_url).json()["result"]
    assert "private_key" not in api.get(url(conn, "key-pairs/kp/")).json()
    assert "private_key" not in str(api.get(url(conn, "key-pairs/")).json())
    assert Operation.objects.get(pk=created["X-Spiderweb-Operation"]).sealed_secret == ""


def test_async_key_pair_hands_the_private_key_to_the_first_read_only(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant).name
    accepted = post(api, conn, "key-pairs/", {"name": "kp"}, wait=False)
    first = finish(api, accepted)
    assert "PRIVATE KEY" in first["result"]["private_key"]
    assert "private_key" not in api.get(accepted["Location"]).json()["result"]


def test_cloud_names_differ_across_connections_and_recreation(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    first = make_connection(tenant=mock_tenant).name
    second = make_connection(tenant=mock_tenant).name  # same tenant and region: one cloud namespace
    body = {"name": "shared-name", "ipv4_cidr": "10.0.0.0/16"}
    a = post(api, first, "vpcs/", body).json()
    b = post(api, second, "vpcs/", body).json()
    assert a["cloud_name"] != b["cloud_name"]
    assert a["system_id"] != b["system_id"]
    delete(api, first, "vpcs/shared-name/")
    again = post(api, first, "vpcs/", body).json()
    assert again["cloud_name"] not in (a["cloud_name"], b["cloud_name"])
    assert again["cloud_name"].startswith("shared-name-")
    cloud = get_driver("mock").connect(connection_info(connection=Connection.objects.get(name=first)))
    assert cloud.vpc().get_vpc(iid=IID(name_id="", system_id=again["system_id"])).iid.name_id == again["cloud_name"]
