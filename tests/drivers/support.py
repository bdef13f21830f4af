"""Helpers shared by the driver tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from drivers.mock import MockConnection
from drivers.types import (
    IID,
    ConnectionInfo,
    KeyPairReqInfo,
    SecurityReqInfo,
    SubnetReqInfo,
    VMReqInfo,
    VPCReqInfo,
)

MakeConnection = Callable[..., MockConnection]

# Short, so VM state changes settle within a test, yet long enough to observe the transition.
SETTLE_SECONDS = 0.2


def connection_info(tenant: str, *, region: str = "mars", zone: str = "", **options: Any) -> ConnectionInfo:
    return ConnectionInfo(
        name=f"conn-{region}",
        provider="mock",
        credential={"MockName": tenant},
        region=region,
        zone=zone,
        options=options,
    )


def settle() -> None:
    """Sleep until transitional statuses (Creating, Suspending...) of the mock have settled."""
    time.sleep(SETTLE_SECONDS + 0.05)


def vm_setup(conn: MockConnection, *, zone: str = "mars-z2", cidr: str = "10.0.1.0/24") -> VMReqInfo:
    """Create a VPC vpc-01 (10.0.0.0/16) with subnet sn-01 in `zone`, SG sg-01 and key pair key-01, and
    return a valid request for a VM vm-01 that uses them."""
    subnet = SubnetReqInfo(name="sn-01", ipv4_cidr=cidr, zone=zone)
    conn.vpc().create_vpc(req=VPCReqInfo(name="vpc-01", ipv4_cidr="10.0.0.0/16", subnets=(subnet,)))
    conn.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=IID(name_id="vpc-01")))
    conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    return VMReqInfo(
        name="vm-01",
        image_iid=IID(name_id="mock-vmimage-01"),
        spec_name="mock-vmspec-01",
        vpc_iid=IID(name_id="vpc-01"),
        subnet_iid=IID(name_id="sn-01"),
        security_group_iids=(IID(name_id="sg-01"),),
        key_pair_iid=IID(name_id="key-01"),
    )
