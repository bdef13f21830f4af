"""Data disks on the fake KT Cloud: product codes, attach/detach, growth through a stopped VM, deletes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import (
    AlreadyExistsError,
    DependencyError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
)
from drivers.ktclassic import KTClassicConnection
from drivers.types import IID, DiskReqInfo, DiskStatus, VMStatus
from tests.drivers.ktclassic.fake import FakeKT
from tests.drivers.ktclassic.net_support import vm_setup


def _tick(kt: KTClassicConnection) -> None:
    kt.region_zone().list_region_zones()


def test_disk_lifecycle_with_growth_through_a_stopped_vm(kt: KTClassicConnection, fake: FakeKT) -> None:
    disks = kt.disk()
    created = disks.create_disk(req=DiskReqInfo(name="disk-01", disk_type="SSD", disk_size_gb=200, tags={"a": "b"}))
    create = next(args for command, args in fake.calls if command == "createVolume")
    assert create["productcode"] == "SSD 200G"
    assert created.status in (DiskStatus.CREATING, DiskStatus.AVAILABLE)
    assert (created.disk_type, created.disk_size_gb) == ("SSD", 200)
    assert created.tags == {"a": "b"}
    _tick(kt)
    assert disks.get_disk(iid=IID(name_id="disk-01")).status == DiskStatus.AVAILABLE
    with pytest.raises(InvalidStateError) as caught:
        disks.resize_disk(iid=created.iid, size_gb=300)
    assert "detached" in str(caught.value)

    vm = kt.vm().start_vm(req=vm_setup(kt)).iid
    attached = disks.attach_disk(iid=created.iid, vm_iid=vm)
    assert attached.status == DiskStatus.ATTACHED and attached.owner_vm_iid == vm
    assert kt.vm().get_vm(iid=vm).data_disk_iids == (created.iid,)
    with pytest.raises(InvalidStateError):
        disks.resize_disk(iid=created.iid, size_gb=300)  # its VM is running
    with pytest.raises(DependencyError):
        disks.delete_disk(iid=created.iid)

    kt.vm().suspend_vm(iid=vm)
    _tick(kt)
    assert kt.vm().get_vm_status(iid=vm) == VMStatus.SUSPENDED
    with pytest.raises(InvalidRequestError) as refused:
        disks.resize_disk(iid=created.iid, size_gb=210)
    assert "250 GB, 280 GB, 300 GB" in str(refused.value)
    grown = disks.resize_disk(iid=created.iid, size_gb=300)
    assert grown.disk_size_gb == 300
    resize = next(args for command, args in fake.calls if command == "resizeVolume")
    assert (resize["size"], resize["isLinux"], resize["vmid"]) == ("100", "Y", vm.system_id)

    detached = disks.detach_disk(iid=created.iid, vm_iid=vm)
    assert detached.status == DiskStatus.AVAILABLE and detached.owner_vm_iid is None
    disks.delete_disk(iid=created.iid)
    with pytest.raises(NotFoundError):
        disks.get_disk(iid=created.iid)
    assert disks.delete_disk(iid=created.iid) is None


@pytest.mark.parametrize(("disk_type", "size"), [("HDD", 5), ("HDD", 505), ("HDD", 55), ("SSD", 150), ("NVME", 100)])
def test_sizes_kt_cloud_does_not_sell_are_refused(kt: KTClassicConnection, disk_type: str, size: int) -> None:
    with pytest.raises(InvalidRequestError):
        kt.disk().create_disk(req=DiskReqInfo(name="d", disk_type=disk_type, disk_size_gb=size))
    assert kt.disk().list_disks() == []


def test_default_disk_is_100_gb_hdd_and_names_are_unique(kt: KTClassicConnection) -> None:
    created = kt.disk().create_disk(req=DiskReqInfo(name="disk-01"))
    assert (created.disk_type, created.disk_size_gb) == ("HDD", 100)
    with pytest.raises(AlreadyExistsError):
        kt.disk().create_disk(req=DiskReqInfo(name="disk-01"))
    with pytest.raises(InvalidRequestError):
        kt.disk().resize_disk(iid=created.iid, size_gb=90)


def test_a_terminated_vm_lets_its_data_disks_go(kt: KTClassicConnection) -> None:
    disk = kt.disk().create_disk(req=DiskReqInfo(name="disk-01")).iid
    _tick(kt)
    req = vm_setup(kt)
    vm = kt.vm().start_vm(req=replace(req, data_disk_iids=(IID(name_id="disk-01"),)))
    assert vm.data_disk_iids == (disk,)
    kt.vm().terminate_vm(iid=vm.iid)
    for _ in range(3):
        _tick(kt)
    assert kt.disk().get_disk(iid=disk).status == DiskStatus.AVAILABLE
