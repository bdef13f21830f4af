"""Custom images and tags against the fake ECS and VPC APIs."""

from __future__ import annotations

import time

import pytest

from drivers.alibaba import AlibabaConnection
from drivers.errors import InvalidStateError
from drivers.types import IID, MyImageReqInfo, MyImageStatus, ResourceKind, SubnetReqInfo, VMStatus, VPCReqInfo
from tests.drivers.alibaba.fake import FakeAlibaba
from tests.drivers.alibaba.test_vm import _req, _wait


def test_an_image_remembers_its_vm_and_becomes_available(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    vm = ali.vm().start_vm(req=_req(ali))
    with pytest.raises(InvalidStateError):  # ECS images only a Running or Stopped instance
        ali.my_image().create_my_image(req=MyImageReqInfo(name="img", source_vm_iid=vm.iid))
    _wait(ali, vm.iid, VMStatus.RUNNING)
    image = ali.my_image().create_my_image(req=MyImageReqInfo(name="img", source_vm_iid=vm.iid, tags={"v": "2"}))
    assert image.status == MyImageStatus.UNAVAILABLE and image.extra["Status"] == "Creating"
    assert image.source_vm_iid == IID(name_id="vm-1", system_id=vm.iid.system_id)
    deadline = time.monotonic() + 5
    while ali.my_image().get_my_image(iid=image.iid).status != MyImageStatus.AVAILABLE:
        assert time.monotonic() < deadline
    assert ali.my_image().get_my_image(iid=IID(name_id="img")).extra["Progress"] == "100%"
    assert [i.iid for i in ali.my_image().list_my_images()] == [image.iid]
    assert image.iid.name_id not in {i.iid.name_id for i in ali.image().list_images()}  # public images only


def test_tags_go_through_each_products_api(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    vm = ali.vm().start_vm(req=_req(ali))
    vpc = ali.vpc().create_vpc(
        req=VPCReqInfo(name="v", ipv4_cidr="10.7.0.0/16", subnets=(SubnetReqInfo(name="s", ipv4_cidr="10.7.1.0/24"),))
    )
    ali.tag().add_tag(kind=ResourceKind.SUBNET, iid=IID(name_id="s"), key="tier", value="db")
    switch = fake.table("vswitches")[vpc.subnets[0].iid.system_id]
    assert switch["Tags"]["Tag"] == [{"Key": "tier", "Value": "db"}]
    assert ("vpc", "TagResources") in fake.calls
    ali.tag().add_tag(kind=ResourceKind.VM, iid=vm.iid, key="owner", value="ops")
    assert fake.table("instances")[vm.iid.system_id]["Tags"]["Tag"] == [{"TagKey": "owner", "TagValue": "ops"}]
    ali.tag().remove_tag(kind=ResourceKind.VM, iid=vm.iid, key="owner")
    assert ali.vm().get_vm(iid=vm.iid).tags == {}
    found = ali.tag().find_tags(keyword="d")
    assert [(info.kind, info.resource_iid.name_id) for info in found] == [(ResourceKind.SUBNET, "s")]
