"""VMs: a floating IP for a public address, cb-user through cloud-init, stop/start as suspend/resume,
the floating IP released on terminate."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import InvalidRequestError, InvalidStateError, NotFoundError
from drivers.ibm import IBMConnection
from drivers.types import VMStatus
from tests.drivers.ibm.fake import FakeIBM
from tests.drivers.ibm.net_support import make_net, running_vm, state, vm_req


def test_a_vm_gets_a_floating_ip_and_the_login_user(fake: FakeIBM, ibm: IBMConnection) -> None:
    net = make_net(ibm)
    started = ibm.vm().start_vm(req=replace(vm_req(net), tags={"env": "test"}))
    assert started.status == VMStatus.CREATING and started.zone == "us-south-1"
    [fip] = state(fake, "floating_ips")
    assert started.public_ip == fip["address"] and started.ssh_access_point == f"{fip['address']}:22"
    assert started.private_ip.startswith("10.10.1.")
    assert (started.root_disk_type, started.root_disk_size_gb) == ("general-purpose", 100)
    assert started.tags == {"env": "test"} and started.vm_user_id == "cb-user"
    [key] = state(fake, "keys")
    [instance] = state(fake, "instances")
    assert instance["_keys"] == [{"id": key["id"], "name": "key-1", "fingerprint": key["fingerprint"]}]
    user_data = str(instance["_user_data"])
    assert user_data.startswith("#cloud-config\n") and "- name: cb-user" in user_data
    assert f"- {key['public_key']}" in user_data


def test_creating_then_starting_are_told_apart(fake: FakeIBM, ibm: IBMConnection) -> None:
    net = make_net(ibm)
    vm = running_vm(ibm, net)
    assert ibm.vm().suspend_vm(iid=vm) == VMStatus.SUSPENDING
    for _ in range(5):
        ibm.vm().get_vm_status(iid=vm)
    assert ibm.vm().get_vm_status(iid=vm) == VMStatus.SUSPENDED
    assert ibm.vm().resume_vm(iid=vm) == VMStatus.RESUMING
    assert ibm.vm().get_vm_status(iid=vm) == VMStatus.RESUMING  # "starting" after a stop


def test_control_in_the_wrong_state_is_refused(fake: FakeIBM, ibm: IBMConnection) -> None:
    net = make_net(ibm)
    vm = running_vm(ibm, net)
    with pytest.raises(InvalidStateError):
        ibm.vm().resume_vm(iid=vm)
    # The cloud refuses too, should the VM change between the driver's read and its action.
    [instance] = state(fake, "instances")
    instance["status"] = "stopped"
    fake.fail("/actions", status=409, code="instance_invalid_state", message="Instance is stopped")
    with pytest.raises(InvalidStateError) as caught:
        ibm.vm().resume_vm(iid=vm)
    assert caught.value.provider_message == "Instance is stopped"


def test_terminate_releases_the_floating_ip_and_frees_the_security_group(fake: FakeIBM, ibm: IBMConnection) -> None:
    net = make_net(ibm)
    vm = running_vm(ibm, net)
    assert ibm.vm().terminate_vm(iid=vm) == VMStatus.TERMINATING
    assert state(fake, "floating_ips") == []
    for _ in range(5):
        ibm.vm().list_vm_status()
    assert state(fake, "instances") == []
    assert ibm.vm().terminate_vm(iid=vm) == VMStatus.TERMINATED
    assert [v["name"] for v in state(fake, "volumes")] == []  # the boot volume went with it
    ibm.security_group().delete_security_group(iid=net.sg)


def test_a_password_and_an_unknown_root_disk_type_are_refused(ibm: IBMConnection) -> None:
    net = make_net(ibm)
    with pytest.raises(InvalidRequestError) as caught:
        ibm.vm().start_vm(req=replace(vm_req(net), vm_user_password="Secret-123"))
    assert caught.value.field == "vm_user_password"
    with pytest.raises(InvalidRequestError) as caught:
        ibm.vm().start_vm(req=replace(vm_req(net), root_disk_type="pd-ssd"))
    assert caught.value.field == "root_disk_type"
    assert ibm.vm().list_vms() == []


def test_a_floating_ip_failure_removes_the_new_instance(fake: FakeIBM, ibm: IBMConnection) -> None:
    net = make_net(ibm)
    fake.fail("/floating_ips", method="POST", status=400, code="quota_exceeded", message="No more floating IPs")
    with pytest.raises(Exception, match="quota_exceeded"):
        ibm.vm().start_vm(req=vm_req(net))
    for _ in range(5):
        ibm.vm().list_vm_status()
    with pytest.raises(NotFoundError):
        ibm.vm().get_vm(iid=vm_req(net).image_iid)
    assert ibm.vm().list_vms() == []


def test_parts_of_a_long_named_vm_keep_within_ibm_name_limits(fake: FakeIBM, ibm: IBMConnection) -> None:
    net = make_net(ibm)
    name = "v" + "m" * 61 + "1"  # 63 characters, IBM's most
    ibm.vm().start_vm(req=vm_req(net, name))
    [fip] = state(fake, "floating_ips")
    [boot] = state(fake, "volumes")
    assert str(fip["name"]).endswith("-fip") and len(str(fip["name"])) == 63
    assert str(boot["name"]).endswith("-boot") and len(str(boot["name"])) == 63


def test_a_vm_going_away_during_a_listing_does_not_break_it(fake: FakeIBM, ibm: IBMConnection) -> None:
    net = make_net(ibm)
    running_vm(ibm, net)
    fake.fail("/initialization", status=404, code="not_found", message="Instance not found")
    [vm] = ibm.vm().list_vms()
    assert vm.key_pair_iid is None and vm.iid.name_id == "vm-1"
