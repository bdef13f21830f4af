"""What the AWS machine-image handler does beyond the conformance suite: names, snapshots, VMs from AMIs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.aws import AWSConnection
from drivers.errors import InvalidRequestError
from drivers.types import IID, MyImageReqInfo, SecurityReqInfo, SubnetReqInfo, VMReqInfo, VPCReqInfo

IMAGE = IID(name_id="ami-03c3da4cfa8e8943a")  # in moto's default catalogue


@pytest.fixture
def req(aws: AWSConnection) -> VMReqInfo:
    subnet = SubnetReqInfo(name="front", ipv4_cidr="10.60.1.0/24")
    vpc = aws.vpc().create_vpc(req=VPCReqInfo(name="img", ipv4_cidr="10.60.0.0/16", subnets=(subnet,)))
    sg = aws.security_group().create_security_group(req=SecurityReqInfo(name="img-sg", vpc_iid=vpc.iid))
    return VMReqInfo(
        name="src-01",
        image_iid=IMAGE,
        spec_name="t3.micro",
        vpc_iid=vpc.iid,
        subnet_iid=vpc.subnets[0].iid,
        security_group_iids=(sg.iid,),
    )


def test_a_name_aws_refuses_names_its_field_before_any_call(aws: AWSConnection, req: VMReqInfo) -> None:
    source = aws.vm().start_vm(req=req).iid
    with pytest.raises(InvalidRequestError) as caught:
        aws.my_image().create_my_image(req=MyImageReqInfo(name="img#1", source_vm_iid=source))
    assert caught.value.field == "name"
    assert aws.my_image().list_my_images() == []


def test_a_vm_from_an_image_shows_it_and_delete_drops_its_snapshots(aws: AWSConnection, req: VMReqInfo) -> None:
    source = aws.vm().start_vm(req=req).iid
    image = aws.my_image().create_my_image(req=MyImageReqInfo(name="golden", source_vm_iid=source))
    assert aws.my_image().get_my_image(iid=IID(name_id="golden")).source_vm_iid == source
    ec2 = aws._clients.ec2()
    described = ec2.describe_images(ImageIds=[image.iid.system_id])["Images"][0]
    snapshots = {m["Ebs"]["SnapshotId"] for m in described["BlockDeviceMappings"] if m.get("Ebs", {}).get("SnapshotId")}
    assert snapshots

    copy = aws.vm().start_vm(req=replace(req, name="copy-01", image_type="MyImage", image_iid=IID(name_id="golden")))
    shown = aws.vm().get_vm(iid=copy.iid)
    assert (shown.image_type, shown.image_iid) == ("MyImage", image.iid)
    assert aws.vm().get_vm(iid=source).image_type == "PublicImage"

    aws.my_image().delete_my_image(iid=image.iid)
    left = {s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}
    assert not snapshots & left
