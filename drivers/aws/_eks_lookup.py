"""Finding EKS clusters and node groups by IID, and reading from EC2 what their infos name."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from drivers.aws import _eks_convert as convert
from drivers.aws._common import filters, name_of
from drivers.aws._errors import translate
from drivers.errors import NotFoundError
from drivers.types import IID

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_eks import EKSClient

NODE_STATES = ("pending", "running", "stopping", "stopped")


def _name_in_arn(arn: str, kind: str, position: int) -> str:
    """A name inside an EKS ARN: `...:cluster/<name>`, `...:nodegroup/<cluster>/<name>/<uuid>`."""
    parts = arn.split(":", 5)[-1].split("/") if arn.count(":") >= 5 else []
    return parts[position] if len(parts) > position and parts[0] == kind else ""


def _lookup_name(iid: IID, kind: str, position: int, limit: int) -> str | None:
    """The name to ask EKS for (None: no such name can exist, so nothing is found)."""
    if iid.system_id.startswith("arn:"):
        name = _name_in_arn(iid.system_id, kind, position)
    else:
        name = iid.system_id or iid.name_id
    return name if convert.valid_name(name, limit=limit) else None


def group_name(iid: IID) -> str | None:
    return _lookup_name(iid, "nodegroup", 2, convert.NODE_GROUP_NAME_LENGTH)


def find_cluster(eks: EKSClient, iid: IID) -> dict[str, Any] | None:
    """The described cluster an IID names (by its ARN when it has one, else by name), or None."""
    name = _lookup_name(iid, "cluster", 1, convert.CLUSTER_NAME_LENGTH)
    if name is None:
        return None
    try:
        with translate():
            cluster = dict(eks.describe_cluster(name=name)["cluster"])
    except NotFoundError:
        return None
    if iid.system_id.startswith("arn:") and cluster.get("arn") != iid.system_id:
        return None
    return cluster


def find_group(eks: EKSClient, cluster_name: str, iid: IID) -> dict[str, Any] | None:
    """The described node group; an ARN must match too (a group made again under its name is another)."""
    name = group_name(iid)
    if name is None:
        return None
    try:
        with translate():
            group = dict(eks.describe_nodegroup(clusterName=cluster_name, nodegroupName=name)["nodegroup"])
    except NotFoundError:
        return None
    if iid.system_id.startswith("arn:") and group.get("nodegroupArn") != iid.system_id:
        return None
    return group


def list_groups(eks: EKSClient, cluster_name: str) -> list[dict[str, Any]]:
    """The cluster's node groups, described ([] once the cluster is gone)."""
    try:
        with translate():
            pages = eks.get_paginator("list_nodegroups").paginate(clusterName=cluster_name)
            names = [str(name) for page in pages for name in page.get("nodegroups", [])]
    except NotFoundError:
        return []
    found = (find_group(eks, cluster_name, IID(name_id=name)) for name in names)
    return [group for group in found if group is not None]


def cluster_names(eks: EKSClient) -> list[str]:
    with translate():
        pages = eks.get_paginator("list_clusters").paginate()
        return sorted(str(name) for page in pages for name in page.get("clusters", []))


def list_clusters(eks: EKSClient) -> list[dict[str, Any]]:
    found = (find_cluster(eks, IID(name_id=name)) for name in cluster_names(eks))
    return [cluster for cluster in found if cluster is not None]


def _described(describe: Callable[..., Any], key: str, **wanted: Iterable[str]) -> list[Any]:
    values = {name: sorted(set(ids)) for name, ids in wanted.items()}
    values = {name: ids for name, ids in values.items() if ids}
    return list(describe(Filters=filters(**values))[key]) if values else []


def subnet_vpcs(ec2: EC2Client, subnet_ids: Iterable[str]) -> dict[str, str]:
    with translate():
        subnets = _described(ec2.describe_subnets, "Subnets", subnet_id=subnet_ids)
    return {str(s["SubnetId"]): str(s.get("VpcId", "")) for s in subnets}


def subnet_in(subnets: Mapping[str, Mapping[str, Any]], iid: IID, *, field: str) -> str:
    """The id of the subnet an IID names among a VPC's `subnets` (by id)."""
    for subnet_id, subnet in subnets.items():
        if subnet_id == iid.system_id or (
            not iid.system_id and iid.name_id in (name_of(subnet.get("Tags"), ""), subnet_id)
        ):
            return subnet_id
    raise NotFoundError(f"Subnet '{iid.system_id or iid.name_id}' is not in the cluster's VPC.", field=field)


