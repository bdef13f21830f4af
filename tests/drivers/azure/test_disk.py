"""Managed disks against the fake: the bodies sent, zones, grow-only resize and Azure's refusal to resize
an attached disk of a running VM, attach/detach through attachDetachDataDisks, and the states mapped."""

from __future__ import annotations

import pytest

from drivers.azure import AzureConnection
from drivers.azure.disk import status_of
from drivers.errors import DependencyError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.types import IID, DiskReqInfo, DiskStatus, VMStatus
from tests.drivers.azure.compute_support import Net, make_net, running_vm, sent, settled_vms
from tests.drivers.azure.fake import FakeAzure

__all__ = ["settled_vms"]  # an autouse fixture, imported to apply here


@pytest.fixture
def net(azure: AzureConnection) -> Net:
    return make_net(azure)


def test_create_sends_an_empty_disk_of_the_default_type(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    created = azure.disk().create_disk(req=DiskReqInfo(name="data-1", tags={"team": "db"}))
    (body,) = sent(fake_azure, "PUT", "/disks/data-1$")
    assert body == {
        "location": "koreacentral",
        "sku": {"name": "StandardSSD_LRS"},
        "tags": {"team": "db"},
        "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 32},
    }
    assert (created.status, created.disk_type, created.disk_size_gb) == (DiskStatus.AVAILABLE, "StandardSSD_LRS", 32)
    assert created.zone == "koreacentral" and created.owner_vm_iid is None
    assert fake_azure.requests("GET", "/operations/")  # the create was waited for


def test_zones(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    zonal = azure.disk().create_disk(req=DiskReqInfo(name="d-z", zone="3", disk_type="Premium_LRS", disk_size_gb=64))
    assert sent(fake_azure, "PUT", "/disks/d-z$")[0]["zones"] == ["3"]
    assert (zonal.zone, zonal.disk_type, zonal.disk_size_gb) == ("3", "Premium_LRS", 64)
    azure._session.zone = "1"
    assert azure.disk().create_disk(req=DiskReqInfo(name="d-conn")).zone == "1"
    assert azure.disk().create_disk(req=DiskReqInfo(name="d-none", zone="koreacentral")).zone == "koreacentral"
    for req, field in (
        (DiskReqInfo(name="d-bad", zone="4"), "zone"),
        (DiskReqInfo(name="d-bad", disk_type="gp3"), "disk_type"),
        (DiskReqInfo(name="d-bad", disk_size_gb=40000), "disk_size_gb"),
        (DiskReqInfo(name="bad/name"), "name"),
    ):
        with pytest.raises(InvalidRequestError) as caught:
            azure.disk().create_disk(req=req)
        assert caught.value.field == field
    assert not fake_azure.requests("PUT", "/disks/d-bad")


def test_resize_grows_only(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    disk = azure.disk().create_disk(req=DiskReqInfo(name="d-1"))
    assert azure.disk().resize_disk(iid=disk.iid, size_gb=64).disk_size_gb == 64
    assert sent(fake_azure, "PATCH", "/disks/d-1$") == [{"properties": {"diskSizeGB": 64}}]
    assert azure.disk().resize_disk(iid=disk.iid, size_gb=64).disk_size_gb == 64  # a retry changes nothing
    with pytest.raises(InvalidRequestError) as caught:
        azure.disk().resize_disk(iid=disk.iid, size_gb=63)
    assert caught.value.field == "size_gb"
    assert len(sent(fake_azure, "PATCH", "/disks/d-1$")) == 1


def test_an_attached_disk_of_a_running_vm_is_resized_once_the_vm_is_deallocated(
    azure: AzureConnection, fake_azure: FakeAzure, net: Net
) -> None:
    disk = azure.disk().create_disk(req=DiskReqInfo(name="d-1"))
    vm = running_vm(azure, net)
    azure.disk().attach_disk(iid=disk.iid, vm_iid=vm)
    with pytest.raises(InvalidStateError) as caught:
        azure.disk().resize_disk(iid=disk.iid, size_gb=100)
    assert caught.value.field == "size_gb" and "deallocate" in caught.value.message
    azure.vm().suspend_vm(iid=vm)
    for _ in range(20):  # a deallocation takes a few polls
        if azure.vm().get_vm_status(iid=vm) == VMStatus.SUSPENDED:
            break
    assert azure.disk().resize_disk(iid=disk.iid, size_gb=100).disk_size_gb == 100


def test_attach_and_detach_through_the_vm(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    first = azure.disk().create_disk(req=DiskReqInfo(name="d-1"))
    second = azure.disk().create_disk(req=DiskReqInfo(name="d-2"))
    vm = running_vm(azure, net)
    attached = azure.disk().attach_disk(iid=IID(name_id="d-1"), vm_iid=IID(name_id="vm-1"))
    assert attached.status == DiskStatus.ATTACHED and attached.owner_vm_iid == vm
    azure.disk().attach_disk(iid=second.iid, vm_iid=vm)
    assert sent(fake_azure, "POST", "/virtualMachines/vm-1/attachDetachDataDisks$") == [
        {"dataDisksToAttach": [{"diskId": first.iid.system_id, "lun": 0}]},
        {"dataDisksToAttach": [{"diskId": second.iid.system_id, "lun": 1}]},
    ]
    assert azure.vm().get_vm(iid=vm).data_disk_iids == (first.iid, second.iid)
    with pytest.raises(DependencyError):
        azure.disk().delete_disk(iid=first.iid)
    assert not fake_azure.requests("DELETE", "/disks/d-1")

    detached = azure.disk().detach_disk(iid=first.iid, vm_iid=vm)
    assert detached.status == DiskStatus.AVAILABLE and detached.owner_vm_iid is None
    assert sent(fake_azure, "POST", "/attachDetachDataDisks$")[-1] == {
        "dataDisksToDetach": [{"diskId": first.iid.system_id}]
    }
    with pytest.raises(InvalidStateError):
        azure.disk().detach_disk(iid=first.iid, vm_iid=vm)
    # The freed LUN is the next one used.
    azure.disk().attach_disk(iid=first.iid, vm_iid=vm)
    assert sent(fake_azure, "POST", "/attachDetachDataDisks$")[-1]["dataDisksToAttach"][0]["lun"] == 0


@pytest.mark.parametrize("disk_type", ["PremiumV2_LRS", "UltraSSD_LRS"])
def test_premium_v2_and_ultra_disks_are_zonal_and_attach_without_host_caching(
    azure: AzureConnection, fake_azure: FakeAzure, net: Net, disk_type: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        azure.disk().create_disk(req=DiskReqInfo(name="d-v2", disk_type=disk_type, disk_size_gb=64))
    assert caught.value.field == "zone"
    assert not fake_azure.requests("PUT", "/disks/d-v2")
    azure._session.zone = "1"
    first = azure.disk().create_disk(req=DiskReqInfo(name="d-v2", disk_type=disk_type, disk_size_gb=64))
    second = azure.disk().create_disk(req=DiskReqInfo(name="d-v2b", disk_type=disk_type, disk_size_gb=64))
    vm = running_vm(azure, net, data_disk_iids=(second.iid,))
    assert (
        sent(fake_azure, "PUT", "/virtualMachines/vm-1$")[0]["properties"]["storageProfile"]["dataDisks"][0]["caching"]
        == "None"
    )
    attached = azure.disk().attach_disk(iid=first.iid, vm_iid=vm)
    assert attached.status == DiskStatus.ATTACHED
    assert sent(fake_azure, "POST", "/attachDetachDataDisks$")[-1] == {
        "dataDisksToAttach": [{"diskId": first.iid.system_id, "lun": 1, "caching": "None"}]
    }


def test_a_disk_of_another_zone_does_not_attach(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    disk = azure.disk().create_disk(req=DiskReqInfo(name="d-z", zone="2"))
    vm = running_vm(azure, net)
    with pytest.raises(InvalidRequestError) as caught:
        azure.disk().attach_disk(iid=disk.iid, vm_iid=vm)
    assert caught.value.field == "iid"
    with pytest.raises(NotFoundError) as missing:
        azure.disk().attach_disk(iid=disk.iid, vm_iid=IID(name_id="no-vm"))
    assert missing.value.field == "vm_iid"


def test_lists_cross_pages_and_show_os_disks(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    for index in range(3):
        azure.disk().create_disk(req=DiskReqInfo(name=f"d-{index}"))
    running_vm(azure, net)
    disks = azure.disk().list_disks()
    assert [disk.iid.name_id for disk in disks] == ["d-0", "d-1", "d-2", "vm-1-osdisk"]
    assert disks[-1].status == DiskStatus.ATTACHED and disks[-1].extra["os_type"] == "Linux"
    assert fake_azure.requests("GET", r"/disks\?.*skiptoken")


def test_delete_waits_and_is_idempotent(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    disk = azure.disk().create_disk(req=DiskReqInfo(name="d-1"))
    azure.disk().delete_disk(iid=disk.iid)
    with pytest.raises(NotFoundError):
        azure.disk().get_disk(iid=disk.iid)
    azure.disk().delete_disk(iid=disk.iid)
    assert len(fake_azure.requests("DELETE", "/disks/d-1")) == 1


@pytest.mark.parametrize(
    ("provisioning", "state", "status"),
    [
        ("Creating", "", DiskStatus.CREATING),
        ("Succeeded", "Unattached", DiskStatus.AVAILABLE),
        ("Succeeded", "Attached", DiskStatus.ATTACHED),
        ("Succeeded", "Reserved", DiskStatus.ATTACHED),
        ("Succeeded", "ActiveSAS", DiskStatus.AVAILABLE),
        ("Updating", "Attached", DiskStatus.ATTACHED),
        ("Deleting", "Unattached", DiskStatus.DELETING),
        ("Failed", "Unattached", DiskStatus.ERROR),
    ],
)
def test_states(provisioning: str, state: str, status: DiskStatus) -> None:
    assert status_of({"properties": {"provisioningState": provisioning, "diskState": state}}) == status
