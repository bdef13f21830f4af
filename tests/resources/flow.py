"""The end-to-end flow every cloud must pass, shared by the in-process and the real-worker tests."""

from __future__ import annotations

import time

from connections.models import Connection
from connections.services import connection_info
from drivers.registry import get_driver
from resources.models import Operation, Resource
from tests.resources.helpers import SG_BODY, VM_BODY, VPC_BODY, delete, post, settle, url


def finish(api, response):  # type: ignore[no-untyped-def]
    """Follow a 202 to the end through the operation URL; return (status, body) as a waiting call would."""
    assert response.status_code == 202, response.json()
    assert response["Location"].endswith(f"/api/v1/operations/{response.json()['id']}/")
    for _ in range(500):
        operation = api.get(response["Location"]).json()
        if operation["state"] in ("succeeded", "failed"):
            return operation
        time.sleep(0.02)
    raise AssertionError("operation did not finish")


def run_full_flow(api, conn: str, *, wait: bool) -> None:  # type: ignore[no-untyped-def]
    """VPC (two subnets) → SG → key pair → VM → status → suspend → resume → reboot → terminate → delete all."""

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
        ("subnet-01", "192.168.1.0/24", "mars-z1"),
        ("subnet-02", "192.168.2.0/24", "mars-z2"),
    ]
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
        "vpc-01",
        "subnet-01",
        ["sg-01"],
        "keypair-01",
    )
    settle()
    assert api.get(url(conn, "vms/vm-01/status/")).json() == {
        "name": "vm-01",
        "system_id": vm["system_id"],
        "status": "Running",
    }

    for action, transitional, settled in (
        ("suspend", "Suspending", "Suspended"),
        ("resume", "Resuming", "Running"),
        ("reboot", "Rebooting", "Running"),
    ):
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
