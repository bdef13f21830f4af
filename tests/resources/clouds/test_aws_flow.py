"""The whole flow on an AWS connection through the API, against the AWS emulator (moto on loopback)."""

from __future__ import annotations

from typing import Any

import pytest

from connections.models import Connection
from drivers.registry import get_driver
from resources.models import Operation, Resource
from tests.drivers.aws import emulator
from tests.resources.helpers import AWS_VM_BODY, AWS_VPC_BODY, SG_BODY, delete, error_of, post, url

pytestmark = pytest.mark.django_db(transaction=True)


def test_full_flow_on_aws(api, aws_connection: Connection) -> None:  # type: ignore[no-untyped-def]
    conn = aws_connection.name

    def call(method, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        response = method(api, conn, path, body)
        assert response.status_code in (200, 201), response.json()
        answer: dict[str, Any] = response.json()
        return answer

    vpc = call(post, "vpcs/", AWS_VPC_BODY)
    assert vpc["name"] == "vpc-01" and vpc["system_id"].startswith("vpc-")
    assert [(s["name"], s["zone"]) for s in vpc["subnets"]] == [
        ("subnet-01", "us-east-1a"),
        ("subnet-02", "us-east-1b"),
    ]

    sg = call(post, "security-groups/", SG_BODY)
    assert sg["vpc"] == "vpc-01" and sg["system_id"].startswith("sg-")

    key = call(post, "key-pairs/", {"name": "keypair-01"})
    assert "PRIVATE KEY" in key["private_key"] and key["system_id"].startswith("key-")

    vm = call(post, "vms/", AWS_VM_BODY)
    assert vm["name"] == "vm-01" and vm["system_id"].startswith("i-")
    assert vm["status"] in ("Creating", "Running")
    assert (vm["vpc"], vm["subnet"], vm["security_groups"], vm["key_pair"]) == (
        "vpc-01",
        "subnet-01",
        ["sg-01"],
        "keypair-01",
    )
    status = api.get(url(conn, "vms/vm-01/status/")).json()
    assert status == {"name": "vm-01", "system_id": vm["system_id"], "status": "Running"}

    for action, transitional, settled in (
        ("suspend", "Suspending", "Suspended"),
        ("resume", "Resuming", "Running"),
        ("reboot", "Rebooting", "Running"),
    ):
        assert call(post, "vms/vm-01/actions/", {"action": action})["status"] == transitional
        assert api.get(url(conn, "vms/vm-01/status/")).json()["status"] == settled

    # Resuming a running VM is refused by the driver before anything is sent to AWS.
    refused = post(api, conn, "vms/vm-01/actions/", {"action": "resume"})
    assert refused.status_code == 409 and error_of(refused)["code"] == "invalid_state", refused.json()

    assert call(delete, "vms/vm-01/")["status"] in ("Terminating", "Terminated")
    assert call(delete, "key-pairs/keypair-01/")["deleted"] is True
    assert call(delete, "security-groups/sg-01/")["deleted"] is True
    assert call(delete, "vpcs/vpc-01/subnets/subnet-02/")["subnets"][0]["name"] == "subnet-01"
    assert call(delete, "vpcs/vpc-01/")["deleted"] is True

    assert not Resource.objects.filter(connection__name=conn).exists()
    cloud = get_driver("aws").connect(emulator.connection_info())
    assert cloud.vpc().list_vpcs() == [] and cloud.vm().list_vms() == []
    assert cloud.security_group().list_security_groups() == [] and cloud.key_pair().list_key_pairs() == []
    assert Operation.objects.filter(connection_name=conn, state="succeeded").count() == 12
