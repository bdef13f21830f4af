"""What every kind shares: how to read one or all of it at the cloud, and how to record the answer.

Importing this module also registers every kind's actions with the operation runner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drivers.interface import CloudConnection
from drivers.types import IID
from resources.models import Kind, Resource
from resources.services import (  # noqa: F401 - importing them registers their actions
    anycall,
    cluster,
    disk,
    key_pair,
    my_image,
    nlb,
    security_group,
    tags,
    vm,
    vpc,
)


@dataclass(frozen=True, slots=True)
class KindOps:
    kind: str
    get: Callable[[CloudConnection, IID], Any]
    list: Callable[[CloudConnection], list[Any]]
    apply: Callable[[Resource, Any], None]
    delete: Callable[[CloudConnection, IID], Any]


KINDS: dict[str, KindOps] = {
    Kind.VPC: KindOps(
        Kind.VPC,
        get=lambda cloud, iid: cloud.vpc().get_vpc(iid=iid),
        list=lambda cloud: cloud.vpc().list_vpcs(),
        apply=vpc.apply_vpc,
        delete=lambda cloud, iid: cloud.vpc().delete_vpc(iid=iid),
    ),
    Kind.SECURITY_GROUP: KindOps(
        Kind.SECURITY_GROUP,
        get=lambda cloud, iid: cloud.security_group().get_security_group(iid=iid),
        list=lambda cloud: cloud.security_group().list_security_groups(),
        apply=security_group.apply_security_group,
        delete=lambda cloud, iid: cloud.security_group().delete_security_group(iid=iid),
    ),
    Kind.KEY_PAIR: KindOps(
        Kind.KEY_PAIR,
        get=lambda cloud, iid: cloud.key_pair().get_key_pair(iid=iid),
        list=lambda cloud: cloud.key_pair().list_key_pairs(),
        apply=key_pair.apply_key_pair,
        delete=lambda cloud, iid: cloud.key_pair().delete_key_pair(iid=iid),
    ),
    Kind.VM: KindOps(
        Kind.VM,
        get=lambda cloud, iid: cloud.vm().get_vm(iid=iid),
        list=lambda cloud: cloud.vm().list_vms(),
        apply=vm.apply_vm,
        delete=lambda cloud, iid: cloud.vm().terminate_vm(iid=iid),
    ),
    Kind.DISK: KindOps(
        Kind.DISK,
        get=lambda cloud, iid: cloud.disk().get_disk(iid=iid),
        list=lambda cloud: cloud.disk().list_disks(),
        apply=disk.apply_disk,
        delete=lambda cloud, iid: cloud.disk().delete_disk(iid=iid),
    ),
    Kind.MY_IMAGE: KindOps(
        Kind.MY_IMAGE,
        get=lambda cloud, iid: cloud.my_image().get_my_image(iid=iid),
        list=lambda cloud: cloud.my_image().list_my_images(),
        apply=my_image.apply_my_image,
        delete=lambda cloud, iid: cloud.my_image().delete_my_image(iid=iid),
    ),
    Kind.NLB: KindOps(
        Kind.NLB,
        get=lambda cloud, iid: cloud.nlb().get_nlb(iid=iid),
        list=lambda cloud: cloud.nlb().list_nlbs(),
        apply=nlb.apply_nlb,
        delete=lambda cloud, iid: cloud.nlb().delete_nlb(iid=iid),
    ),
    Kind.CLUSTER: KindOps(
        Kind.CLUSTER,
        get=lambda cloud, iid: cloud.cluster().get_cluster(iid=iid),
        list=lambda cloud: cloud.cluster().list_clusters(),
        apply=cluster.apply_cluster,
        delete=lambda cloud, iid: cloud.cluster().delete_cluster(iid=iid),
    ),
}


def kind_ops(kind: str) -> KindOps:
    return KINDS[kind]
