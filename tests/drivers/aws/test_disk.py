"""What the AWS disk handler does beyond the conformance suite: zones, types, devices, root volumes."""

from __future__ import annotations

import pytest

from drivers.aws import AWSConnection
from drivers.errors import InvalidRequestError
from drivers.types import (
    IID,
    DiskReqInfo,
    DiskStatus,
    KeyPairReqInfo,
    SecurityReqInfo,
    SubnetReqInfo,
    VMReqInfo,
    VPCReqInfo,
)
from tests.drivers.aws import emulator

IMAGE = IID(name_id="ami-03c3da4cfa8e8943a")  # in moto's default catalogue


def _vm(aws: AWSConnection, zone: str) -> IID:
    subnet = SubnetReqInfo(name="front", ipv4_cidr="10.50.1.0/24", zone=zone)
    vpc = aws.vpc().create_vpc(req=VPCReqInfo(name="data", ipv4_cidr="10.50.0.0/16", subnets=(subnet,)))
    sg = aws.security_group().create_security_group(req=SecurityReqInfo(name="data-sg", vpc_iid=vpc.iid))
    key = aws.key_pair().create_key_pair(req=KeyPairReqInfo(name="data-key"))
    req = VMReqInfo(
        name="db-01",
        image_iid=IMAGE,
        spec_name="t3.micro",
        vpc_iid=vpc.iid,
        subnet_iid=vpc.subnets[0].iid,
        security_group_iids=(sg.iid,),
        key_pair_iid=key.iid,
    )
    return aws.vm().start_vm(req=req).iid


def test_a_disk_goes_to_the_connections_zone_with_aws_defaults(moto_url: str) -> None:
    emulator.reset()
    conn = emulator.connect(zone="us-east-1c")
    try:
        disk = conn.disk().create_disk(req=DiskReqInfo(name="logs"))
        assert (disk.zone, disk.disk_type, disk.disk_size_gb) == ("us-east-1c", "gp3", 8)
        sized = conn.disk().create_disk(req=DiskReqInfo(name="big", disk_type="gp2", disk_size_gb=100))
        assert (sized.disk_type, sized.disk_size_gb) == ("gp2", 100)
    finally:
        conn.close()


def test_an_unknown_volume_type_names_its_field(aws: AWSConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        aws.disk().create_disk(req=DiskReqInfo(name="logs", disk_type="ssd"))
    assert caught.value.field == "disk_type"
    assert aws.disk().list_disks() == []


def test_a_disk_of_another_zone_does_not_attach(aws: AWSConnection) -> None:
    vm = _vm(aws, "us-east-1a")
    disk = aws.disk().create_disk(req=DiskReqInfo(name="far", zone="us-east-1b"))
    with pytest.raises(InvalidRequestError) as caught:
        aws.disk().attach_disk(iid=disk.iid, vm_iid=vm)
    assert caught.value.field == "iid"
    assert aws.disk().get_disk(iid=disk.iid).status == DiskStatus.AVAILABLE


def test_data_disks_get_free_devices_and_the_root_volume_is_not_one(aws: AWSConnection) -> None:
    vm = _vm(aws, "us-east-1a")
    assert aws.vm().get_vm(iid=vm).data_disk_iids == ()
    first = aws.disk().create_disk(req=DiskReqInfo(name="d1", zone="us-east-1a"))
    second = aws.disk().create_disk(req=DiskReqInfo(name="d2", zone="us-east-1a"))
    devices = [aws.disk().attach_disk(iid=d.iid, vm_iid=vm).extra["device"] for d in (first, second)]
    assert devices == ["/dev/sdf", "/dev/sdg"]
    assert aws.vm().get_vm(iid=vm).data_disk_iids == (first.iid, second.iid)
