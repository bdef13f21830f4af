"""Data disks: create -> get -> list -> resize -> attach/detach -> delete, and the contract's edge cases."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.types import IID, DiskReqInfo, DiskStatus
from tests.drivers.conformance.harness import Harness, Network, make_network, start_running_vm, vm_req


@pytest.fixture
def network(cloud: Harness) -> Network:
    cloud.require("disk")
    return make_network(cloud, "disk")


def _available_disk(cloud: Harness, name: str = "disk-01", zone: str = "") -> IID:
    disk = cloud.conn.disk().create_disk(req=DiskReqInfo(name=name, zone=zone, tags={"team": "data"}))
    cloud.wait_for(lambda: cloud.conn.disk().get_disk(iid=disk.iid).status == DiskStatus.AVAILABLE, f"{name} Available")
    return disk.iid


def _zone_of_network(cloud: Harness, network: Network) -> str:
    return next(subnet.zone for subnet in cloud.conn.vpc().get_vpc(iid=network.vpc).subnets)


def test_disk_lifecycle(cloud: Harness, network: Network) -> None:
    disks = cloud.conn.disk()
    zone = _zone_of_network(cloud, network)
    created = disks.create_disk(req=DiskReqInfo(name="disk-01", zone=zone, tags={"team": "data"}))
    assert created.iid.name_id == "disk-01" and created.iid.system_id
    assert created.status in (DiskStatus.CREATING, DiskStatus.AVAILABLE)
    assert created.zone == zone and created.disk_type and created.disk_size_gb > 0
    assert created.owner_vm_iid is None and created.tags == {"team": "data"}

    cloud.wait_for(lambda: disks.get_disk(iid=IID(name_id="disk-01")).status == DiskStatus.AVAILABLE, "Available")
    assert created.iid in [disk.iid for disk in disks.list_disks()]
    assert disks.get_disk(iid=IID(name_id="", system_id=created.iid.system_id)).iid == created.iid

    grown = disks.resize_disk(iid=created.iid, size_gb=created.disk_size_gb + 10)
    assert grown.disk_size_gb == created.disk_size_gb + 10

    vm = start_running_vm(cloud, network)
    attached = disks.attach_disk(iid=created.iid, vm_iid=vm)
    assert attached.status == DiskStatus.ATTACHED and attached.owner_vm_iid == vm
    assert cloud.conn.vm().get_vm(iid=vm).data_disk_iids == (created.iid,)
    with pytest.raises(DependencyError):
        disks.delete_disk(iid=created.iid)

    detached = disks.detach_disk(iid=created.iid, vm_iid=vm)
    assert detached.status == DiskStatus.AVAILABLE and detached.owner_vm_iid is None
    assert cloud.conn.vm().get_vm(iid=vm).data_disk_iids == ()

    disks.delete_disk(iid=created.iid)
    with pytest.raises(NotFoundError):
        disks.get_disk(iid=created.iid)
    assert created.iid not in [disk.iid for disk in disks.list_disks()]


def test_vm_started_with_data_disks_lets_them_go_when_terminated(cloud: Harness, network: Network) -> None:
    zone = _zone_of_network(cloud, network)
    first, second = _available_disk(cloud, "disk-01", zone), _available_disk(cloud, "disk-02", zone)
    req = replace(vm_req(cloud, network), data_disk_iids=(IID(name_id="disk-02"), IID(name_id="disk-01")))
    vm = cloud.conn.vm().start_vm(req=req)
    assert vm.data_disk_iids == (second, first)
    assert cloud.conn.disk().get_disk(iid=first).owner_vm_iid == vm.iid

    cloud.conn.vm().terminate_vm(iid=vm.iid)
    cloud.wait_for(lambda: cloud.conn.disk().get_disk(iid=first).status == DiskStatus.AVAILABLE, "disk released")
    cloud.eventually(lambda: cloud.conn.disk().delete_disk(iid=first))
    cloud.eventually(lambda: cloud.conn.disk().delete_disk(iid=second))


def test_attaching_an_attached_disk_is_an_invalid_state(cloud: Harness, network: Network) -> None:
    disk = _available_disk(cloud, zone=_zone_of_network(cloud, network))
    first = start_running_vm(cloud, network, "vm-01")
    second = start_running_vm(cloud, network, "vm-02")
    cloud.conn.disk().attach_disk(iid=disk, vm_iid=first)
    for vm in (first, second):
        with pytest.raises(InvalidStateError) as caught:
            cloud.conn.disk().attach_disk(iid=disk, vm_iid=vm)
        assert caught.value.code == "invalid_state"
    assert cloud.conn.disk().get_disk(iid=disk).owner_vm_iid == first


def test_a_disk_only_grows(cloud: Harness) -> None:
    cloud.require("disk")
    disk = _available_disk(cloud)
    size = cloud.conn.disk().get_disk(iid=disk).disk_size_gb
    with pytest.raises(InvalidRequestError) as caught:
        cloud.conn.disk().resize_disk(iid=disk, size_gb=size - 1)
    assert caught.value.field == "size_gb"
    assert cloud.conn.disk().get_disk(iid=disk).disk_size_gb == size


def test_creating_an_existing_disk_name_is_refused(cloud: Harness) -> None:
    cloud.require("disk")
    cloud.conn.disk().create_disk(req=DiskReqInfo(name="disk-01"))
    with pytest.raises(AlreadyExistsError):
        cloud.conn.disk().create_disk(req=DiskReqInfo(name="disk-01"))
    assert [disk.iid.name_id for disk in cloud.conn.disk().list_disks()] == ["disk-01"]


def test_missing_disk_is_not_found(cloud: Harness, network: Network) -> None:
    disks, missing = cloud.conn.disk(), IID(name_id="no-such-disk")
    with pytest.raises(NotFoundError):
        disks.get_disk(iid=missing)
    with pytest.raises(NotFoundError):
        disks.resize_disk(iid=missing, size_gb=500)
    with pytest.raises(NotFoundError):
        disks.attach_disk(iid=missing, vm_iid=IID(name_id="no-such-vm"))
    disk = _available_disk(cloud)
    with pytest.raises(NotFoundError):
        disks.attach_disk(iid=disk, vm_iid=IID(name_id="no-such-vm"))
    with pytest.raises(NotFoundError):
        cloud.conn.vm().start_vm(req=replace(vm_req(cloud, network), data_disk_iids=(missing,)))
    assert cloud.conn.vm().list_vms() == []


def test_disk_delete_is_idempotent(cloud: Harness) -> None:
    cloud.require("disk")
    created = cloud.conn.disk().create_disk(req=DiskReqInfo(name="disk-01"))
    cloud.conn.disk().delete_disk(iid=created.iid)
    assert cloud.conn.disk().delete_disk(iid=created.iid) is None
    assert cloud.conn.disk().delete_disk(iid=IID(name_id="never-existed")) is None
