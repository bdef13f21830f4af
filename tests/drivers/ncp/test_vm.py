"""Servers on NCP's VPC platform: the request NCP gets, the states it moves through, stop-before-terminate."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import InvalidRequestError, InvalidStateError, NotFoundError
from drivers.ncp import NCPConnection
from drivers.types import (
    IID,
    KeyPairReqInfo,
    SecurityReqInfo,
    SecurityRule,
    SubnetReqInfo,
    VMReqInfo,
    VMStatus,
    VPCReqInfo,
)
from tests.drivers.ncp.fake import FakeNCP


@pytest.fixture
def req(ncp: NCPConnection) -> VMReqInfo:
    vpc = ncp.vpc().create_vpc(
        req=VPCReqInfo(
            name="vm-vpc", ipv4_cidr="10.40.0.0/16", subnets=(SubnetReqInfo(name="vm-sn", ipv4_cidr="10.40.1.0/24"),)
        )
    )
    ssh = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22)
    ncp.security_group().create_security_group(req=SecurityReqInfo(name="vm-acg", vpc_iid=vpc.iid, rules=(ssh,)))
    ncp.key_pair().create_key_pair(req=KeyPairReqInfo(name="vm-key"))
    return VMReqInfo(
        name="web-01",
        image_iid=IID(name_id="ubuntu-22.04-base"),
        spec_name="s2-g3",
        vpc_iid=IID(name_id="vm-vpc"),
        subnet_iid=IID(name_id="vm-sn"),
        security_group_iids=(IID(name_id="vm-acg"),),
        key_pair_iid=IID(name_id="vm-key"),
        tags={"env": "prod"},
    )


def _settle(ncp: NCPConnection, iid: IID, status: VMStatus) -> None:
    for _ in range(50):
        if ncp.vm().get_vm_status(iid=iid) == status:
            return
    pytest.fail(f"server never became {status}")


def test_the_request_ncp_gets(ncp: NCPConnection, fake: FakeNCP, req: VMReqInfo) -> None:
    started = ncp.vm().start_vm(req=req)
    assert started.status == VMStatus.CREATING
    call = next(c for c in fake.calls if c.action == "createServerInstances")
    acg = next(a for a in fake.table("acgs").values() if a["accessControlGroupName"] == "vm-acg")
    script = next(iter(fake.table("init_scripts").values()))
    assert call.params["networkInterfaceList.1.accessControlGroupNoList.1"] == acg["accessControlGroupNo"]
    assert call.params["initScriptNo"] == script["initScriptNo"]
    assert call.params["loginKeyName"] == "vm-key"
    assert call.params["associateWithPublicIp"] == "true"
    assert call.params["serverSpecCode"] == "s2-g3" and call.params["serverImageNo"] == "23214590"


def test_lifecycle(ncp: NCPConnection, fake: FakeNCP, req: VMReqInfo) -> None:
    started = ncp.vm().start_vm(req=req)
    _settle(ncp, started.iid, VMStatus.RUNNING)
    vm = ncp.vm().get_vm(iid=IID(name_id="web-01"))
    assert vm.private_ip.startswith("10.40.1.") and vm.public_ip
    assert vm.tags == {"env": "prod"} and vm.zone == "KR-1" and vm.spec_name == "s2-g3"
    assert vm.image_iid == IID(name_id="ubuntu-22.04-base", system_id="23214590")
    with pytest.raises(InvalidStateError):
        ncp.vm().resume_vm(iid=vm.iid)
    assert ncp.vm().suspend_vm(iid=vm.iid) == VMStatus.SUSPENDING
    _settle(ncp, vm.iid, VMStatus.SUSPENDED)
    assert ncp.vm().resume_vm(iid=vm.iid) == VMStatus.RESUMING
    _settle(ncp, vm.iid, VMStatus.RUNNING)
    assert ncp.vm().reboot_vm(iid=vm.iid) == VMStatus.REBOOTING
    _settle(ncp, vm.iid, VMStatus.RUNNING)
    # NCP terminates only stopped servers: the driver stops it first and waits.
    assert ncp.vm().terminate_vm(iid=vm.iid) == VMStatus.TERMINATING
    actions = fake.actions("vserver")
    last_stop = max(i for i, action in enumerate(actions) if action == "stopServerInstances")
    assert actions.index("terminateServerInstances") > last_stop
    fake.settle()
    assert ncp.vm().list_vms() == []
    assert ncp.vm().terminate_vm(iid=vm.iid) == VMStatus.TERMINATED


def test_terminating_a_server_still_booting_waits_for_it(ncp: NCPConnection, fake: FakeNCP, req: VMReqInfo) -> None:
    started = ncp.vm().start_vm(req=req)
    assert ncp.vm().terminate_vm(iid=started.iid) == VMStatus.TERMINATING
    assert "terminateServerInstances" in fake.actions("vserver")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"spec_name": "x9-g9"}, NotFoundError),
        ({"image_iid": IID(name_id="no-image")}, NotFoundError),
        ({"root_disk_size_gb": 100}, InvalidRequestError),
        ({"data_disk_iids": (IID(name_id="no-disk"),)}, NotFoundError),
        ({"name": "Web_01"}, InvalidRequestError),
    ],
)
def test_bad_requests_create_nothing(
    ncp: NCPConnection, fake: FakeNCP, req: VMReqInfo, change: dict[str, object], error: type
) -> None:
    with pytest.raises(error):
        ncp.vm().start_vm(req=replace(req, **change))  # type: ignore[arg-type]
    assert "createServerInstances" not in fake.actions("vserver")


def test_without_acgs_the_vpc_default_acg_is_used(ncp: NCPConnection, fake: FakeNCP, req: VMReqInfo) -> None:
    vm = ncp.vm().start_vm(req=replace(req, security_group_iids=()))
    default = next(a for a in fake.table("acgs").values() if a["isDefault"])
    assert [sg.system_id for sg in vm.security_group_iids] == [default["accessControlGroupNo"]]
