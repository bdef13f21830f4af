"""Tags on the kinds that live outside EC2 and are addressed by ARN: load balancers (ELBv2) and
EKS clusters. The tag handler uses these where EC2's CreateTags/DescribeTags do not reach.

An NLB's tags are set on its target group too, so the group stays findable and tagged alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from drivers.aws._common import user_tags
from drivers.aws._eks_convert import check_user_tags
from drivers.aws._eks_convert import user_tags as eks_user_tags
from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.types import IID, ResourceKind


@dataclass(frozen=True)
class ArnKind:
    """How one ARN-addressed kind is found, listed and tagged."""

    resolve: Callable[[IID], tuple[IID, str]]  # NotFoundError when absent
    listing: Callable[[], list[tuple[IID, str]]]
    read: Callable[[str], dict[str, str]]  # user tags of an ARN (no Name)
    add: Callable[[str, str, str], None]
    remove: Callable[[str, str], None]


def arn_kinds(clients: AWSClients) -> dict[ResourceKind, ArnKind]:
    # Imported here: the NLB and cluster modules sit above the tag handler.
    from drivers.aws.cluster import cluster_arn, list_cluster_iids
    from drivers.aws.nlb import list_nlb_iids, nlb_arn

    return {
        ResourceKind.NLB: ArnKind(
            resolve=lambda iid: nlb_arn(clients, iid),
            listing=lambda: list_nlb_iids(clients),
            read=lambda arn: _elb_tags(clients, arn),
            add=lambda arn, key, value: _elb_add(clients, arn, key, value),
            remove=lambda arn, key: _elb_remove(clients, arn, key),
        ),
        ResourceKind.CLUSTER: ArnKind(
            resolve=lambda iid: cluster_arn(clients, iid),
            listing=lambda: list_cluster_iids(clients),
            read=lambda arn: _eks_tags(clients, arn),
            add=lambda arn, key, value: _eks_add(clients, arn, key, value),
            remove=lambda arn, key: _eks_remove(clients, arn, key),
        ),
    }


def _elb_tags(clients: AWSClients, arn: str) -> dict[str, str]:
    with translate():
        described = clients.elbv2().describe_tags(ResourceArns=[arn])["TagDescriptions"]
    return user_tags(tag for d in described for tag in d.get("Tags", []))


def _target_groups(clients: AWSClients, arn: str) -> list[str]:
    with translate():
        pages = clients.elbv2().get_paginator("describe_target_groups").paginate(LoadBalancerArn=arn)
        return [str(group["TargetGroupArn"]) for page in pages for group in page.get("TargetGroups", [])]


def _elb_add(clients: AWSClients, arn: str, key: str, value: str) -> None:
    arns = [arn, *_target_groups(clients, arn)]
    with translate():
        clients.elbv2().add_tags(ResourceArns=arns, Tags=[{"Key": key, "Value": value}])


def _elb_remove(clients: AWSClients, arn: str, key: str) -> None:
    arns = [arn, *_target_groups(clients, arn)]
    with translate():
        clients.elbv2().remove_tags(ResourceArns=arns, TagKeys=[key])


def _eks_tags(clients: AWSClients, arn: str) -> dict[str, str]:
    with translate():
        tags = clients.eks().list_tags_for_resource(resourceArn=arn).get("tags", {})
    # The cluster's own `spiderweb:` tags carry state (node groups still to make, an upgrade).
    return eks_user_tags(user_tags({"Key": key, "Value": value} for key, value in tags.items()))


def _eks_add(clients: AWSClients, arn: str, key: str, value: str) -> None:
    check_user_tags({key: value}, field="key")
    with translate():
        clients.eks().tag_resource(resourceArn=arn, tags={key: value})


def _eks_remove(clients: AWSClients, arn: str, key: str) -> None:
    check_user_tags({key: ""}, field="key")
    with translate():
        clients.eks().untag_resource(resourceArn=arn, tagKeys=[key])
