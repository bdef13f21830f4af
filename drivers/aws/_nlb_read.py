"""Reads behind the NLB handler: load balancers, listeners, target groups, targets and tags,
each kind read in as few ELBv2 calls as its API allows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from drivers.aws._common import filters, name_of
from drivers.aws._errors import translate
from drivers.aws._nlb_convert import NAME_PATTERN, forwarded_group, main_listener, name_from_arn, nlb_info
from drivers.errors import NotFoundError
from drivers.types import IID, NLBInfo

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client

TAGS_PER_CALL = 20  # DescribeTags takes at most 20 ARNs
IDS_PER_FILTER = 100


def find_load_balancer(
    elb: ElasticLoadBalancingv2Client, iid: IID, *, network_only: bool = True
) -> dict[str, Any] | None:
    """The network load balancer an IID names: by ARN when it has one, else by name (or an ARN given
    as name). Load balancers of every type share one namespace of names: `network_only=False` finds
    any of them."""
    arn = iid.system_id or (iid.name_id if iid.name_id.startswith("arn:") else "")
    if arn and not name_from_arn(arn):
        return None  # not a load balancer ARN at all
    if not arn and not NAME_PATTERN.match(iid.name_id):
        return None  # a name AWS would refuse cannot exist
    try:
        with translate():
            if arn:
                found = elb.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]
            else:
                found = elb.describe_load_balancers(Names=[iid.name_id])["LoadBalancers"]
    except NotFoundError:
        return None
    network = [dict(lb) for lb in found if lb.get("Type") == "network" or not network_only]
    return network[0] if network else None


def all_load_balancers(elb: ElasticLoadBalancingv2Client) -> list[dict[str, Any]]:
    with translate():
        pages = elb.get_paginator("describe_load_balancers").paginate()
        return [dict(lb) for page in pages for lb in page.get("LoadBalancers", []) if lb.get("Type") == "network"]


def listeners_of(elb: ElasticLoadBalancingv2Client, lb_arn: str) -> list[dict[str, Any]]:
    with translate():
        pages = elb.get_paginator("describe_listeners").paginate(LoadBalancerArn=lb_arn)
        return [dict(item) for page in pages for item in page.get("Listeners", [])]


def all_target_groups(elb: ElasticLoadBalancingv2Client) -> list[dict[str, Any]]:
    with translate():
        pages = elb.get_paginator("describe_target_groups").paginate()
        return [dict(group) for page in pages for group in page.get("TargetGroups", [])]


def target_groups(elb: ElasticLoadBalancingv2Client, arns: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The target groups of `arns` that exist, by ARN."""
    if not arns:
        return {}
    try:
        with translate():
            found = [dict(group) for group in elb.describe_target_groups(TargetGroupArns=list(arns))["TargetGroups"]]
    except NotFoundError:
        # One went away meanwhile, which fails the whole call; the full list tells which remain.
        found = all_target_groups(elb)
    return {str(g["TargetGroupArn"]): g for g in found if str(g["TargetGroupArn"]) in arns}


def target_health(elb: ElasticLoadBalancingv2Client, group_arn: str) -> list[dict[str, Any]]:
    try:
        with translate():
            answer = elb.describe_target_health(TargetGroupArn=group_arn)
    except NotFoundError:
        return []
    return [dict(t) for t in answer["TargetHealthDescriptions"]]


def tags_of(elb: ElasticLoadBalancingv2Client, arns: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The tags of load balancers or target groups, by ARN."""
    found: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(arns), TAGS_PER_CALL):
        with translate():
            described = elb.describe_tags(ResourceArns=list(arns[start : start + TAGS_PER_CALL]))["TagDescriptions"]
        found.update({str(d["ResourceArn"]): [dict(t) for t in d.get("Tags", [])] for d in described})
    return found


def instances_of(ec2: EC2Client, ids: set[str]) -> dict[str, dict[str, Any]]:
    """EC2 records by instance id; an id AWS has forgotten is left out (a filter answers nothing
    for it, where InstanceIds would fail the whole call)."""
    wanted, found = sorted(ids - {""}), {}
    for start in range(0, len(wanted), IDS_PER_FILTER):
        with translate():
            pages = ec2.get_paginator("describe_instances").paginate(
                Filters=filters(instance_id=wanted[start : start + IDS_PER_FILTER])
            )
            for page in pages:
                for reservation in page.get("Reservations", []):
                    found.update({str(i["InstanceId"]): dict(i) for i in reservation.get("Instances", [])})
    return found


def targets_and_instances(
    elb: ElasticLoadBalancingv2Client, ec2: EC2Client, group_arn: str
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """A group's target health records and the EC2 records of their instances."""
    targets = target_health(elb, group_arn)
    return targets, instances_of(ec2, {str(t.get("Target", {}).get("Id", "")) for t in targets})


def read_infos(elb: ElasticLoadBalancingv2Client, ec2: EC2Client, lbs: Sequence[Mapping[str, Any]]) -> list[NLBInfo]:
    """NLBInfos of `lbs`, with their groups, targets, tags, VMs and VPC names read in batches."""
    if not lbs:
        return []
    arns = [str(lb["LoadBalancerArn"]) for lb in lbs]
    listeners = {arn: main_listener(listeners_of(elb, arn)) for arn in arns}
    group_arns = {arn: forwarded_group(item) for arn, item in listeners.items() if item is not None}
    groups = target_groups(elb, sorted(set(group_arns.values()) - {""}))
    targets = {arn: target_health(elb, arn) for arn in groups}
    instances = instances_of(ec2, {str(t.get("Target", {}).get("Id", "")) for ts in targets.values() for t in ts})
    tags = tags_of(elb, arns)
    vpc_ids = sorted({str(lb.get("VpcId", "")) for lb in lbs} - {""})
    with translate():
        vpcs = ec2.describe_vpcs(Filters=filters(vpc_id=vpc_ids))["Vpcs"] if vpc_ids else []
    vpc_names = {str(v["VpcId"]): name_of(v.get("Tags"), str(v["VpcId"])) for v in vpcs}
    return [
        nlb_info(
            lb,
            listener=listeners.get(arn),
            group=groups.get(group_arns.get(arn, "")),
            targets=targets.get(group_arns.get(arn, ""), []),
            instances=instances,
            vpc_names=vpc_names,
            tags=tags.get(arn, []),
        )
        for arn, lb in zip(arns, lbs, strict=True)
    ]
