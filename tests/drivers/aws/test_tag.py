"""What the AWS tag handler does beyond the conformance suite: the kinds that need a VM, the Name tag."""

from __future__ import annotations

import pytest

from drivers.aws import AWSConnection
from drivers.errors import InvalidRequestError, NotFoundError
from drivers.types import (
    IID,
    ClusterReqInfo,
    DiskReqInfo,
    HealthCheckerInfo,
    ListenerInfo,
    MyImageReqInfo,
    NLBReqInfo,
    ResourceKind,
    SecurityReqInfo,
    SubnetReqInfo,
    VMGroupInfo,
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


def _nlb_and_cluster(aws: AWSConnection) -> tuple[IID, IID]:
    subnets = (
        SubnetReqInfo(name="edge-a", ipv4_cidr="10.71.1.0/24", zone="us-east-1a"),
        SubnetReqInfo(name="edge-b", ipv4_cidr="10.71.2.0/24", zone="us-east-1b"),
    )
    vpc = aws.vpc().create_vpc(req=VPCReqInfo(name="edge", ipv4_cidr="10.71.0.0/16", subnets=subnets))
    sg = aws.security_group().create_security_group(req=SecurityReqInfo(name="edge-sg", vpc_iid=vpc.iid))
    nlb = aws.nlb().create_nlb(
        req=NLBReqInfo(
            name="edge-nlb",
            vpc_iid=vpc.iid,
            listener=ListenerInfo(protocol="TCP", port=80),
            vm_group=VMGroupInfo(protocol="TCP", port=8080),
            health_checker=HealthCheckerInfo(protocol="TCP", port=8080),
            tags={"team": "edge"},
        )
    )
    cluster = aws.cluster().create_cluster(
        req=ClusterReqInfo(
            name="edge-k8s",
            vpc_iid=vpc.iid,
            subnet_iids=tuple(subnet.iid for subnet in vpc.subnets),
            security_group_iids=(sg.iid,),
            tags={"team": "edge"},
        )
    )
    return nlb.iid, cluster.iid


def test_load_balancers_and_clusters_take_tags_through_their_own_services(aws: AWSConnection) -> None:
    nlb, cluster = _nlb_and_cluster(aws)
    tags = aws.tag()
    for kind, iid in ((ResourceKind.NLB, nlb), (ResourceKind.CLUSTER, cluster)):
        added = tags.add_tag(kind=kind, iid=IID(name_id=iid.name_id), key="owner", value="ops")
        assert (added.resource_iid, added.tags) == (iid, {"team": "edge", "owner": "ops"})
        assert tags.get_tag(kind=kind, iid=iid, key="owner") == "ops"
    assert aws.nlb().get_nlb(iid=nlb).tags == {"team": "edge", "owner": "ops"}
    assert aws.cluster().get_cluster(iid=cluster).tags == {"team": "edge", "owner": "ops"}
    # The NLB's target group is tagged alike, so it stays findable with its load balancer.
    elb = aws._clients.elbv2()
    group_arn = elb.describe_target_groups()["TargetGroups"][0]["TargetGroupArn"]
    group_tags = {
        t["Key"]: t["Value"] for t in elb.describe_tags(ResourceArns=[group_arn])["TagDescriptions"][0]["Tags"]
    }
    assert group_tags["owner"] == "ops"

    found = [(info.kind, info.resource_iid) for info in tags.find_tags(keyword="OPS")]
    assert found == [(ResourceKind.NLB, nlb), (ResourceKind.CLUSTER, cluster)]
    assert [info.kind for info in tags.find_tags(kind=ResourceKind.CLUSTER, keyword="edge")] == [ResourceKind.CLUSTER]

    tags.remove_tag(kind=ResourceKind.NLB, iid=nlb, key="owner")
    tags.remove_tag(kind=ResourceKind.CLUSTER, iid=cluster, key="owner")
    assert tags.list_tags(kind=ResourceKind.NLB, iid=nlb).tags == {"team": "edge"}
    assert tags.list_tags(kind=ResourceKind.CLUSTER, iid=cluster).tags == {"team": "edge"}
    with pytest.raises(NotFoundError):
        tags.get_tag(kind=ResourceKind.CLUSTER, iid=cluster, key="owner")
    # Absent resources: reads are not found, a removal is a no-op.
    with pytest.raises(NotFoundError):
        tags.list_tags(kind=ResourceKind.NLB, iid=IID(name_id="no-such-nlb"))
    assert tags.remove_tag(kind=ResourceKind.CLUSTER, iid=IID(name_id="no-such-k8s"), key="owner") is None


def test_spiderwebs_own_cluster_tags_stay_out_of_reach(aws: AWSConnection) -> None:
    _, cluster = _nlb_and_cluster(aws)
    for call in (
        lambda: aws.tag().add_tag(kind=ResourceKind.CLUSTER, iid=cluster, key="spiderweb:node-version", value="1"),
        lambda: aws.tag().remove_tag(kind=ResourceKind.CLUSTER, iid=cluster, key="spiderweb:wanted-node-groups"),
    ):
        with pytest.raises(InvalidRequestError) as caught:
            call()
        assert caught.value.field == "key"


def test_a_kind_aws_does_not_tag_names_its_field(aws: AWSConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        aws.tag().list_tags(kind="tpu", iid=IID(name_id="v5e"))  # type: ignore[arg-type]
    assert caught.value.field == "kind"
