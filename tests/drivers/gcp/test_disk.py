"""Persistent disks through the fake: what is sent, boot disks left out, changes followed to their end,
and the refusals made before any call."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import DependencyError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.gcp import GCPConnection, GCPDriver
from drivers.gcp.disk import disk_info
from drivers.types import IID, DiskReqInfo, DiskStatus
from tests.drivers.conformance.harness import Harness, make_network, start_running_vm, vm_req
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.support import DEFAULT_ZONE, PROJECT

ZONE_PATH = f"/compute/v1/projects/{PROJECT}/zones/{DEFAULT_ZONE}"


@pytest.fixture
def cloud(gcp: GCPConnection) -> Harness:
    return Harness(
        driver=GCPDriver(),
        conn=gcp,
        image=IID(name_id="projects/debian-cloud/global/images/family/debian-12"),
        spec_name="e2-standard-2",
        vpc_cidr="10.20.0.0/16",
        subnet_cidrs=("10.20.1.0/24", "10.20.2.0/24"),
    )


def _disks(fake: FakeGCP) -> dict[str, dict[str, object]]:
    return fake.collection(PROJECT, f"zones/{DEFAULT_ZONE}/disks")


def test_a_disk_is_a_balanced_persistent_disk_unless_asked(fake: FakeGCP, gcp: GCPConnection) -> None:
    created = gcp.disk().create_disk(req=DiskReqInfo(name="disk-01", tags={"team": "data"}))
    stored = _disks(fake)["disk-01"]
    assert str(stored["type"]).endswith(f"/zones/{DEFAULT_ZONE}/diskTypes/pd-balanced")
    assert stored["labels"] == {"team": "data"}
    assert (created.status, created.zone, created.disk_type, created.disk_size_gb) == (
        DiskStatus.AVAILABLE,
        DEFAULT_ZONE,
        "pd-balanced",
        100,  # Google's size for a blank disk of that type when none is given
    )
    assert any(call.startswith(f"GET {ZONE_PATH}/operations/") for call in fake.calls)

    sized = gcp.disk().create_disk(req=DiskReqInfo(name="disk-02", disk_type="pd-ssd", disk_size_gb=20))
    assert (sized.disk_type, sized.disk_size_gb) == ("pd-ssd", 20)


@pytest.mark.parametrize(
    ("req", "field"),
    [
        (DiskReqInfo(name="disk-01", zone="us-central1-b"), "zone"),
        (DiskReqInfo(name="disk-01", disk_type="gp3"), "disk_type"),
        (DiskReqInfo(name="Disk 01"), "name"),
        (DiskReqInfo(name="disk-01", tags={"Team": "x"}), "tags"),
    ],
)
def test_requests_google_cannot_carry_are_refused(
    fake: FakeGCP, gcp: GCPConnection, req: DiskReqInfo, field: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        gcp.disk().create_disk(req=req)
    assert caught.value.field == field
    assert f"POST {ZONE_PATH}/disks" not in fake.calls


def test_boot_disks_are_not_listed(fake: FakeGCP, cloud: Harness) -> None:
    network = make_network(cloud)
    start_running_vm(cloud, network)
    cloud.conn.disk().create_disk(req=DiskReqInfo(name="disk-01"))
    assert set(_disks(fake)) == {"vm-01", "disk-01"}
    assert [disk.iid.name_id for disk in cloud.conn.disk().list_disks()] == ["disk-01"]


def test_attach_and_detach_name_the_device(fake: FakeGCP, cloud: Harness) -> None:
    network = make_network(cloud)
    vm = start_running_vm(cloud, network)
    disk = cloud.conn.disk().create_disk(req=DiskReqInfo(name="disk-01"))
    attached = cloud.conn.disk().attach_disk(iid=disk.iid, vm_iid=vm)
    assert f"POST {ZONE_PATH}/instances/vm-01/attachDisk" in fake.calls
    assert attached.owner_vm_iid == vm and attached.status == DiskStatus.ATTACHED
    devices = [d["deviceName"] for d in fake.collection(PROJECT, f"zones/{DEFAULT_ZONE}/instances")["vm-01"]["disks"]]
    assert devices == ["persistent-disk-0", "disk-01"]

    detached = cloud.conn.disk().detach_disk(iid=disk.iid, vm_iid=vm)
    assert f"POST {ZONE_PATH}/instances/vm-01/detachDisk" in fake.calls
    assert detached.owner_vm_iid is None and detached.status == DiskStatus.AVAILABLE
    with pytest.raises(InvalidStateError):
        cloud.conn.disk().detach_disk(iid=disk.iid, vm_iid=vm)


def test_a_vm_started_with_a_disk_in_use_is_refused(cloud: Harness) -> None:
    network = make_network(cloud)
    vm = start_running_vm(cloud, network)
    disk = cloud.conn.disk().create_disk(req=DiskReqInfo(name="disk-01"))
    cloud.conn.disk().attach_disk(iid=disk.iid, vm_iid=vm)
    with pytest.raises(InvalidStateError) as caught:
        cloud.conn.vm().start_vm(req=replace(vm_req(cloud, network, "vm-02"), data_disk_iids=(disk.iid,)))
    assert caught.value.field == "data_disk_iids"


def test_an_attached_disk_is_not_deleted(fake: FakeGCP, cloud: Harness) -> None:
    network = make_network(cloud)
    vm = start_running_vm(cloud, network)
    disk = cloud.conn.disk().create_disk(req=DiskReqInfo(name="disk-01"))
    cloud.conn.disk().attach_disk(iid=disk.iid, vm_iid=vm)
    with pytest.raises(DependencyError):
        cloud.conn.disk().delete_disk(iid=disk.iid)
    assert f"DELETE {ZONE_PATH}/disks/disk-01" not in fake.calls


def test_google_refusing_a_delete_as_in_use_is_a_dependency(fake: FakeGCP, gcp: GCPConnection) -> None:
    disk = gcp.disk().create_disk(req=DiskReqInfo(name="disk-01"))
    fake.fail(
        "/disks/disk-01",
        method="DELETE",
        status=400,
        reason="resourceInUseByAnotherResource",
        message="The disk resource 'projects/p/zones/z/disks/disk-01' is already being used by 'instances/vm-09'",
    )
    with pytest.raises(DependencyError) as caught:
        gcp.disk().delete_disk(iid=disk.iid)
    assert "already being used" in caught.value.provider_message
    gcp.disk().delete_disk(iid=disk.iid)
    with pytest.raises(NotFoundError):
        gcp.disk().get_disk(iid=disk.iid)


def test_resize_grows_only(fake: FakeGCP, gcp: GCPConnection) -> None:
    disk = gcp.disk().create_disk(req=DiskReqInfo(name="disk-01", disk_size_gb=20))
    assert gcp.disk().resize_disk(iid=disk.iid, size_gb=20).disk_size_gb == 20
    assert f"POST {ZONE_PATH}/disks/disk-01/resize" not in fake.calls
    with pytest.raises(InvalidRequestError) as caught:
        gcp.disk().resize_disk(iid=disk.iid, size_gb=10)
    assert caught.value.field == "size_gb"
    assert gcp.disk().resize_disk(iid=disk.iid, size_gb=50).disk_size_gb == 50
    assert _disks(fake)["disk-01"]["sizeGb"] == "50"


def test_lookups_by_id_filter_the_list(fake: FakeGCP, gcp: GCPConnection) -> None:
    disk = gcp.disk().create_disk(req=DiskReqInfo(name="disk-01"))
    assert gcp.disk().get_disk(iid=IID(name_id="", system_id=disk.iid.system_id)).iid == disk.iid
    with pytest.raises(NotFoundError):
        gcp.disk().get_disk(iid=IID(name_id="disk-01", system_id="123"))


@pytest.mark.parametrize(
    ("status", "users", "expected"),
    [
        ("CREATING", [], DiskStatus.CREATING),
        ("RESTORING", [], DiskStatus.CREATING),
        ("READY", [], DiskStatus.AVAILABLE),
        ("READY", ["https://www.googleapis.com/compute/v1/projects/p/zones/z/instances/vm-01"], DiskStatus.ATTACHED),
        ("DELETING", [], DiskStatus.DELETING),
        ("FAILED", [], DiskStatus.ERROR),
    ],
)
def test_statuses(status: str, users: list[str], expected: DiskStatus) -> None:
    from google.cloud.compute_v1.types import compute

    disk = compute.Disk(name="d", id=1, status=status, users=users, size_gb=10)
    info = disk_info(disk, {})
    assert info.status == expected
    assert (info.owner_vm_iid.name_id if info.owner_vm_iid else "") == ("vm-01" if users else "")
