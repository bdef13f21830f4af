"""VMs on the fake KT Cloud: placement, the public address and its rules, jobs, control and clean-up."""

from __future__ import annotations

import base64
import ipaddress
from dataclasses import replace

import pytest

from drivers.errors import InvalidRequestError, InvalidStateError, ProviderError
from drivers.ktclassic import KTClassicConnection
from drivers.types import IID, VMStatus
from tests.drivers.ktclassic.fake import FakeKT
from tests.drivers.ktclassic.fake.network import reachable
from tests.drivers.ktclassic.net_support import HTTPS_INSIDE, vm_setup


def _vm(fake: FakeKT, name: str = "vm-01") -> dict[str, object]:
    return next(vm for vm in fake.table("vms").values() if vm["name"] == name)


def test_a_vm_gets_an_address_in_its_subnet_and_a_cb_user_with_the_key(kt: KTClassicConnection, fake: FakeKT) -> None:
    started = kt.vm().start_vm(req=vm_setup(kt))
    assert ipaddress.IPv4Address(started.private_ip) in ipaddress.IPv4Network("172.25.1.0/24")
    deploy = next(args for command, args in fake.calls if command == "deployVirtualMachine")
    assert deploy["ipaddress"] == started.private_ip and deploy["usageplantype"] == "hourly"
    user_data = base64.b64decode(deploy["userdata"]).decode()
    public_key = kt.key_pair().get_key_pair(iid=IID(name_id="key-01")).public_key
    assert "name: cb-user" in user_data and public_key in user_data
    # The deployment is a job that is polled until it ends.
    assert fake.commands().count("queryAsyncJobResult") >= 2
    assert started.tags == {"env": "test"}  # Spiderweb's own tags stay hidden
    assert started.public_ip and started.vm_user_id == "cb-user"


def test_security_group_rules_decide_what_reaches_the_vm(kt: KTClassicConnection, fake: FakeKT) -> None:
    kt.vm().start_vm(req=vm_setup(kt))
    assert reachable(fake, vm_name="vm-01", protocol="TCP", port=22, source="203.0.113.9")
    assert not reachable(fake, vm_name="vm-01", protocol="TCP", port=443, source="10.1.2.3")

    kt.security_group().add_rules(sg_iid=IID(name_id="sg-01"), rules=[HTTPS_INSIDE])
    assert reachable(fake, vm_name="vm-01", protocol="TCP", port=443, source="10.1.2.3")
    assert not reachable(fake, vm_name="vm-01", protocol="TCP", port=443, source="203.0.113.9")

    kt.security_group().remove_rules(sg_iid=IID(name_id="sg-01"), rules=[HTTPS_INSIDE])
    assert not reachable(fake, vm_name="vm-01", protocol="TCP", port=443, source="10.1.2.3")
    assert reachable(fake, vm_name="vm-01", protocol="TCP", port=22, source="203.0.113.9")


def test_suspend_is_a_stop_and_resume_a_start(kt: KTClassicConnection, fake: FakeKT) -> None:
    vm = kt.vm().start_vm(req=vm_setup(kt)).iid
    assert kt.vm().get_vm_status(iid=vm) == VMStatus.RUNNING
    assert kt.vm().suspend_vm(iid=vm) == VMStatus.SUSPENDING
    assert kt.vm().get_vm_status(iid=vm) == VMStatus.SUSPENDING  # Stopping until the job ends
    kt.region_zone().list_region_zones()  # time passes
    assert kt.vm().get_vm_status(iid=vm) == VMStatus.SUSPENDED
    with pytest.raises(InvalidStateError):
        kt.vm().suspend_vm(iid=vm)
    assert kt.vm().resume_vm(iid=vm) == VMStatus.RESUMING
    assert kt.vm().get_vm_status(iid=vm) == VMStatus.RESUMING  # Starting, and it has booted before
    kt.region_zone().list_region_zones()
    assert kt.vm().get_vm_status(iid=vm) == VMStatus.RUNNING
    assert [command for command in fake.commands() if command.endswith("VirtualMachine")][-2:] == [
        "stopVirtualMachine",
        "startVirtualMachine",
    ]


def test_terminate_releases_the_public_address_and_its_rules(kt: KTClassicConnection, fake: FakeKT) -> None:
    vm = kt.vm().start_vm(req=vm_setup(kt)).iid
    assert fake.table("ips") and fake.table("forwards") and fake.table("firewall")
    assert kt.vm().terminate_vm(iid=vm) == VMStatus.TERMINATING
    assert kt.vm().get_vm_status(iid=vm) == VMStatus.TERMINATING
    kt.region_zone().list_region_zones()
    assert kt.vm().terminate_vm(iid=vm) == VMStatus.TERMINATED
    assert not fake.table("ips") and not fake.table("forwards") and not fake.table("firewall")


def test_a_failed_deployment_leaves_nothing_behind(kt: KTClassicConnection, fake: FakeKT) -> None:
    req = vm_setup(kt)
    fake.fail_job("deployVirtualMachine", 533, "Unable to create a deployment for VM, insufficient capacity")
    with pytest.raises(ProviderError) as caught:
        kt.vm().start_vm(req=req)
    assert "insufficient capacity" in caught.value.provider_message
    kt.region_zone().list_region_zones()
    kt.region_zone().list_region_zones()
    assert kt.vm().list_vms() == [] and not fake.table("ips")


def test_a_subnet_outside_the_zone_network_is_refused_by_kt_cloud(kt: KTClassicConnection, fake: FakeKT) -> None:
    req = vm_setup(kt, vpc_cidr="10.9.0.0/16", subnet_cidr="10.9.1.0/24")
    with pytest.raises(InvalidRequestError) as caught:
        kt.vm().start_vm(req=req)
    assert "network range" in caught.value.provider_message
    assert kt.vm().list_vms() == []


def test_two_vms_of_a_subnet_get_different_addresses(kt: KTClassicConnection) -> None:
    req = vm_setup(kt)
    first = kt.vm().start_vm(req=req)
    second = kt.vm().start_vm(req=replace(req, name="vm-02"))
    assert first.private_ip != second.private_ip
    assert {vm.iid.name_id for vm in kt.vm().list_vms()} == {"vm-01", "vm-02"}


def test_spiderwebs_own_tag_keys_are_refused(kt: KTClassicConnection) -> None:
    req = replace(vm_setup(kt), tags={"spiderweb-vpc": "elsewhere"})
    with pytest.raises(InvalidRequestError) as caught:
        kt.vm().start_vm(req=req)
    assert caught.value.field == "tags"
    assert kt.vm().list_vms() == []
