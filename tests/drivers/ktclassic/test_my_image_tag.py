"""Machine images from a VM's root volume, and tags on VMs, disks and images."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import InvalidRequestError, NotSupportedError
from drivers.ktclassic import KTClassicConnection
from drivers.types import IID, DiskReqInfo, MyImageReqInfo, MyImageStatus, ResourceKind, VMStatus
from tests.drivers.ktclassic.fake import FakeKT
from tests.drivers.ktclassic.net_support import vm_setup


def test_an_image_is_a_template_of_the_root_volume_and_boots_vms(kt: KTClassicConnection, fake: FakeKT) -> None:
    req = vm_setup(kt)
    source = kt.vm().start_vm(req=req).iid
    image = kt.my_image().create_my_image(req=MyImageReqInfo(name="img-01", source_vm_iid=source, tags={"v": "1"}))
    root = next(v for v in fake.table("volumes").values() if v["type"] == "ROOT")
    create = next(args for command, args in fake.calls if command == "createTemplate")
    assert create["volumeid"] == root["id"] and create["ostypeid"]
    assert image.status == MyImageStatus.UNAVAILABLE and image.source_vm_iid == source and image.tags == {"v": "1"}
    with pytest.raises(Exception, match="not ready"):
        kt.vm().start_vm(req=replace(req, name="vm-02", image_type="MyImage", image_iid=IID(name_id="img-01")))
    for _ in range(8):
        kt.region_zone().list_region_zones()
    assert kt.my_image().get_my_image(iid=IID(name_id="img-01")).status == MyImageStatus.AVAILABLE
    copy = kt.vm().start_vm(req=replace(req, name="vm-02", image_type="MyImage", image_iid=IID(name_id="img-01")))
    assert (copy.image_type, copy.image_iid) == ("MyImage", image.iid)
    kt.my_image().delete_my_image(iid=image.iid)
    assert kt.my_image().list_my_images() == []
    assert kt.vm().get_vm_status(iid=copy.iid) == VMStatus.RUNNING


def test_tags_on_vms_disks_and_images(kt: KTClassicConnection, fake: FakeKT) -> None:
    vm = kt.vm().start_vm(req=vm_setup(kt)).iid
    disk = kt.disk().create_disk(req=DiskReqInfo(name="disk-01")).iid
    tags = kt.tag()
    assert tags.add_tag(kind=ResourceKind.VM, iid=vm, key="owner", value="alice").tags == {
        "env": "test",
        "owner": "alice",
    }
    assert tags.add_tag(kind=ResourceKind.VM, iid=vm, key="owner", value="bob").tags["owner"] == "bob"
    tags.add_tag(kind=ResourceKind.DISK, iid=disk, key="owner", value="bob")
    found = {(info.kind, info.resource_iid.name_id) for info in tags.find_tags(keyword="bob")}
    assert found == {(ResourceKind.VM, "vm-01"), (ResourceKind.DISK, "disk-01")}
    tags.remove_tag(kind=ResourceKind.DISK, iid=disk, key="owner")
    assert tags.list_tags(kind=ResourceKind.DISK, iid=disk).tags == {}
    # The VM's own records stay on it, out of sight and out of reach.
    assert any(t["key"].startswith("spiderweb-") for t in fake.table("tags").values())
    with pytest.raises(InvalidRequestError):
        tags.add_tag(kind=ResourceKind.VM, iid=vm, key="spiderweb-vpc", value="x")
    with pytest.raises(NotSupportedError):
        tags.list_tags(kind=ResourceKind.VPC, iid=IID(name_id="vpc-01"))
