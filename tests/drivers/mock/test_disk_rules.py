"""Disk rules of the mock: types and sizes, zones, the Creating window, attachment and VM ends."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import DependencyError, InvalidRequestError, InvalidStateError, QuotaError
from drivers.mock import MockConnection
from drivers.types import IID, DiskReqInfo, DiskStatus, VMReqInfo
from tests.drivers.support import MakeConnection, settle, vm_setup


@pytest.fixture
def req(conn: MockConnection) -> VMReqInfo:
    return vm_setup(conn, zone="mars-z2")


def _disk(conn: MockConnection, name: str = "disk-01", zone: str = "mars-z2", **kwargs: object) -> IID:
    return conn.disk().create_disk(req=DiskReqInfo(name=name, zone=zone, **kwargs)).iid  # type: ignore[arg-type]


def _running_vm(conn: MockConnection, req: VMReqInfo, name: str = "vm-01") -> IID:
    vm = conn.vm().start_vm(req=replace(req, name=name)).iid
    settle()
    return vm


@pytest.mark.parametrize(("disk_type", "size"), [("", 100), ("standard", 100), ("ssd", 50), ("io", 100)])
def test_each_type_has_a_default_size(conn: MockConnection, disk_type: str, size: int) -> None:
    disk = conn.disk().create_disk(req=DiskReqInfo(name="d", disk_type=disk_type))
    assert (disk.disk_type, disk.disk_size_gb) == (disk_type or "standard", size)


@pytest.mark.parametrize(
    ("disk_type", "size", "field"),
    [
        ("floppy", 0, "disk_type"),
        ("io", 2, "disk_size_gb"),
        ("ssd", 20_000, "disk_size_gb"),
        ("standard", -5, "disk_size_gb"),
    ],
)
def test_type_and_size_are_checked(conn: MockConnection, disk_type: str, size: int, field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        conn.disk().create_disk(req=DiskReqInfo(name="d", disk_type=disk_type, disk_size_gb=size))
    assert caught.value.field == field
    assert conn.disk().list_disks() == []


def test_zone_defaults_to_the_connection_zone(make_connection: MakeConnection) -> None:
    assert make_connection(zone="mars-z2").disk().create_disk(req=DiskReqInfo(name="a")).zone == "mars-z2"
    assert make_connection().disk().create_disk(req=DiskReqInfo(name="b")).zone == "mars-z1"
    with pytest.raises(InvalidRequestError, match="Unavailable") as caught:
        make_connection().disk().create_disk(req=DiskReqInfo(name="c", zone="mars-z3"))
    assert caught.value.field == "zone"


def test_a_creating_disk_can_be_neither_attached_nor_resized(conn: MockConnection, req: VMReqInfo) -> None:
    vm = _running_vm(conn, req)
    disk = _disk(conn)
    assert conn.disk().get_disk(iid=disk).status == DiskStatus.CREATING
    with pytest.raises(InvalidStateError, match="Creating"):
        conn.disk().attach_disk(iid=disk, vm_iid=vm)
    with pytest.raises(InvalidStateError, match="Creating"):
        conn.disk().resize_disk(iid=disk, size_gb=200)
    with pytest.raises(InvalidStateError, match="Creating"):
        conn.vm().start_vm(req=replace(req, name="vm-02", data_disk_iids=(disk,)))
    settle()
    assert conn.disk().attach_disk(iid=disk, vm_iid=vm).status == DiskStatus.ATTACHED


def test_resize_rules(conn: MockConnection) -> None:
    disk = _disk(conn, disk_type="ssd", disk_size_gb=20)
    settle()
    assert conn.disk().resize_disk(iid=disk, size_gb=20).disk_size_gb == 20  # a retried resize is a no-op
    with pytest.raises(InvalidRequestError, match="only grow") as caught:
        conn.disk().resize_disk(iid=disk, size_gb=10)
    assert caught.value.field == "size_gb"
    with pytest.raises(InvalidRequestError, match="16384") as caught:
        conn.disk().resize_disk(iid=disk, size_gb=20_000)
    assert caught.value.field == "size_gb"
    assert conn.disk().resize_disk(iid=disk, size_gb=64).disk_size_gb == 64


def test_a_disk_attaches_only_in_its_zone_and_to_a_settled_vm(conn: MockConnection, req: VMReqInfo) -> None:
    elsewhere = _disk(conn, "disk-z1", zone="mars-z1")
    here = _disk(conn, "disk-z2")
    vm = conn.vm().start_vm(req=req).iid
    settle()  # the disks are Available now, and the VM Running
    conn.vm().suspend_vm(iid=vm)
    with pytest.raises(InvalidStateError, match="Suspending") as caught:
        conn.disk().attach_disk(iid=here, vm_iid=vm)
    assert caught.value.field == "vm_iid"
    settle()
    with pytest.raises(InvalidRequestError, match="mars-z1"):
        conn.disk().attach_disk(iid=elsewhere, vm_iid=vm)
    attached = conn.disk().attach_disk(iid=here, vm_iid=vm)  # a Suspended VM takes disks
    assert attached.extra["device"] == "/dev/sdb"


def test_attachment_errors_name_the_holder(conn: MockConnection, req: VMReqInfo) -> None:
    disk = _disk(conn)
    first, second = _running_vm(conn, req, "vm-01"), _running_vm(conn, req, "vm-02")
    conn.disk().attach_disk(iid=disk, vm_iid=first)
    with pytest.raises(InvalidStateError, match="this VM"):
        conn.disk().attach_disk(iid=disk, vm_iid=first)
    with pytest.raises(InvalidStateError, match="'vm-01'"):
        conn.disk().attach_disk(iid=disk, vm_iid=second)
    with pytest.raises(InvalidStateError, match="attached to VM 'vm-01'"):
        conn.disk().detach_disk(iid=disk, vm_iid=second)
    with pytest.raises(DependencyError, match="vm-01"):
        conn.disk().delete_disk(iid=disk)
    conn.disk().detach_disk(iid=disk, vm_iid=first)
    with pytest.raises(InvalidStateError, match="not attached"):
        conn.disk().detach_disk(iid=disk, vm_iid=first)


def test_a_vm_takes_at_most_eight_data_disks_on_devices_in_order(conn: MockConnection, req: VMReqInfo) -> None:
    disks = [_disk(conn, f"disk-{n}") for n in range(9)]
    settle()
    vm = conn.vm().start_vm(req=replace(req, data_disk_iids=tuple(disks[:8])))
    devices = [conn.disk().get_disk(iid=disk).extra["device"] for disk in disks[:8]]
    assert devices == [f"/dev/sd{letter}" for letter in "bcdefghi"]
    assert vm.data_disk_iids == tuple(conn.disk().get_disk(iid=disk).iid for disk in disks[:8])
    settle()
    with pytest.raises(QuotaError):
        conn.disk().attach_disk(iid=disks[8], vm_iid=vm.iid)
    conn.disk().detach_disk(iid=disks[2], vm_iid=vm.iid)
    assert conn.disk().attach_disk(iid=disks[8], vm_iid=vm.iid).extra["device"] == "/dev/sdd"


def test_a_vm_refused_for_its_disks_leaves_them_alone(conn: MockConnection, req: VMReqInfo) -> None:
    good, elsewhere, taken = _disk(conn, "good"), _disk(conn, "elsewhere", zone="mars-z1"), _disk(conn, "taken")
    settle()
    holder = _running_vm(conn, req, "holder")
    conn.disk().attach_disk(iid=taken, vm_iid=holder)
    cases = [
        ((good, elsewhere), InvalidRequestError, "data_disk_iids[1]"),
        ((good, taken), InvalidStateError, "data_disk_iids[1]"),
        ((good, IID(name_id="good")), InvalidRequestError, "data_disk_iids[1]"),
    ]
    for disks, error, field in cases:
        with pytest.raises(error) as caught:
            conn.vm().start_vm(req=replace(req, data_disk_iids=disks))
        assert caught.value.field == field
    assert [vm.iid.name_id for vm in conn.vm().list_vms()] == ["holder"]
    assert conn.disk().get_disk(iid=good).status == DiskStatus.AVAILABLE


def test_terminating_a_vm_detaches_its_disks(conn: MockConnection, req: VMReqInfo) -> None:
    disk = _disk(conn)
    settle()
    vm = conn.vm().start_vm(req=replace(req, data_disk_iids=(disk,)))
    info = conn.disk().get_disk(iid=disk)
    assert (info.status, info.owner_vm_iid) == (DiskStatus.ATTACHED, vm.iid)
    conn.vm().terminate_vm(iid=vm.iid)
    info = conn.disk().get_disk(iid=disk)
    assert (info.status, info.owner_vm_iid, info.extra) == (DiskStatus.AVAILABLE, None, {})
    conn.disk().delete_disk(iid=disk)
