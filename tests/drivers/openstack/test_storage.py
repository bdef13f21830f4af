"""Cinder volumes and Glance snapshots: waits, metadata and tags as each service keeps them."""

from __future__ import annotations

import pytest

from drivers.errors import DependencyError, InvalidRequestError, InvalidStateError
from drivers.openstack import OpenStackConnection
from drivers.types import IID, DiskReqInfo, DiskStatus, MyImageReqInfo, MyImageStatus, ResourceKind, VMStatus
from tests.drivers.openstack.fake import FakeOpenStack
from tests.drivers.openstack.net_support import vm_req

REGION = "RegionOne"


def _running_vm(conn: OpenStackConnection) -> IID:
    vm = conn.vm().start_vm(req=vm_req(conn)).iid
    while conn.vm().get_vm_status(iid=vm) != VMStatus.RUNNING:
        pass
    return vm


def test_a_disk_is_a_volume_with_metadata_tags(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    disk = conn.disk().create_disk(req=DiskReqInfo(name="d", disk_type="ssd", disk_size_gb=20, tags={"a": "b"}))
    volume = fake.coll(REGION, "volumes")[disk.iid.system_id]
    assert (volume["size"], volume["volume_type"], volume["metadata"]) == (20, "ssd", {"a": "b"})
    assert disk.status == DiskStatus.CREATING and disk.zone == "nova"
    conn.tag().add_tag(kind=ResourceKind.DISK, iid=disk.iid, key="c", value="d")
    assert volume["metadata"] == {"a": "b", "c": "d"}


def test_resize_waits_for_the_extend_and_only_grows(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.polls_until_done = 3
    disk = conn.disk().create_disk(req=DiskReqInfo(name="d"))
    grown = conn.disk().resize_disk(iid=disk.iid, size_gb=15)
    assert (grown.disk_size_gb, grown.status, fake.coll(REGION, "volumes")[disk.iid.system_id]["status"]) == (
        15,
        DiskStatus.AVAILABLE,
        "available",
    )
    with pytest.raises(InvalidRequestError) as caught:
        conn.disk().resize_disk(iid=disk.iid, size_gb=15)
    assert caught.value.field == "size_gb"


def test_attach_waits_until_in_use_and_detach_until_available(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.polls_until_done = 3
    vm = _running_vm(conn)
    disk = conn.disk().create_disk(req=DiskReqInfo(name="d"))
    attached = conn.disk().attach_disk(iid=disk.iid, vm_iid=vm)
    assert fake.coll(REGION, "volumes")[disk.iid.system_id]["status"] == "in-use"
    assert attached.owner_vm_iid == vm
    with pytest.raises(DependencyError):
        conn.disk().delete_disk(iid=disk.iid)
    detached = conn.disk().detach_disk(iid=disk.iid, vm_iid=vm)
    assert fake.coll(REGION, "volumes")[disk.iid.system_id]["status"] == "available" and detached.owner_vm_iid is None
    with pytest.raises(InvalidStateError):
        conn.disk().detach_disk(iid=disk.iid, vm_iid=vm)


def test_delete_waits_until_cinder_has_let_the_volume_go(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.polls_until_done = 3
    disk = conn.disk().create_disk(req=DiskReqInfo(name="d"))
    conn.disk().delete_disk(iid=disk.iid)  # while it is still creating: the driver waits, then deletes
    assert fake.coll(REGION, "volumes") == {}


def test_a_snapshot_is_a_private_glance_image_saved_over_polls(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.polls_until_done = 3
    vm = _running_vm(conn)
    image = conn.my_image().create_my_image(req=MyImageReqInfo(name="img", source_vm_iid=vm, tags={"v": "1"}))
    stored = fake.coll(REGION, "images")[image.iid.system_id]
    assert (stored["visibility"], stored["instance_uuid"], stored["tags"]) == ("private", vm.system_id, ["v=1"])
    assert image.status == MyImageStatus.UNAVAILABLE and image.source_vm_iid == vm and image.tags == {"v": "1"}
    statuses = [conn.my_image().get_my_image(iid=image.iid).status for _ in range(4)]
    assert statuses[-1] == MyImageStatus.AVAILABLE
    assert image.iid not in [i.iid for i in conn.image().list_images()]  # not among the public images
