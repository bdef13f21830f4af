"""VMs on CVM: placement, login, and suspend as a stop without charge."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import DependencyError, InvalidRequestError, InvalidStateError
from drivers.tencent import TencentConnection
from drivers.types import (
    IID,
    AnyCallInfo,
    KeyPairReqInfo,
    SecurityReqInfo,
    SecurityRule,
    SubnetReqInfo,
    VMReqInfo,
    VMStatus,
    VPCReqInfo,
)
from tests.drivers.tencent.fake import FakeTencent


def _network(tencent: TencentConnection) -> None:
    tencent.vpc().create_vpc(
        req=VPCReqInfo(
            name="vpc-01",
            ipv4_cidr="10.20.0.0/16",
            subnets=(SubnetReqInfo(name="sn-01", ipv4_cidr="10.20.1.0/24", zone="ap-guangzhou-4"),),
        )
    )
    ssh = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22)
    tencent.security_group().create_security_group(
        req=SecurityReqInfo(name="sg-01", vpc_iid=IID(name_id="vpc-01"), rules=(ssh,))
    )
    tencent.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))


def _req(name: str = "vm-01", **changes: object) -> VMReqInfo:
    req = VMReqInfo(
        name=name,
        image_iid=IID(name_id="img-487zeit5"),
        spec_name="S5.MEDIUM4",
        vpc_iid=IID(name_id="vpc-01"),
        subnet_iid=IID(name_id="sn-01"),
        security_group_iids=(IID(name_id="sg-01"),),
        key_pair_iid=IID(name_id="key-01"),
    )
    return replace(req, **changes)  # type: ignore[arg-type]


def _settle(tencent: TencentConnection, iid: IID, status: VMStatus) -> None:
    for _ in range(20):
        if tencent.vm().get_vm_status(iid=iid) == status:
            return
    raise AssertionError(f"the VM never became {status}")


@pytest.fixture
def running(tencent: TencentConnection) -> IID:
    _network(tencent)
    vm = tencent.vm().start_vm(req=_req())
    _settle(tencent, vm.iid, VMStatus.RUNNING)
    return vm.iid


def test_a_vm_is_placed_in_its_subnets_zone_postpaid_with_a_public_ip(
    fake: FakeTencent, tencent: TencentConnection, running: IID
) -> None:
    run = next(call.params for call in fake.calls if call.action == "RunInstances")
    assert run["Placement"] == {"Zone": "ap-guangzhou-4"} and run["InstanceChargeType"] == "POSTPAID_BY_HOUR"
    assert run["InternetAccessible"]["PublicIpAssigned"] is True
    vm = tencent.vm().get_vm(iid=running)
    assert vm.zone == "ap-guangzhou-4" and vm.public_ip and vm.ssh_access_point == f"{vm.public_ip}:22"
    assert vm.vm_user_id == "ubuntu" and vm.key_pair_iid == IID(name_id="key-01", system_id=vm.key_pair_iid.system_id)


def test_suspend_stops_without_charge_and_gives_the_public_ip_back(
    fake: FakeTencent, tencent: TencentConnection, running: IID
) -> None:
    first_ip = tencent.vm().get_vm(iid=running).public_ip
    assert tencent.vm().suspend_vm(iid=running) == VMStatus.SUSPENDING
    stop = next(call.params for call in fake.calls if call.action == "StopInstances")
    assert (stop["StoppedMode"], stop["StopType"]) == ("STOP_CHARGING", "SOFT_FIRST")
    _settle(tencent, running, VMStatus.SUSPENDED)
    stopped = tencent.vm().get_vm(iid=running)
    assert stopped.public_ip == "" and stopped.extra["StopChargingMode"] == "STOP_CHARGING"
    with pytest.raises(InvalidStateError):
        tencent.vm().suspend_vm(iid=running)
    assert tencent.vm().resume_vm(iid=running) == VMStatus.RESUMING
    _settle(tencent, running, VMStatus.RUNNING)
    assert tencent.vm().get_vm(iid=running).public_ip not in ("", first_ip)


def test_an_instance_tencent_will_not_stop_free_is_stopped_keeping_its_charge(
    fake: FakeTencent, tencent: TencentConnection, running: IID
) -> None:
    fake.fail_next(
        "StopInstances",
        "UnsupportedOperation.StoppedModeStopCharging",
        "The instance does not support StoppedMode STOP_CHARGING.",
    )
    assert tencent.vm().suspend_vm(iid=running) == VMStatus.SUSPENDING
    modes = [call.params["StoppedMode"] for call in fake.calls if call.action == "StopInstances"]
    assert modes == ["STOP_CHARGING", "KEEP_CHARGING"]
    _settle(tencent, running, VMStatus.SUSPENDED)
    assert tencent.vm().get_vm(iid=running).extra["StopChargingMode"] == "KEEP_CHARGING"


def test_windows_logs_in_with_a_password(fake: FakeTencent, tencent: TencentConnection) -> None:
    _network(tencent)
    windows = IID(name_id="img-9id7emv7")
    with pytest.raises(InvalidRequestError) as caught:
        tencent.vm().start_vm(req=_req(image_iid=windows))
    assert caught.value.field == "key_pair_iid"
    vm = tencent.vm().start_vm(req=_req(image_iid=windows, key_pair_iid=None, vm_user_password="S3cret-pass!"))
    assert vm.platform == "Windows"
    run = next(call.params for call in fake.calls if call.action == "RunInstances")
    assert run["LoginSettings"] == {"Password": "S3cret-pass!"}


def test_a_key_pair_tencent_keeps_is_reported_in_use(
    fake: FakeTencent, tencent: TencentConnection, running: IID
) -> None:
    with pytest.raises(DependencyError):
        tencent.key_pair().delete_key_pair(iid=IID(name_id="key-01"))
    assert fake.count("DeleteKeyPairs") == 1  # DeleteKeyPairs said yes; the key pair stayed
    tencent.vm().terminate_vm(iid=running)
    for _ in range(5):
        tencent.vm().list_vm_status()
    tencent.key_pair().delete_key_pair(iid=IID(name_id="key-01"))
    assert tencent.key_pair().list_key_pairs() == []


def test_terminating_answers_at_once_and_the_vm_goes(tencent: TencentConnection, running: IID) -> None:
    assert tencent.vm().terminate_vm(iid=running) == VMStatus.TERMINATING
    assert tencent.vm().terminate_vm(iid=running) == VMStatus.TERMINATING
    for _ in range(5):
        tencent.vm().list_vm_status()
    assert tencent.vm().terminate_vm(iid=running) == VMStatus.TERMINATED


def test_anycall_answers_a_running_vms_console_url(tencent: TencentConnection, running: IID) -> None:
    answer = tencent.anycall().call(req=AnyCallInfo(fid="getVncUrl", params_in={"vm": "vm-01"}))
    assert answer.params_out["vm_id"] == running.system_id
    assert answer.params_out["vnc_url"].startswith("wss://")
    tencent.vm().suspend_vm(iid=running)
    _settle(tencent, running, VMStatus.SUSPENDED)
    with pytest.raises(InvalidStateError):
        tencent.anycall().call(req=AnyCallInfo(fid="getVncUrl", params_in={"vm": running.system_id}))
    with pytest.raises(InvalidRequestError) as caught:
        tencent.anycall().call(req=AnyCallInfo(fid="getVncUrl", params_in={"instance": "vm-01"}))
    assert caught.value.field == "instance"
