"""Request helpers shared by the resource API tests."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

BASE = "/api/v1/connections"

VPC_BODY = {
    "name": "vpc-01",
    "ipv4_cidr": "192.168.0.0/16",
    "subnets": [
        {"name": "subnet-01", "ipv4_cidr": "192.168.1.0/24", "zone": "mars-z1"},
        {"name": "subnet-02", "ipv4_cidr": "192.168.2.0/24", "zone": "mars-z2"},
    ],
}
SG_BODY = {
    "name": "sg-01",
    "vpc": "vpc-01",
    "rules": [{"direction": "inbound", "protocol": "TCP", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}],
}
VM_BODY = {
    "name": "vm-01",
    "image": "mock-vmimage-01",
    "spec": "mock-vmspec-01",
    "vpc": "vpc-01",
    "subnet": "subnet-01",
    "security_groups": ["sg-01"],
    "key_pair": "keypair-01",
}

# The same network and VM on an AWS connection to the emulator.
AWS_VPC_BODY = {
    "name": "vpc-01",
    "ipv4_cidr": "192.168.0.0/16",
    "subnets": [
        {"name": "subnet-01", "ipv4_cidr": "192.168.1.0/24", "zone": "us-east-1a"},
        {"name": "subnet-02", "ipv4_cidr": "192.168.2.0/24", "zone": "us-east-1b"},
    ],
}
AWS_VM_BODY = {
    "name": "vm-01",
    "image": "ami-03c3da4cfa8e8943a",  # in the emulator's default catalogue
    "spec": "t3.micro",
    "vpc": "vpc-01",
    "subnet": "subnet-01",
    "security_groups": ["sg-01"],
    "key_pair": "keypair-01",
}


def settle() -> None:
    """Wait until the mock's VMs, disks and images have left their transitional states."""
    time.sleep(settings.SPIDERWEB_DRIVER_OPTIONS["mock"]["settle_seconds"] + 0.1)


def url(conn: str, path: str = "") -> str:
    return f"{BASE}/{conn}/{path}"


def post(api: Any, conn: str, path: str, body: dict[str, Any] | None = None, *, wait: bool = True) -> Any:
    headers = {} if wait else {"HTTP_PREFER": "respond-async"}
    return api.post(url(conn, path), body or {}, format="json", **headers)


def delete(api: Any, conn: str, path: str, body: dict[str, Any] | None = None, *, wait: bool = True) -> Any:
    headers = {} if wait else {"HTTP_PREFER": "respond-async"}
    return api.delete(url(conn, path), body, format="json", **headers)


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert "error" in body, body
    return body["error"]


def build_network(api: Any, conn: str, *, with_vm: bool = False) -> None:
    """VPC with two subnets, a security group, a key pair (and a VM), each asserted created."""
    assert post(api, conn, "vpcs/", VPC_BODY).status_code == 201
    assert post(api, conn, "security-groups/", SG_BODY).status_code == 201
    assert post(api, conn, "key-pairs/", {"name": "keypair-01"}).status_code == 201
    if with_vm:
        response = post(api, conn, "vms/", VM_BODY)
        assert response.status_code == 201, response.json()
