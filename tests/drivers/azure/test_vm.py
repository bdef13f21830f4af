"""VMs against the fake: the public IP, NIC and VM bodies sent, statuses from the instance view, the
power operations, compensations when Azure refuses the VM, and terminate leaving nothing behind."""

from __future__ import annotations

import pytest

from drivers.azure import AzureConnection, AzureDriver
from drivers.azure._compute import KEY_PAIR_TAG
from drivers.azure._vm_convert import status_of
from drivers.errors import InvalidRequestError, InvalidStateError, NotFoundError, QuotaError, TransientError
from drivers.types import IID, SecurityReqInfo, VMStatus
from tests.drivers.azure.compute_support import GROUP, Net, make_net, of_type, running_vm, sent, settled_vms, vm_req
from tests.drivers.azure.fake import FakeAzure, error
from tests.drivers.azure.fake.vm_state import set_power, settle_all

NIC = "Microsoft.Network/networkInterfaces"
PIP = "Microsoft.Network/publicIPAddresses"
VM = "Microsoft.Compute/virtualMachines"
DISK = "Microsoft.Compute/disks"

__all__ = ["settled_vms"]  # an autouse fixture, imported to apply here


@pytest.fixture
def net(azure: AzureConnection) -> Net:
    return make_net(azure)


def test_start_sends_an_address_a_nic_and_the_vm(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    started = azure.vm().start_vm(req=vm_req(net))

    (pip,) = sent(fake_azure, "PUT", "/publicIPAddresses/vm-1-ip$")
    assert pip["sku"]["name"] == "Standard" and "zones" not in pip
    assert pip["properties"] == {
        "publicIPAllocationMethod": "Static",
        "publicIPAddressVersion": "IPv4",
        "deleteOption": "Delete",
    }
    (nic,) = sent(fake_azure, "PUT", "/networkInterfaces/vm-1-nic$")
    config = nic["properties"]["ipConfigurations"][0]["properties"]
    assert config["subnet"]["id"] == net.subnet.system_id
    assert config["publicIPAddress"]["id"].endswith("/publicIPAddresses/vm-1-ip")
    assert nic["properties"]["networkSecurityGroup"]["id"] == net.sg.system_id

    (body,) = sent(fake_azure, "PUT", "/virtualMachines/vm-1$")
    props = body["properties"]
    assert props["hardwareProfile"] == {"vmSize": "Standard_B2s"}
    assert props["storageProfile"]["imageReference"] == {
        "publisher": "Canonical",
        "offer": "ubuntu-24_04-lts",
        "sku": "server",
        "version": "latest",
    }
    assert props["storageProfile"]["osDisk"]["deleteOption"] == "Delete"
    assert props["networkProfile"]["networkInterfaces"][0]["properties"]["deleteOption"] == "Delete"
    assert props["osProfile"]["adminUsername"] == "cb-user"
    linux = props["osProfile"]["linuxConfiguration"]
    assert linux["disablePasswordAuthentication"] is True
    assert linux["ssh"]["publicKeys"] == [{"path": "/home/cb-user/.ssh/authorized_keys", "keyData": net.public_key}]
    assert body["tags"] == {"env": "test", KEY_PAIR_TAG: net.key.system_id}
    assert "zones" not in body

    # The VM's create is sent and answered at once; the address and NIC were waited for.
    assert started.status == VMStatus.CREATING
    assert started.tags == {"env": "test"} and started.key_pair_iid == net.key
    assert started.public_ip and started.private_ip == "10.0.1.4"
    assert started.zone == "koreacentral" and started.vm_user_id == "cb-user"
    assert fake_azure.requests("GET", r"/operations/")


def test_a_connection_zone_places_the_vm_and_its_address(
    azure: AzureConnection, fake_azure: FakeAzure, net: Net, azure_driver: AzureDriver
) -> None:
    # A connection registered with zone 2 of the same region, seeing the same network.
    zonal = azure_driver.connect(fake_azure.connection_info(zone="2"))
    started = zonal.vm().start_vm(req=vm_req(net))
    zonal.close()
    assert sent(fake_azure, "PUT", "/virtualMachines/vm-1$")[0]["zones"] == ["2"]
    assert sent(fake_azure, "PUT", "/publicIPAddresses/vm-1-ip$")[0]["zones"] == ["2"]
    assert started.zone == "2"


def test_one_security_group_per_vm(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    second = azure.security_group().create_security_group(req=SecurityReqInfo(name="sg-2", vpc_iid=net.vpc))
    with pytest.raises(InvalidRequestError) as caught:
        azure.vm().start_vm(req=vm_req(net, security_group_iids=(net.sg, second.iid)))
    assert caught.value.field == "security_group_iids"
    with pytest.raises(InvalidRequestError) as caught:
        azure.vm().start_vm(req=vm_req(net, "vm_1"))
    assert caught.value.field == "name"
    assert not fake_azure.requests("PUT", "/networkInterfaces/")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"image_iid": IID(name_id="Canonical:no-such-offer:server:latest")}, "image_iid"),
        ({"spec_name": "Standard_Z99"}, "spec_name"),
        ({"subnet_iid": IID(name_id="no-such-subnet")}, "subnet_iid"),
        ({"key_pair_iid": IID(name_id="no-such-key")}, "key_pair_iid"),
        ({"data_disk_iids": (IID(name_id="no-such-disk"),)}, "data_disk_iids[0]"),
    ],
)
def test_missing_references_are_named_before_anything_is_made(
    azure: AzureConnection, fake_azure: FakeAzure, net: Net, change: dict[str, object], field: str
) -> None:
    with pytest.raises(NotFoundError) as caught:
        azure.vm().start_vm(req=vm_req(net, **change))
    assert caught.value.field == field
    assert not fake_azure.requests("PUT", "/publicIPAddresses/")


