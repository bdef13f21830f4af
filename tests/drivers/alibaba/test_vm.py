"""ECS instances and disks against the fake: launch, economical-mode suspend, release, disks."""

from __future__ import annotations

import base64
import time

import pytest

from drivers.alibaba import AlibabaConnection
from drivers.errors import DependencyError, InvalidRequestError, InvalidStateError
from drivers.types import (
    IID,
    DiskReqInfo,
    DiskStatus,
    KeyPairReqInfo,
    SecurityReqInfo,
    SecurityRule,
    SubnetReqInfo,
    VMReqInfo,
    VMStatus,
    VPCReqInfo,
)
from tests.drivers.alibaba.fake import FakeAlibaba

UBUNTU = IID(name_id="ubuntu_22_04_x64_20G_alibase_20240926.vhd")


def _req(conn: AlibabaConnection, name: str = "vm-1", **changes: object) -> VMReqInfo:
    if not conn.vpc().list_vpcs():
        conn.vpc().create_vpc(
            req=VPCReqInfo(
                name="net", ipv4_cidr="10.5.0.0/16", subnets=(SubnetReqInfo(name="sn", ipv4_cidr="10.5.1.0/24"),)
            )
        )
        ssh = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22)
        conn.security_group().create_security_group(
            req=SecurityReqInfo(name="sg", vpc_iid=IID(name_id="net"), rules=(ssh,))
        )
        conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="key"))
    values: dict[str, object] = {
        "name": name,
        "image_iid": UBUNTU,
        "spec_name": "ecs.g7.large",
        "vpc_iid": IID(name_id="net"),
        "subnet_iid": IID(name_id="sn"),
        "security_group_iids": (IID(name_id="sg"),),
        "key_pair_iid": IID(name_id="key"),
        **changes,
    }
    return VMReqInfo(**values)  # type: ignore[arg-type]


def _wait(conn: AlibabaConnection, iid: IID, status: VMStatus) -> None:
    deadline = time.monotonic() + 5
    while conn.vm().get_vm_status(iid=iid) != status:
        assert time.monotonic() < deadline, f"VM stayed {conn.vm().get_vm_status(iid=iid)}"


def test_a_vm_is_launched_pay_as_you_go_with_cb_user(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    started = ali.vm().start_vm(req=_req(ali, root_disk_size_gb=40, root_disk_type="cloud_essd"))
    assert started.status == VMStatus.CREATING and started.zone == "cn-hangzhou-h"
    assert (started.root_disk_type, started.root_disk_size_gb) == ("cloud_essd", 40)
    kept = fake.table("instances")[started.iid.system_id]
    assert kept["InstanceChargeType"] == "PostPaid" and kept["InternetMaxBandwidthOut"] == 5
    user_data = base64.b64decode(kept["_userdata"]).decode()
    public_key = ali.key_pair().get_key_pair(iid=IID(name_id="key")).public_key
    assert user_data.startswith("#cloud-config") and "name: cb-user" in user_data and public_key in user_data
    _wait(ali, started.iid, VMStatus.RUNNING)
    running = ali.vm().get_vm(iid=started.iid)
    assert (
        running.public_ip and running.ssh_access_point == f"{running.public_ip}:22" and running.vm_user_id == "cb-user"
    )


def test_suspend_is_the_economical_stop_and_resume_gets_a_new_public_ip(
    ali: AlibabaConnection, fake: FakeAlibaba
) -> None:
    iid = ali.vm().start_vm(req=_req(ali)).iid
    _wait(ali, iid, VMStatus.RUNNING)
    before = ali.vm().get_vm(iid=iid).public_ip
    assert ali.vm().suspend_vm(iid=iid) == VMStatus.SUSPENDING
    _wait(ali, iid, VMStatus.SUSPENDED)
    stopped = ali.vm().get_vm(iid=iid)
    assert stopped.extra["StoppedMode"] == "StopCharging" and stopped.public_ip == ""
    with pytest.raises(InvalidStateError):
        ali.vm().suspend_vm(iid=iid)  # ECS: IncorrectInstanceStatus
    ali.vm().resume_vm(iid=iid)
    _wait(ali, iid, VMStatus.RUNNING)
    after = ali.vm().get_vm(iid=iid).public_ip
    assert after and after != before


def test_a_released_instance_holds_its_security_group_for_a_while(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    iid = ali.vm().start_vm(req=_req(ali)).iid
    _wait(ali, iid, VMStatus.RUNNING)
    assert ali.vm().terminate_vm(iid=iid) == VMStatus.TERMINATING
    with pytest.raises(DependencyError) as caught:
        ali.security_group().delete_security_group(iid=IID(name_id="sg"))
    assert caught.value.provider_message.startswith("DependencyViolation")
    deadline = time.monotonic() + 5
    while ali.vm().list_vms():
        assert time.monotonic() < deadline
    ali.security_group().delete_security_group(iid=IID(name_id="sg"))
    assert ali.vm().terminate_vm(iid=iid) == VMStatus.TERMINATED


def test_an_arm_image_on_an_x86_type_is_refused(ali: AlibabaConnection) -> None:
    arm = IID(name_id="aliyun_3_arm64_20G_alibase_20240819.vhd")
    with pytest.raises(InvalidRequestError) as caught:
        ali.vm().start_vm(req=_req(ali, image_iid=arm))
    assert caught.value.provider_message.startswith("InvalidInstanceType.NotSupported")


def test_an_attached_disk_grows_online_and_is_in_use(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    vm = ali.vm().start_vm(req=_req(ali)).iid
    disk = ali.disk().create_disk(req=DiskReqInfo(name="data", disk_size_gb=50))
    assert (disk.disk_type, disk.disk_size_gb, disk.zone) == ("cloud_essd", 50, "cn-hangzhou-h")
    _wait(ali, vm, VMStatus.RUNNING)
    deadline = time.monotonic() + 5
    while ali.disk().get_disk(iid=disk.iid).status != DiskStatus.AVAILABLE:
        assert time.monotonic() < deadline
    attached = ali.disk().attach_disk(iid=disk.iid, vm_iid=vm)
    assert attached.extra["Device"] == "/dev/xvdb" and attached.owner_vm_iid == IID(
        name_id="vm-1", system_id=vm.system_id
    )
    assert ali.disk().resize_disk(iid=disk.iid, size_gb=80).disk_size_gb == 80  # online: the VM keeps running
    with pytest.raises(DependencyError):
        ali.disk().delete_disk(iid=disk.iid)
    assert [d.iid.name_id for d in ali.disk().list_disks()] == ["data"]  # the system disk is the VM's own
