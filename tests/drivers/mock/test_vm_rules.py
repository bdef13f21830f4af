"""VM rules of the mock: references, compatibility, addresses, state machine and dependencies."""

from __future__ import annotations

import ipaddress
import time
from dataclasses import replace

import pytest

from drivers.errors import (
    DependencyError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
    QuotaError,
)
from drivers.mock import MockConnection
from drivers.types import (
    IID,
    KeyPairReqInfo,
    SecurityReqInfo,
    SubnetReqInfo,
    VMReqInfo,
    VMStatus,
    VPCReqInfo,
)
from tests.drivers.support import SETTLE_SECONDS


@pytest.fixture
def req(conn: MockConnection) -> VMReqInfo:
    """A valid request for a VM in a fresh VPC (10.0.0.0/16, subnet 10.0.1.0/28), SG and key pair."""
    subnet = SubnetReqInfo(name="sn-01", ipv4_cidr="10.0.1.0/28", zone="mars-z2")
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


def _settle() -> None:
    time.sleep(SETTLE_SECONDS + 0.05)


def test_vm_gets_addresses_in_its_subnet_and_zone(conn: MockConnection, req: VMReqInfo) -> None:
    first = conn.vm().start_vm(req=req)
    second = conn.vm().start_vm(req=replace(req, name="vm-02"))
    assert first.zone == "mars-z2"
    assert first.public_ip == "4.3.2.1" and second.public_ip == "4.3.2.2"
    subnet = ipaddress.IPv4Network("10.0.1.0/28")
    addresses = {ipaddress.IPv4Address(first.private_ip), ipaddress.IPv4Address(second.private_ip)}
    assert len(addresses) == 2 and all(address in subnet for address in addresses)
    assert first.ssh_access_point == "4.3.2.1:22"
    assert first.vm_user_id == "cb-user"


def test_a_full_subnet_refuses_more_vms(conn: MockConnection, req: VMReqInfo) -> None:
    # a /28 has 14 hosts, of which the cloud keeps the first three
    for index in range(11):
        conn.vm().start_vm(req=replace(req, name=f"vm-{index}"))
    with pytest.raises(QuotaError, match="no free IP"):
        conn.vm().start_vm(req=replace(req, name="one-too-many"))
    conn.vm().terminate_vm(iid=IID(name_id="vm-3"))
    assert conn.vm().start_vm(req=replace(req, name="fits-again")).private_ip


def test_transitional_status_settles(conn: MockConnection, req: VMReqInfo) -> None:
    vm = conn.vm().start_vm(req=req)
    assert vm.status == VMStatus.CREATING
    assert conn.vm().get_vm_status(iid=vm.iid) == VMStatus.CREATING
    _settle()
    assert conn.vm().get_vm(iid=vm.iid).status == VMStatus.RUNNING
    assert conn.vm().suspend_vm(iid=vm.iid) == VMStatus.SUSPENDING
    assert conn.vm().get_vm_status(iid=vm.iid) == VMStatus.SUSPENDING
    _settle()
    assert conn.vm().get_vm_status(iid=vm.iid) == VMStatus.SUSPENDED


def test_control_refuses_what_the_state_forbids(conn: MockConnection, req: VMReqInfo) -> None:
    vm = conn.vm().start_vm(req=req)
    with pytest.raises(InvalidStateError, match="Creating"):
        conn.vm().suspend_vm(iid=vm.iid)
    _settle()
    with pytest.raises(InvalidStateError, match="already Running"):
        conn.vm().resume_vm(iid=vm.iid)
    conn.vm().suspend_vm(iid=vm.iid)
    with pytest.raises(InvalidStateError, match="already Suspending"):
        conn.vm().suspend_vm(iid=vm.iid)
    _settle()
    with pytest.raises(InvalidStateError, match="already Suspended"):
        conn.vm().suspend_vm(iid=vm.iid)
    with pytest.raises(InvalidStateError, match="it is Suspended"):
        conn.vm().reboot_vm(iid=vm.iid)
    assert conn.vm().get_vm_status(iid=vm.iid) == VMStatus.SUSPENDED


