"""What the network family tests share: a VPC to work in and VMs seeded straight into the fake."""

from __future__ import annotations

from typing import Any

from drivers.gcp import GCPConnection
from drivers.types import SubnetReqInfo, VPCInfo, VPCReqInfo
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.support import PROJECT, REGION

VPC_CIDR = "10.20.0.0/16"


def make_vpc(gcp: GCPConnection, name: str = "vpc-01", *subnets: SubnetReqInfo) -> VPCInfo:
    subnets = subnets or (SubnetReqInfo(name=f"{name}-sn", ipv4_cidr="10.20.1.0/24"),)
    return gcp.vpc().create_vpc(req=VPCReqInfo(name=name, ipv4_cidr=VPC_CIDR, subnets=subnets))


def seed_instance(
    fake: FakeGCP,
    name: str,
    *,
    network: str,
    subnet: str,
    tags: tuple[str, ...] = (),
    zone: str = "us-central1-a",
) -> dict[str, Any]:
    """An instance as instances.get answers it, with one interface in `network`/`subnet`."""
    instance = {
        "kind": "compute#instance",
        "id": fake.new_id(),
        "creationTimestamp": fake.now(),
        "name": name,
        "zone": fake.link(PROJECT, f"zones/{zone}"),
        "machineType": fake.link(PROJECT, f"zones/{zone}/machineTypes/e2-small"),
        "status": "RUNNING",
        "tags": {"items": list(tags), "fingerprint": "42WmSpB8rSM="},
        "networkInterfaces": [
            {
                "kind": "compute#networkInterface",
                "name": "nic0",
                "network": fake.link(PROJECT, f"global/networks/{network}"),
                "subnetwork": fake.link(PROJECT, f"regions/{REGION}/subnetworks/{subnet}"),
                "networkIP": "10.20.1.2",
                "stackType": "IPV4_ONLY",
            }
        ],
        "selfLink": fake.link(PROJECT, f"zones/{zone}/instances/{name}"),
    }
    if not tags:
        del instance["tags"]["items"]
    fake.collection(PROJECT, f"zones/{zone}/instances")[name] = instance
    return instance
