"""NCP Classic block storage as disks: made on a running server of the zone and detached, attach/detach,
delete, and resize declared unsupported."""

from __future__ import annotations

import pytest

from drivers.errors import (
    AlreadyExistsError,
    DependencyError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
    NotSupportedError,
)
from drivers.ncp import CLASSIC_CAPABILITIES, NCPConnection
from drivers.types import IID, DiskReqInfo, DiskStatus, KeyPairReqInfo, VMReqInfo, VMStatus
from tests.drivers.ncp.fake import FakeNCP

SPEC = "SVR.VSVR.STAND.C002.M004.NET.SSD.B050.G002"


def _server(classic: NCPConnection, name: str) -> IID:
    if not classic.key_pair().list_key_pairs():
        classic.key_pair().create_key_pair(req=KeyPairReqInfo(name="ops-key"))
    req = VMReqInfo(
        name=name,
        image_iid=IID(name_id="ubuntu-20.04"),
        spec_name=SPEC,
        vpc_iid=IID(name_id=""),
        subnet_iid=IID(name_id=""),
        security_group_iids=(IID(name_id="web-acg"),),
        key_pair_iid=IID(name_id="ops-key"),
    )
    vm = classic.vm().start_vm(req=req)
    for _ in range(50):
        if classic.vm().get_vm_status(iid=vm.iid) == VMStatus.RUNNING:
            return vm.iid
    raise AssertionError("server never ran")


def test_a_disk_is_made_on_a_server_and_freed(classic: NCPConnection, fake: FakeNCP) -> None:
    with pytest.raises(InvalidStateError, match="running server"):
        classic.disk().create_disk(req=DiskReqInfo(name="data-01"))
    host = _server(classic, "host-01")
    disk = classic.disk().create_disk(req=DiskReqInfo(name="data-01", disk_size_gb=50, tags={"app": "db"}))
    assert (disk.status, disk.owner_vm_iid, disk.disk_size_gb, disk.disk_type) == (
        DiskStatus.AVAILABLE,
        None,
        50,
        "SSD",
    )
    assert disk.zone == "KR-1" and disk.tags == {"app": "db"}
    create = next(c for c in fake.calls if c.action == "createBlockStorageInstance")
    assert create.get("serverInstanceNo") == host.system_id and create.get("diskDetailTypeCode") == "SSD"
    assert [c.action for c in fake.calls if c.service == "server"].count("detachBlockStorageInstances") == 1
    assert [d.iid.name_id for d in classic.disk().list_disks()] == ["data-01"]  # root volumes are not disks


def test_attach_detach_delete(classic: NCPConnection) -> None:
    _server(classic, "host-01")
    app = _server(classic, "app-01")
    disk = classic.disk().create_disk(req=DiskReqInfo(name="data-02", disk_type="hdd"))
    attached = classic.disk().attach_disk(iid=disk.iid, vm_iid=IID(name_id="app-01"))
    assert attached.status is DiskStatus.ATTACHED and attached.owner_vm_iid == app and attached.disk_type == "HDD"
    with pytest.raises(DependencyError):
        classic.disk().delete_disk(iid=disk.iid)
    freed = classic.disk().detach_disk(iid=disk.iid, vm_iid=app)
    assert freed.status is DiskStatus.AVAILABLE and freed.owner_vm_iid is None
    classic.disk().delete_disk(iid=disk.iid)
    with pytest.raises(NotFoundError):
        classic.disk().get_disk(iid=disk.iid)
    assert classic.disk().delete_disk(iid=disk.iid) is None


def test_what_classic_refuses(classic: NCPConnection) -> None:
    _server(classic, "host-01")
    disk = classic.disk().create_disk(req=DiskReqInfo(name="data-03"))
    with pytest.raises(AlreadyExistsError):
        classic.disk().create_disk(req=DiskReqInfo(name="data-03"))
    with pytest.raises(InvalidRequestError):
        classic.disk().create_disk(req=DiskReqInfo(name="data-04", disk_size_gb=4000))
    with pytest.raises(InvalidRequestError):
        classic.disk().create_disk(req=DiskReqInfo(name="data-04", disk_type="FB1"))
    with pytest.raises(NotSupportedError):
        classic.disk().resize_disk(iid=disk.iid, size_gb=100)
    assert not CLASSIC_CAPABILITIES.supports("disk", "resize_disk") and CLASSIC_CAPABILITIES.supports("disk")
    assert "running server" in CLASSIC_CAPABILITIES.notes["disk"]