def test_things_a_vm_uses_cannot_be_deleted_while_it_lives(conn: MockConnection, req: VMReqInfo) -> None:
    conn.vm().start_vm(req=req)
    with pytest.raises(DependencyError, match="vm-01"):
        conn.security_group().delete_security_group(iid=IID(name_id="sg-01"))
    with pytest.raises(DependencyError, match="vm-01"):
        conn.key_pair().delete_key_pair(iid=IID(name_id="key-01"))
    with pytest.raises(DependencyError, match="vm-01"):
        conn.vpc().remove_subnet(vpc_iid=IID(name_id="vpc-01"), subnet_iid=IID(name_id="sn-01"))
    with pytest.raises(DependencyError, match="vm-01"):
        conn.vpc().delete_vpc(iid=IID(name_id="vpc-01"))
    assert len(conn.vpc().get_vpc(iid=IID(name_id="vpc-01")).subnets) == 1
    conn.vm().terminate_vm(iid=IID(name_id="vm-01"))
    conn.security_group().delete_security_group(iid=IID(name_id="sg-01"))
    conn.key_pair().delete_key_pair(iid=IID(name_id="key-01"))
    conn.vpc().delete_vpc(iid=IID(name_id="vpc-01"))


def test_image_and_spec_architectures_must_match(conn: MockConnection, req: VMReqInfo) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        conn.vm().start_vm(req=replace(req, image_iid=IID(name_id="mock-vmimage-02")))  # arm64 on an x86_64 spec
    assert caught.value.field == "spec_name"
    assert conn.vm().start_vm(req=replace(req, image_iid=IID(name_id="mock-vmimage-02"), spec_name="mock-vmspec-04"))


def test_security_group_of_another_vpc_is_refused(conn: MockConnection, req: VMReqInfo) -> None:
    other = conn.vpc().create_vpc(req=VPCReqInfo(name="vpc-02", ipv4_cidr="10.1.0.0/16"))
    conn.security_group().create_security_group(req=SecurityReqInfo(name="sg-other", vpc_iid=other.iid))
    with pytest.raises(InvalidRequestError) as caught:
        conn.vm().start_vm(req=replace(req, security_group_iids=(IID(name_id="sg-01"), IID(name_id="sg-other"))))
    assert caught.value.field == "security_group_iids[1]"


def test_subnet_of_another_vpc_is_not_found(conn: MockConnection, req: VMReqInfo) -> None:
    sub = SubnetReqInfo(name="sn-other", ipv4_cidr="10.1.1.0/24")
    conn.vpc().create_vpc(req=VPCReqInfo(name="vpc-02", ipv4_cidr="10.1.0.0/16", subnets=(sub,)))
    with pytest.raises(NotFoundError) as caught:
        conn.vm().start_vm(req=replace(req, subnet_iid=IID(name_id="sn-other")))
    assert caught.value.field == "subnet_iid"


def test_linux_needs_a_key_pair_windows_a_password(conn: MockConnection, req: VMReqInfo) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        conn.vm().start_vm(req=replace(req, key_pair_iid=None))
    assert caught.value.field == "key_pair_iid"
    windows = replace(req, image_iid=IID(name_id="mock-vmimage-04"), key_pair_iid=None)
    with pytest.raises(InvalidRequestError) as caught:
        conn.vm().start_vm(req=windows)
    assert caught.value.field == "vm_user_password"
    vm = conn.vm().start_vm(req=replace(windows, vm_user_password="Correct-Horse-42"))
    assert (vm.platform, vm.vm_user_id, vm.root_disk_size_gb) == ("Windows", "Administrator", 30)


def test_root_disk_is_checked_against_the_image(conn: MockConnection, req: VMReqInfo) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        conn.vm().start_vm(req=replace(req, root_disk_size_gb=4))
    assert caught.value.field == "root_disk_size_gb"
    with pytest.raises(InvalidRequestError) as caught:
        conn.vm().start_vm(req=replace(req, root_disk_type="floppy"))
    assert caught.value.field == "root_disk_type"
    vm = conn.vm().start_vm(req=replace(req, root_disk_type="ssd", root_disk_size_gb=100))
    assert (vm.root_disk_type, vm.root_disk_size_gb) == ("ssd", 100)


def test_image_type_must_be_public_or_my_image(conn: MockConnection, req: VMReqInfo) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        conn.vm().start_vm(req=replace(req, image_type="SharedImage"))  # type: ignore[arg-type]
    assert caught.value.field == "image_type"
    assert conn.vm().list_vms() == []