def vpc_of(ec2: EC2Client, cluster: Mapping[str, Any]) -> str:
    config = cluster.get("resourcesVpcConfig") or {}
    known = {} if config.get("vpcId") else subnet_vpcs(ec2, config.get("subnetIds", []))
    return convert.vpc_id_of(cluster, known)


def keys_of(eks: EKSClient, cluster: Mapping[str, Any]) -> set[str]:
    """The key pairs the cluster's node groups (made or wanted) put on their nodes."""
    groups = [*list_groups(eks, str(cluster["name"])), *convert.wanted_groups(cluster.get("tags"))]
    return {str((group.get("remoteAccess") or {}).get("ec2SshKey", "")) for group in groups} - {""}


def cluster_lookups(
    ec2: EC2Client, entries: Sequence[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]]
) -> convert.Lookups:
    """The names and ids the infos of `(cluster, node groups)` entries show, and the clusters' nodes."""
    subnet_ids: set[str] = set()
    group_ids: set[str] = set()
    vpc_ids: set[str] = set()
    key_names: set[str] = set()
    for cluster, groups in entries:
        config = cluster.get("resourcesVpcConfig") or {}
        subnet_ids.update(str(s) for s in config.get("subnetIds", []))
        group_ids.update(str(g) for g in config.get("securityGroupIds", []))
        if config.get("vpcId"):
            vpc_ids.add(str(config["vpcId"]))
        for group in [*groups, *convert.wanted_groups(cluster.get("tags"))]:
            key = (group.get("remoteAccess") or {}).get("ec2SshKey")
            if key:
                key_names.add(str(key))
    vpcs_of_subnets = subnet_vpcs(ec2, subnet_ids)
    vpc_ids.update(v for v in vpcs_of_subnets.values() if v)
    names: dict[str, str] = {}
    with translate():
        for vpc in _described(ec2.describe_vpcs, "Vpcs", vpc_id=vpc_ids):
            names[str(vpc["VpcId"])] = name_of(vpc.get("Tags"), str(vpc["VpcId"]))
        for subnet in _described(ec2.describe_subnets, "Subnets", subnet_id=subnet_ids):
            names[str(subnet["SubnetId"])] = name_of(subnet.get("Tags"), str(subnet["SubnetId"]))
        for group in _described(ec2.describe_security_groups, "SecurityGroups", group_id=group_ids):
            names[str(group["GroupId"])] = str(group.get("GroupName") or group["GroupId"])
        keys = _described(ec2.describe_key_pairs, "KeyPairs", key_name=key_names)
    return convert.Lookups(
        names=names,
        key_ids={str(k["KeyName"]): str(k.get("KeyPairId", "")) for k in keys},
        subnet_vpcs=vpcs_of_subnets,
        nodes=_nodes(ec2, [str(cluster["name"]) for cluster, _ in entries]),
    )


def _nodes(ec2: EC2Client, cluster_names: Sequence[str]) -> dict[tuple[str, str], list[IID]]:
    """The VMs of each (cluster, node group): EKS tags its managed nodes with both names."""
    if not cluster_names:
        return {}
    wanted = [
        {"Name": "tag:eks:cluster-name", "Values": sorted(set(cluster_names))},
        *filters(instance_state_name=NODE_STATES),
    ]
    with translate():
        pages = ec2.get_paginator("describe_instances").paginate(Filters=wanted)
        instances = [i for page in pages for r in page.get("Reservations", []) for i in r.get("Instances", [])]
    nodes: dict[tuple[str, str], list[IID]] = {}
    for instance in instances:
        tags = {str(t["Key"]): str(t.get("Value", "")) for t in instance.get("Tags", [])}
        key = (tags.get("eks:cluster-name", ""), tags.get("eks:nodegroup-name", ""))
        instance_id = str(instance["InstanceId"])
        nodes.setdefault(key, []).append(IID(name_id=name_of(instance.get("Tags"), instance_id), system_id=instance_id))
    return {key: sorted(iids, key=lambda iid: (iid.name_id, iid.system_id)) for key, iids in nodes.items()}
