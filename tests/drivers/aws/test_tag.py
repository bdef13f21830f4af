"""What the AWS tag handler does beyond the conformance suite: the kinds that need a VM, the Name tag."""

from __future__ import annotations

import pytest

from drivers.aws import AWSConnection
from drivers.errors import InvalidRequestError
from drivers.types import (
    IID,
    DiskReqInfo,
    MyImageReqInfo,
    ResourceKind,
    SecurityReqInfo,
    SubnetReqInfo,
    VMReqInfo,
    VPCReqInfo,
)

IMAGE = IID(name_id="ami-03c3da4cfa8e8943a")  # in moto's default catalogue


def _vm(aws: AWSConnection) -> IID:
    subnet = SubnetReqInfo(name="front", ipv4_cidr="10.70.1.0/24")
    vpc = aws.vpc().create_vpc(req=VPCReqInfo(name="tagged", ipv4_cidr="10.70.0.0/16", subnets=(subnet,)))
    sg = aws.security_group().create_security_group(req=SecurityReqInfo(name="tagged-sg", vpc_iid=vpc.iid))
    req = VMReqInfo(
        name="app-01",
        image_iid=IMAGE,
        spec_name="t3.micro",
        vpc_iid=vpc.iid,
        subnet_iid=vpc.subnets[0].iid,
        security_group_iids=(sg.iid,),
    )
    return aws.vm().start_vm(req=req).iid


def test_vms_disks_and_images_take_tags_that_show_on_them(aws: AWSConnection) -> None:
    vm = _vm(aws)
    disk = aws.disk().create_disk(req=DiskReqInfo(name="data")).iid
    image = aws.my_image().create_my_image(req=MyImageReqInfo(name="golden", source_vm_iid=vm)).iid
    tags = aws.tag()
    for kind, iid in ((ResourceKind.VM, vm), (ResourceKind.DISK, disk), (ResourceKind.MY_IMAGE, image)):
        added = tags.add_tag(kind=kind, iid=IID(name_id=iid.name_id), key="owner", value="ops")
        assert (added.resource_iid, added.tags) == (iid, {"owner": "ops"})  # the Name tag stays hidden
    assert aws.vm().get_vm(iid=vm).tags == {"owner": "ops"}
    assert aws.disk().get_disk(iid=disk).tags == {"owner": "ops"}
    assert aws.my_image().get_my_image(iid=image).tags == {"owner": "ops"}
    found = [(info.kind, info.resource_iid) for info in tags.find_tags(keyword="OPS")]
    assert found == [(ResourceKind.VM, vm), (ResourceKind.DISK, disk), (ResourceKind.MY_IMAGE, image)]
    assert tags.find_tags(keyword="app-01") == []  # names are not tags


def test_the_name_tag_cannot_be_set_or_removed(aws: AWSConnection) -> None:
    vm = _vm(aws)
    for call in (
        lambda: aws.tag().add_tag(kind=ResourceKind.VM, iid=vm, key="Name", value="other"),
        lambda: aws.tag().remove_tag(kind=ResourceKind.VM, iid=vm, key="Name"),
    ):
        with pytest.raises(InvalidRequestError) as caught:
            call()
        assert caught.value.field == "key"
    assert aws.vm().get_vm(iid=vm).iid.name_id == "app-01"


def test_a_kind_aws_does_not_tag_names_its_field(aws: AWSConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        aws.tag().list_tags(kind=ResourceKind.CLUSTER, iid=IID(name_id="k8s"))
    assert caught.value.field == "kind"
