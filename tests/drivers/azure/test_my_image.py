"""Machine images against the fake: a snapshot of the VM's OS disk, an image made from it and the
snapshot deleted again (also when the image fails), VMs booting from the image, and the states mapped."""

from __future__ import annotations

import pytest

from drivers.azure import AzureConnection
from drivers.azure._compute import SOURCE_VM_TAG
from drivers.azure.my_image import my_image_info
from drivers.errors import AlreadyExistsError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.types import IID, MyImageReqInfo, MyImageStatus
from tests.drivers.azure.compute_support import Net, make_net, of_type, running_vm, sent, settled_vms, vm_req
from tests.drivers.azure.fake import FakeAzure, error

SNAPSHOT = "Microsoft.Compute/snapshots"

__all__ = ["settled_vms"]  # an autouse fixture, imported to apply here


@pytest.fixture
def net(azure: AzureConnection) -> Net:
    return make_net(azure)


def test_an_image_is_made_from_a_snapshot_of_the_os_disk(
    azure: AzureConnection, fake_azure: FakeAzure, net: Net
) -> None:
    vm = running_vm(azure, net)
    created = azure.my_image().create_my_image(req=MyImageReqInfo(name="img-1", source_vm_iid=vm, tags={"v": "1"}))

    (snapshot,) = sent(fake_azure, "PUT", "/snapshots/img-1-snapshot$")
    os_disk_id = vm.system_id.replace("virtualMachines/vm-1", "disks/vm-1-osdisk")
    assert snapshot["properties"]["creationData"] == {"createOption": "Copy", "sourceResourceId": os_disk_id}
    (image,) = sent(fake_azure, "PUT", "/images/img-1$")
    os_disk = image["properties"]["storageProfile"]["osDisk"]
    assert (os_disk["osType"], os_disk["osState"]) == ("Linux", "Generalized")
    assert os_disk["snapshot"]["id"].endswith("/snapshots/img-1-snapshot")
    assert image["properties"]["hyperVGeneration"] == "V2"  # the OS disk's, from the marketplace image
    assert image["tags"] == {"v": "1", SOURCE_VM_TAG: vm.system_id}

    assert created.iid.name_id == "img-1" and created.iid.system_id.endswith("/images/img-1")
    assert (created.status, created.source_vm_iid, created.tags) == (MyImageStatus.AVAILABLE, vm, {"v": "1"})
    assert of_type(fake_azure, SNAPSHOT) == []  # the image holds its own copy
    assert [image.iid for image in azure.my_image().list_my_images()] == [created.iid]
    with pytest.raises(AlreadyExistsError):
        azure.my_image().create_my_image(req=MyImageReqInfo(name="img-1", source_vm_iid=vm))


def test_vms_boot_from_the_image(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    vm = running_vm(azure, net)
    image = azure.my_image().create_my_image(req=MyImageReqInfo(name="img-1", source_vm_iid=vm))
    copy = azure.vm().start_vm(req=vm_req(net, "vm-2", image_type="MyImage", image_iid=IID(name_id="img-1")))
    (body,) = sent(fake_azure, "PUT", "/virtualMachines/vm-2$")
    assert body["properties"]["storageProfile"]["imageReference"] == {"id": image.iid.system_id}
    assert (copy.image_type, copy.image_iid) == ("MyImage", image.iid)

    azure.my_image().delete_my_image(iid=image.iid)
    with pytest.raises(NotFoundError):
        azure.my_image().get_my_image(iid=image.iid)
    assert azure.vm().get_vm(iid=copy.iid).image_iid == image.iid  # the VM keeps its own disk
    azure.my_image().delete_my_image(iid=image.iid)


def test_a_failed_image_leaves_no_snapshot(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    vm = running_vm(azure, net)
    fake_azure.inject("PUT", r"/images/img-1\?", error(400, "InvalidParameter", "The image cannot be made."))
    with pytest.raises(InvalidRequestError):
        azure.my_image().create_my_image(req=MyImageReqInfo(name="img-1", source_vm_iid=vm))
    assert of_type(fake_azure, SNAPSHOT) == []
    assert azure.my_image().list_my_images() == []


def test_a_vm_still_creating_is_not_snapshotted(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    vm = azure.vm().start_vm(req=vm_req(net))
    with pytest.raises(InvalidStateError) as caught:
        azure.my_image().create_my_image(req=MyImageReqInfo(name="img-1", source_vm_iid=vm.iid))
    assert caught.value.field == "source_vm_iid"
    assert not fake_azure.requests("PUT", "/snapshots/")
    with pytest.raises(NotFoundError) as missing:
        azure.my_image().create_my_image(req=MyImageReqInfo(name="img-1", source_vm_iid=IID(name_id="no-vm")))
    assert missing.value.field == "source_vm_iid"


def test_delete_removes_a_leftover_snapshot(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    vm = running_vm(azure, net)
    fake_azure.inject("DELETE", r"/snapshots/img-1-snapshot\?", error(500, "InternalServerError", "Try later."))
    image = azure.my_image().create_my_image(req=MyImageReqInfo(name="img-1", source_vm_iid=vm))
    assert of_type(fake_azure, SNAPSHOT) == ["img-1-snapshot"]
    azure.my_image().delete_my_image(iid=image.iid)
    assert of_type(fake_azure, SNAPSHOT) == []


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("Creating", MyImageStatus.UNAVAILABLE),
        ("Succeeded", MyImageStatus.AVAILABLE),
        ("Failed", MyImageStatus.UNAVAILABLE),
        ("Deleting", MyImageStatus.DELETING),
    ],
)
def test_states(state: str, status: MyImageStatus) -> None:
    image = {"id": "/x/images/img", "name": "img", "properties": {"provisioningState": state}}
    assert my_image_info(image).status == status
