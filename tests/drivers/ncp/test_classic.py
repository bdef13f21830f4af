"""NCP Classic: servers placed by zone (no VPC), their controls, instance tags, and what is declared unsupported."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import InvalidRequestError, InvalidStateError, NotFoundError, NotSupportedError
from drivers.ncp import CLASSIC_CAPABILITIES, NCPClassicDriver, NCPConnection
from drivers.types import IID, KeyPairReqInfo, MyImageReqInfo, MyImageStatus, ResourceKind, VMReqInfo, VMStatus
from tests.drivers.ncp.fake import FakeNCP
from tests.drivers.ncp.support import connection_info

SPEC = "SVR.VSVR.STAND.C002.M004.NET.SSD.B050.G002"


@pytest.fixture
def req(classic: NCPConnection) -> VMReqInfo:
    classic.key_pair().create_key_pair(req=KeyPairReqInfo(name="ops-key"))
    return VMReqInfo(
        name="legacy-01",
        image_iid=IID(name_id="ubuntu-20.04"),
        spec_name=SPEC,
        vpc_iid=IID(name_id=""),
        subnet_iid=IID(name_id=""),
        security_group_iids=(IID(name_id="web-acg"),),
        key_pair_iid=IID(name_id="ops-key"),
        tags={"env": "legacy"},
    )


def _settle(conn: NCPConnection, iid: IID, status: VMStatus) -> None:
    for _ in range(50):
        if conn.vm().get_vm_status(iid=iid) == status:
            return
    pytest.fail(f"server never became {status}")


def test_servers_are_placed_by_zone(classic: NCPConnection, fake: FakeNCP, req: VMReqInfo) -> None:
    started = classic.vm().start_vm(req=req)
    call = next(c for c in fake.calls if c.action == "createServerInstances")
    assert call.params["zoneNo"] == "2"  # KR-1, the region's first zone
    assert call.params["accessControlGroupConfigurationNoList.1"] == "40"
    assert call.params["instanceTagList.1.tagKey"] == "env"
    assert (started.vpc_iid, started.subnet_iid) == (IID(name_id=""), IID(name_id=""))
    assert started.security_group_iids == (IID(name_id="web-acg", system_id="40"),)
    assert started.tags == {"env": "legacy"} and started.zone == "KR-1"


def test_the_connection_zone_is_used(fake: FakeNCP, req: VMReqInfo) -> None:
    conn = NCPClassicDriver().connect(connection_info(provider="ncpclassic", zone="KR-2"))
    assert conn.vm().start_vm(req=req).zone == "KR-2"


def test_a_vpc_is_refused(classic: NCPConnection, req: VMReqInfo) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        classic.vm().start_vm(req=replace(req, vpc_iid=IID(name_id="some-vpc")))
    assert caught.value.field == "vpc_iid"


def test_a_spec_must_fit_the_image(classic: NCPConnection, req: VMReqInfo) -> None:
    with pytest.raises(NotFoundError):
        classic.vm().start_vm(req=replace(req, spec_name="SVR.VSVR.STAND.C004.M008.NET.SSD.B100.G002"))


def test_lifecycle(classic: NCPConnection, fake: FakeNCP, req: VMReqInfo) -> None:
    started = classic.vm().start_vm(req=req)
    _settle(classic, started.iid, VMStatus.RUNNING)
    vm = classic.vm().get_vm(iid=IID(name_id="legacy-01"))
    assert vm.private_ip.startswith("10.41.") and vm.public_ip == ""
    assert classic.vm().suspend_vm(iid=vm.iid) == VMStatus.SUSPENDING
    _settle(classic, vm.iid, VMStatus.SUSPENDED)
    assert classic.vm().resume_vm(iid=vm.iid) == VMStatus.RESUMING
    _settle(classic, vm.iid, VMStatus.RUNNING)
    assert classic.vm().reboot_vm(iid=vm.iid) == VMStatus.REBOOTING
    _settle(classic, vm.iid, VMStatus.RUNNING)
    assert classic.vm().terminate_vm(iid=vm.iid) == VMStatus.TERMINATING
    fake.settle()
    assert classic.vm().list_vm_status() == []


def test_instance_tags(classic: NCPConnection, fake: FakeNCP, req: VMReqInfo) -> None:
    vm = classic.vm().start_vm(req=req)
    tags = classic.tag()
    assert tags.add_tag(kind=ResourceKind.VM, iid=vm.iid, key="owner", value="ops").tags == {
        "env": "legacy",
        "owner": "ops",
    }
    assert tags.add_tag(kind=ResourceKind.VM, iid=vm.iid, key="env", value="old").tags["env"] == "old"
    assert tags.get_tag(kind=ResourceKind.VM, iid=IID(name_id="legacy-01"), key="owner") == "ops"
    assert [t.resource_iid for t in tags.find_tags(keyword="OP")] == [vm.iid]
    tags.remove_tag(kind=ResourceKind.VM, iid=vm.iid, key="owner")
    tags.remove_tag(kind=ResourceKind.VM, iid=vm.iid, key="owner")
    with pytest.raises(NotFoundError):
        tags.get_tag(kind=ResourceKind.VM, iid=vm.iid, key="owner")
    with pytest.raises(NotSupportedError):
        tags.list_tags(kind=ResourceKind.KEY_PAIR, iid=IID(name_id="ops-key"))


def test_declared_capabilities(classic: NCPConnection) -> None:
    caps = CLASSIC_CAPABILITIES
    assert not caps.supports("vpc") and caps.tag_kinds == {"vm"}
    assert not caps.supports("security_group", "create") and caps.supports("security_group")
    for family in ("vpc", "nlb", "cluster"):
        with pytest.raises(NotSupportedError):
            getattr(classic, family)()


def test_member_server_images(classic: NCPConnection, fake: FakeNCP, req: VMReqInfo) -> None:
    source = classic.vm().start_vm(req=req)
    _settle(classic, source.iid, VMStatus.RUNNING)
    images = classic.my_image()
    with pytest.raises(InvalidStateError):  # Classic images only a stopped server
        images.create_my_image(req=MyImageReqInfo(name="legacy-img", source_vm_iid=source.iid))
    classic.vm().suspend_vm(iid=source.iid)
    _settle(classic, source.iid, VMStatus.SUSPENDED)
    created = images.create_my_image(req=MyImageReqInfo(name="legacy-img", source_vm_iid=source.iid, tags={"v": "1"}))
    assert created.source_vm_iid == source.iid and created.tags == {"v": "1"}
    assert created.status == MyImageStatus.UNAVAILABLE
    fake.settle()
    copy = classic.vm().start_vm(
        req=replace(req, name="legacy-02", image_type="MyImage", image_iid=IID(name_id="legacy-img"))
    )
    assert (copy.image_type, copy.image_iid) == ("MyImage", created.iid)
    call = [c for c in fake.calls if c.action == "createServerInstances"][-1]
    assert call.params["memberServerImageNo"] == created.iid.system_id and "serverImageProductCode" not in call.params
    images.delete_my_image(iid=created.iid)
    assert images.list_my_images() == []
