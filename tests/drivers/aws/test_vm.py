"""What the AWS VM handler does beyond the conformance suite: states, disks, addresses, login user."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest

from drivers.aws import AWSConnection
from drivers.aws.vm import STATUS
from drivers.errors import InvalidRequestError, InvalidStateError, NotFoundError
from drivers.types import IID, KeyPairReqInfo, SecurityReqInfo, SubnetReqInfo, VMReqInfo, VMStatus, VPCReqInfo

IMAGE = IID(name_id="ami-03c3da4cfa8e8943a")  # in moto's default catalogue


@pytest.fixture
def req(aws: AWSConnection) -> VMReqInfo:
    vpc = aws.vpc().create_vpc(
        req=VPCReqInfo(
            name="web", ipv4_cidr="10.40.0.0/16", subnets=(SubnetReqInfo(name="front", ipv4_cidr="10.40.1.0/24"),)
        )
    )
    sg = aws.security_group().create_security_group(req=SecurityReqInfo(name="web-sg", vpc_iid=vpc.iid))
    key = aws.key_pair().create_key_pair(req=KeyPairReqInfo(name="web-key"))
    return VMReqInfo(
        name="web-01",
        image_iid=IMAGE,
        spec_name="t3.micro",
        vpc_iid=vpc.iid,
        subnet_iid=vpc.subnets[0].iid,
        security_group_iids=(sg.iid,),
        key_pair_iid=key.iid,
    )


def test_every_aws_state_has_a_status() -> None:
    assert STATUS == {
        "pending": VMStatus.CREATING,
        "running": VMStatus.RUNNING,
        "stopping": VMStatus.SUSPENDING,
        "stopped": VMStatus.SUSPENDED,
        "shutting-down": VMStatus.TERMINATING,
        "terminated": VMStatus.TERMINATED,
    }


def test_root_disk_type_and_size_reach_the_volume(aws: AWSConnection, req: VMReqInfo) -> None:
    vm = aws.vm().start_vm(req=replace(req, root_disk_type="gp3", root_disk_size_gb=20))
    assert (vm.root_disk_type, vm.root_disk_size_gb) == ("gp3", 20)
    assert (aws.vm().get_vm(iid=vm.iid).root_disk_type, aws.vm().get_vm(iid=vm.iid).root_disk_size_gb) == ("gp3", 20)


def test_bad_root_disk_type_is_refused_before_any_instance(aws: AWSConnection, req: VMReqInfo) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        aws.vm().start_vm(req=replace(req, root_disk_type="ssd-fast"))
    assert caught.value.field == "root_disk_type"
    assert aws.vm().list_vms() == []


def test_missing_references_name_their_field(aws: AWSConnection, req: VMReqInfo) -> None:
    with pytest.raises(NotFoundError) as caught:
        aws.vm().start_vm(req=replace(req, key_pair_iid=IID(name_id="nope")))
    assert caught.value.field == "key_pair_iid"
    with pytest.raises(NotFoundError) as caught:
        aws.vm().start_vm(req=replace(req, spec_name="t3.gigantic"))
    assert caught.value.field == "spec_name"


def test_the_key_is_put_on_the_login_user_and_the_vm_gets_a_public_address(aws: AWSConnection, req: VMReqInfo) -> None:
    vm = aws.vm().start_vm(req=req)
    ec2 = aws._clients.ec2()
    data = ec2.describe_instance_attribute(InstanceId=vm.iid.system_id, Attribute="userData")["UserData"]["Value"]
    public_key = aws.key_pair().get_key_pair(iid=IID(name_id="web-key")).public_key
    assert "name: cb-user" in base64.b64decode(data).decode() and public_key in base64.b64decode(data).decode()
    running = aws.vm().get_vm(iid=IID(name_id="web-01"))
    assert running.vm_user_id == "cb-user" and running.ssh_access_point == f"{running.public_ip}:22"


def test_control_in_the_wrong_state_is_an_invalid_state_error(aws: AWSConnection, req: VMReqInfo) -> None:
    vm = aws.vm().start_vm(req=req).iid
    with pytest.raises(InvalidStateError, match="it must be Suspended"):
        aws.vm().resume_vm(iid=vm)
    aws.vm().suspend_vm(iid=vm)
    with pytest.raises(InvalidStateError, match="it must be Running"):
        aws.vm().suspend_vm(iid=vm)
    with pytest.raises(InvalidStateError):
        aws.vm().reboot_vm(iid=vm)


def test_a_terminated_vm_leaves_the_list_but_is_found_by_id(aws: AWSConnection, req: VMReqInfo) -> None:
    vm = aws.vm().start_vm(req=req).iid
    aws.vm().terminate_vm(iid=vm)
    assert aws.vm().list_vms() == [] and aws.vm().list_vm_status() == []
    assert aws.vm().get_vm_status(iid=IID(name_id=vm.system_id)) == VMStatus.TERMINATED
    with pytest.raises(NotFoundError):
        aws.vm().get_vm(iid=IID(name_id="web-01"))
    # The name is free again.
    assert aws.vm().start_vm(req=req).iid.system_id != vm.system_id


def test_list_is_sorted_by_name(aws: AWSConnection, req: VMReqInfo) -> None:
    for index in range(3):
        aws.vm().start_vm(req=replace(req, name=f"web-{index:02}"))
    names = [vm.iid.name_id for vm in aws.vm().list_vms()]
    assert names == ["web-00", "web-01", "web-02"]
