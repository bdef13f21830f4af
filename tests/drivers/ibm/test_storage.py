"""Volumes as disks, snapshots of boot volumes as machine images."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import InvalidRequestError, InvalidStateError
from drivers.ibm import IBMConnection
from drivers.types import IID, DiskReqInfo, DiskStatus, MyImageReqInfo, MyImageStatus
from tests.drivers.ibm.fake import FakeIBM
from tests.drivers.ibm.net_support import make_net, running_vm, state, vm_req


def test_boot_volumes_are_not_disks(fake: FakeIBM, ibm: IBMConnection) -> None:
    net = make_net(ibm)
    running_vm(ibm, net)
    assert len(state(fake, "volumes")) == 1
    assert ibm.disk().list_disks() == []


def test_disk_defaults_zone_and_type_checks(ibm: IBMConnection) -> None:
    disk = ibm.disk().create_disk(req=DiskReqInfo(name="data-1"))
    assert (disk.zone, disk.disk_type, disk.disk_size_gb, disk.status) == (
        "us-south-1",
        "general-purpose",
        100,
        DiskStatus.CREATING,
    )
    with pytest.raises(InvalidRequestError) as caught:
        ibm.disk().create_disk(req=DiskReqInfo(name="data-2", disk_type="custom"))
    assert caught.value.field == "disk_type"
    with pytest.raises(InvalidRequestError) as caught:
        ibm.disk().create_disk(req=DiskReqInfo(name="data-2", disk_size_gb=5))
    assert caught.value.field == "disk_size_gb"


def test_detaching_a_disk_from_another_vm_is_an_invalid_state(ibm: IBMConnection) -> None:
    net = make_net(ibm)
    first, second = running_vm(ibm, net, "vm-1"), running_vm(ibm, net, "vm-2")
    ibm.disk().create_disk(req=DiskReqInfo(name="data-1"))
    ibm.disk().attach_disk(iid=IID(name_id="data-1"), vm_iid=first)
    with pytest.raises(InvalidStateError):
        ibm.disk().detach_disk(iid=IID(name_id="data-1"), vm_iid=second)


def test_a_machine_image_is_a_boot_volume_snapshot_that_boots_a_vm(fake: FakeIBM, ibm: IBMConnection) -> None:
    net = make_net(ibm)
    source = running_vm(ibm, net)
    image = ibm.my_image().create_my_image(req=MyImageReqInfo(name="img-1", source_vm_iid=source))
    [snapshot] = state(fake, "snapshots")
    [boot] = state(fake, "volumes")
    assert snapshot["source_volume"]["id"] == boot["id"]  # type: ignore[index]
    assert image.status == MyImageStatus.UNAVAILABLE and image.extra["source_image"]
    for _ in range(3):
        ibm.my_image().list_my_images()
    assert ibm.my_image().get_my_image(iid=image.iid).status == MyImageStatus.AVAILABLE
    copy = ibm.vm().start_vm(req=replace(vm_req(net, "vm-2"), image_type="MyImage", image_iid=IID(name_id="img-1")))
    assert (copy.image_type, copy.image_iid) == ("MyImage", image.iid)
    [restored] = [v for v in state(fake, "volumes") if v["name"] == "vm-2-boot"]
    assert restored["source_snapshot"]["id"] == image.iid.system_id  # type: ignore[index]


def test_a_data_volume_snapshot_is_not_a_machine_image(fake: FakeIBM, ibm: IBMConnection) -> None:
    disk = ibm.disk().create_disk(req=DiskReqInfo(name="data-1"))
    ibm.vpc()  # the connection is open; the snapshot is made behind the driver's back
    fake.collection("4b8c1a2e9f0d4c3b8a7e6d5c4b3a2f10", "us-south", "snapshots")["x"] = {
        "id": "x",
        "name": "data-snap",
        "bootable": False,
        "lifecycle_state": "stable",
        "source_volume": {"id": disk.iid.system_id, "name": "data-1"},
    }
    assert ibm.my_image().list_my_images() == []