def test_an_arm64_image_needs_an_arm64_spec(azure: AzureConnection, net: Net) -> None:
    arm = IID(name_id="Canonical:ubuntu-24_04-lts:server-arm64:latest")
    with pytest.raises(InvalidRequestError) as caught:
        azure.vm().start_vm(req=vm_req(net, image_iid=arm))
    assert caught.value.field == "spec_name"


def test_windows_takes_a_password_not_a_key(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    windows = IID(name_id="MicrosoftWindowsServer:WindowsServer:2022-datacenter-g2:latest")
    with pytest.raises(InvalidRequestError) as caught:
        azure.vm().start_vm(req=vm_req(net, image_iid=windows))
    assert caught.value.field == "key_pair_iid"
    with pytest.raises(InvalidRequestError) as caught:
        azure.vm().start_vm(req=vm_req(net, image_iid=windows, key_pair_iid=None, vm_user_password="short"))
    assert caught.value.field == "vm_user_password"
    started = azure.vm().start_vm(
        req=vm_req(net, image_iid=windows, key_pair_iid=None, vm_user_password="A-long-enough-1")
    )
    (body,) = sent(fake_azure, "PUT", "/virtualMachines/vm-1$")
    assert body["properties"]["osProfile"]["adminPassword"] == "A-long-enough-1"
    assert started.platform == "Windows" and started.key_pair_iid is None


def test_a_vm_azure_refuses_leaves_no_nic_or_address(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    fake_azure.inject(
        "PUT",
        r"/virtualMachines/vm-1\?",
        error(
            409,
            "OperationNotAllowed",
            "Operation could not be completed as it results in exceeding approved standardBSFamily Cores quota.",
        ),
    )
    with pytest.raises(QuotaError):
        azure.vm().start_vm(req=vm_req(net))
    assert of_type(fake_azure, NIC) == [] and of_type(fake_azure, PIP) == []
    assert fake_azure.requests("DELETE", "/networkInterfaces/vm-1-nic")
    assert azure.vm().list_vms() == []


def test_statuses_follow_the_instance_view(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    vm = running_vm(azure, net)
    assert azure.vm().suspend_vm(iid=vm) == VMStatus.SUSPENDING
    assert fake_azure.requests("POST", "/virtualMachines/vm-1/deallocate")
    with pytest.raises(InvalidStateError):
        azure.vm().resume_vm(iid=vm)  # still deallocating
    _settles(azure, vm, VMStatus.SUSPENDED)
    with pytest.raises(InvalidStateError):
        azure.vm().suspend_vm(iid=vm)
    assert azure.vm().resume_vm(iid=vm) == VMStatus.RESUMING
    assert fake_azure.requests("POST", "/virtualMachines/vm-1/start")
    _settles(azure, vm, VMStatus.RUNNING)
    assert azure.vm().reboot_vm(iid=vm) == VMStatus.REBOOTING
    assert fake_azure.requests("POST", "/virtualMachines/vm-1/restart")
    _settles(azure, vm, VMStatus.RUNNING)
    set_power(fake_azure, vm.system_id, "stopped")  # shut down from inside the guest
    assert azure.vm().get_vm_status(iid=vm) == VMStatus.SUSPENDED
    set_power(fake_azure, vm.system_id, "", provisioning="Failed")
    assert azure.vm().get_vm(iid=vm).status == VMStatus.FAILED


def _settles(azure: AzureConnection, vm: IID, status: VMStatus) -> None:
    """Each read of the fake's VM counts as time passing: a few reads see it settle."""
    seen = [azure.vm().get_vm_status(iid=vm)]
    while seen[-1] != status and len(seen) < 20:
        seen.append(azure.vm().get_vm_status(iid=vm))
    assert seen[-1] == status, seen


@pytest.mark.parametrize(
    ("provisioning", "power", "status"),
    [
        ("creating", "", VMStatus.CREATING),
        ("creating", "starting", VMStatus.CREATING),
        ("succeeded", "running", VMStatus.RUNNING),
        ("updating", "deallocating", VMStatus.SUSPENDING),
        ("updating", "stopping", VMStatus.SUSPENDING),
        ("succeeded", "deallocated", VMStatus.SUSPENDED),
        ("succeeded", "stopped", VMStatus.SUSPENDED),
        ("updating", "starting", VMStatus.RESUMING),
        ("deleting", "running", VMStatus.TERMINATING),
        ("failed", "", VMStatus.FAILED),
        ("failed", "running", VMStatus.RUNNING),
        ("failed/AllocationFailed", "deallocated", VMStatus.FAILED),
        ("failed/OSProvisioningTimedOut", "", VMStatus.FAILED),
    ],
)
def test_status_mapping(provisioning: str, power: str, status: VMStatus) -> None:
    statuses = [{"code": f"ProvisioningState/{provisioning}"}]
    if power:
        statuses.append({"code": f"PowerState/{power}"})
    assert status_of({"properties": {"instanceView": {"statuses": statuses}}}) == status


def test_lists_read_nics_and_addresses_once_across_pages(
    azure: AzureConnection, fake_azure: FakeAzure, net: Net
) -> None:
    for index in range(4):
        azure.vm().start_vm(req=vm_req(net, f"vm-{index}"))
    before = len(fake_azure.calls)
    vms = azure.vm().list_vms()
    assert [vm.iid.name_id for vm in vms] == ["vm-0", "vm-1", "vm-2", "vm-3"]
    assert len({vm.private_ip for vm in vms}) == 4 and all(vm.public_ip for vm in vms)
    assert [vm.security_group_iids for vm in vms] == [(net.sg,)] * 4
    listed = [call.path for call in fake_azure.calls[before:]]
    assert not [path for path in listed if path.endswith("-nic")]  # no per-VM read
    assert sum("skiptoken" in call.url for call in fake_azure.calls[before:]) >= 2  # pages of 3
    assert [status.iid.name_id for status in azure.vm().list_vm_status()] == ["vm-0", "vm-1", "vm-2", "vm-3"]


def test_terminate_leaves_nothing_behind(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    vm = running_vm(azure, net)
    assert of_type(fake_azure, DISK) == ["vm-1-osdisk"]
    assert azure.vm().terminate_vm(iid=vm) == VMStatus.TERMINATED
    assert fake_azure.requests("DELETE", "/virtualMachines/vm-1")
    assert of_type(fake_azure, VM) == [] and of_type(fake_azure, NIC) == []
    assert of_type(fake_azure, PIP) == [] and of_type(fake_azure, DISK) == []
    assert azure.vm().terminate_vm(iid=IID(name_id="vm-1")) == VMStatus.TERMINATED


def test_terminate_removes_what_an_interrupted_terminate_left(
    azure: AzureConnection, fake_azure: FakeAzure, net: Net
) -> None:
    vm = running_vm(azure, net)
    # The VM went but Azure kept its NIC, address and OS disk (as with VMs made without deleteOption).
    fake_azure.resources.pop(vm.system_id.lower())
    for body in fake_azure.resources.values():
        body.pop("managedBy", None)
        body.get("properties", {}).pop("virtualMachine", None)
    assert azure.vm().terminate_vm(iid=vm) == VMStatus.TERMINATED
    assert of_type(fake_azure, NIC) == [] and of_type(fake_azure, PIP) == [] and of_type(fake_azure, DISK) == []


def test_a_terminate_azure_has_not_finished_is_retried_and_then_deletes_the_address(
    fake_azure: FakeAzure, net: Net, azure: AzureConnection
) -> None:
    vm = running_vm(azure, net)
    slow = AzureDriver(polling_interval=0.05, lro_timeout=0.3).connect(fake_azure.connection_info())
    fake_azure.operation_polls = 10**6
    try:
        with pytest.raises(TransientError):
            slow.vm().terminate_vm(iid=vm)
        assert slow.vm().get_vm_status(iid=vm) == VMStatus.TERMINATING
    finally:
        slow.close()
    settle_all(fake_azure)  # Azure finishes deleting the VM and, with it, the NIC and OS disk
    assert of_type(fake_azure, VM) == [] and of_type(fake_azure, NIC) == [] and of_type(fake_azure, DISK) == []
    assert of_type(fake_azure, PIP) == ["vm-1-ip"]  # Azure leaves the standalone address behind
    fake_azure.operation_polls = 1
    assert azure.vm().terminate_vm(iid=vm) == VMStatus.TERMINATED  # the retry
    assert of_type(fake_azure, PIP) == []


def test_vm_group_is_the_connections(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    started = azure.vm().start_vm(req=vm_req(net))
    assert f"/resourceGroups/{GROUP}/" in started.iid.system_id
    assert azure.vm().get_vm(iid=IID(name_id="", system_id=started.iid.system_id)).iid == started.iid
    elsewhere = started.iid.system_id.replace(GROUP, "another-group")
    with pytest.raises(NotFoundError):
        azure.vm().get_vm(iid=IID(name_id="vm-1", system_id=elsewhere))


def test_a_nic_azure_refuses_takes_its_address_with_it(azure: AzureConnection, fake_azure: FakeAzure, net: Net) -> None:
    fake_azure.inject("PUT", r"/networkInterfaces/vm-1-nic\?", error(400, "InvalidParameter", "Bad NIC."))
    with pytest.raises(InvalidRequestError):
        azure.vm().start_vm(req=vm_req(net))
    assert of_type(fake_azure, PIP) == []
    assert not fake_azure.requests("PUT", "/virtualMachines/")


def test_a_vm_whose_create_failed_is_failed_and_terminates_cleanly(
    azure: AzureConnection, fake_azure: FakeAzure, net: Net
) -> None:
    vm = azure.vm().start_vm(req=vm_req(net))
    settle_all(fake_azure)
    set_power(fake_azure, vm.iid.system_id, "deallocated", provisioning="Failed", failure="AllocationFailed")
    assert azure.vm().get_vm_status(iid=vm.iid) == VMStatus.FAILED
    assert azure.vm().get_vm(iid=vm.iid).status == VMStatus.FAILED
    with pytest.raises(InvalidStateError):
        azure.vm().suspend_vm(iid=vm.iid)
    assert azure.vm().terminate_vm(iid=vm.iid) == VMStatus.TERMINATED
    assert of_type(fake_azure, NIC) == [] and of_type(fake_azure, PIP) == [] and of_type(fake_azure, DISK) == []
