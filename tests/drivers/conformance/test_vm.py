"""VMs: start, inspect, suspend, resume, reboot, terminate; then everything they used can go."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

import pytest

from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.types import IID, VMReqInfo, VMStatus
from tests.drivers.conformance.harness import Harness, Network, make_network, vm_req


@pytest.fixture
def network(cloud: Harness) -> Network:
    cloud.require("vm")
    return make_network(cloud)


def _vm_req(cloud: Harness, network: Network, name: str = "vm-01") -> VMReqInfo:
    return vm_req(cloud, network, name)


def test_vm_lifecycle(cloud: Harness, network: Network) -> None:
    vms = cloud.conn.vm()
    started = vms.start_vm(req=_vm_req(cloud, network))
    assert started.iid.name_id == "vm-01" and started.iid.system_id
    assert started.status in (VMStatus.CREATING, VMStatus.RUNNING)
    assert (started.vpc_iid, started.subnet_iid) == (network.vpc, network.subnet)
    assert started.security_group_iids == (network.sg,)
    assert started.key_pair_iid == network.key
    assert started.spec_name == cloud.spec_name
    assert started.region == cloud.conn.info.region
    assert started.tags == {"env": "test"}

    cloud.wait_status(started.iid, VMStatus.RUNNING)
    running = vms.get_vm(iid=IID(name_id="vm-01"))
    assert running.status == VMStatus.RUNNING
    assert ipaddress.IPv4Address(running.private_ip) in ipaddress.IPv4Network(network.subnet_cidr)
    assert running.public_ip
    assert running.iid in [vm.iid for vm in vms.list_vms()]
    assert [(s.iid, s.status) for s in vms.list_vm_status()] == [(running.iid, VMStatus.RUNNING)]

    assert vms.suspend_vm(iid=running.iid) == VMStatus.SUSPENDING
    cloud.wait_status(running.iid, VMStatus.SUSPENDED)
    assert vms.resume_vm(iid=running.iid) == VMStatus.RESUMING
    cloud.wait_status(running.iid, VMStatus.RUNNING)
    assert vms.reboot_vm(iid=running.iid) == VMStatus.REBOOTING
    cloud.wait_status(running.iid, VMStatus.RUNNING)

    assert vms.terminate_vm(iid=running.iid) in (VMStatus.TERMINATING, VMStatus.TERMINATED)
    # Once the VM is gone, everything it used can be deleted (after it finishes terminating).
    cloud.eventually(lambda: cloud.conn.security_group().delete_security_group(iid=network.sg))
    cloud.eventually(lambda: cloud.conn.key_pair().delete_key_pair(iid=network.key))
    cloud.eventually(lambda: cloud.conn.vpc().delete_vpc(iid=network.vpc))
    assert cloud.conn.vpc().list_vpcs() == []


def test_creating_an_existing_vm_name_is_refused(cloud: Harness, network: Network) -> None:
    cloud.conn.vm().start_vm(req=_vm_req(cloud, network))
    with pytest.raises(AlreadyExistsError):
        cloud.conn.vm().start_vm(req=_vm_req(cloud, network))
    assert len(cloud.conn.vm().list_vms()) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"image_iid": IID(name_id="no-such-image")},
        {"spec_name": "no-such-spec"},
        {"vpc_iid": IID(name_id="no-such-vpc")},
        {"subnet_iid": IID(name_id="no-such-subnet")},
        {"security_group_iids": (IID(name_id="no-such-sg"),)},
        {"key_pair_iid": IID(name_id="no-such-key")},
    ],
    ids=lambda change: next(iter(change)),
)
def test_vm_referring_to_something_missing_is_not_found(
    cloud: Harness, network: Network, change: dict[str, object]
) -> None:
    with pytest.raises(NotFoundError):
        cloud.conn.vm().start_vm(req=replace(_vm_req(cloud, network), **change))  # type: ignore[arg-type]
    assert cloud.conn.vm().list_vms() == []


def test_missing_vm_is_not_found(cloud: Harness) -> None:
    cloud.require("vm")
    vms = cloud.conn.vm()
    missing = IID(name_id="no-such-vm")
    for call in (vms.get_vm, vms.get_vm_status, vms.suspend_vm, vms.resume_vm, vms.reboot_vm):
        with pytest.raises(NotFoundError):
            call(iid=missing)


def test_terminate_is_idempotent(cloud: Harness, network: Network) -> None:
    started = cloud.conn.vm().start_vm(req=_vm_req(cloud, network))
    cloud.conn.vm().terminate_vm(iid=started.iid)
    assert cloud.conn.vm().terminate_vm(iid=started.iid) in (VMStatus.TERMINATING, VMStatus.TERMINATED)
    assert cloud.conn.vm().terminate_vm(iid=IID(name_id="never-existed")) == VMStatus.TERMINATED
