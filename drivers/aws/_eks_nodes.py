"""Managed node groups: their create parameters from a request, making them, and the work that waits
for a cluster to be Active (node groups asked for with it, node upgrades after the control plane's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.model import StringShape

from drivers.aws import _eks_convert as convert
from drivers.aws._common import check_tags
from drivers.aws._eks_lookup import find_cluster, list_groups
from drivers.aws._eks_roles import NODE_ROLE, role_of, while_role_settles
from drivers.aws._errors import error_code, translate
from drivers.aws._session import AWSClients
from drivers.aws.key_pair import AWSKeyPairHandler
from drivers.aws.vm_spec import AWSVMSpecHandler
from drivers.errors import (
    AlreadyExistsError,
    DependencyError,
    DriverError,
    InvalidRequestError,
    NotFoundError,
    TransientError,
)
from drivers.types import IID, NodeGroupReqInfo

if TYPE_CHECKING:
    from mypy_boto3_eks import EKSClient


def group_params(clients: AWSClients, req: NodeGroupReqInfo, *, prefix: str) -> dict[str, Any]:
    """CreateNodegroup's parameters for `req` (all but the cluster's own), every reference checked;
    the fields of errors start with `prefix`."""
    name = convert.check_name(req.name, what="node group", limit=convert.NODE_GROUP_NAME_LENGTH, field=f"{prefix}name")
    tags = convert.check_user_tags(check_tags(req.tags, field=f"{prefix}tags"), field=f"{prefix}tags")
    desired, low, high = convert.check_sizes(req.desired_node_size, req.min_node_size, req.max_node_size, prefix=prefix)
    if req.root_disk_type:
        raise InvalidRequestError(
            "EKS managed node groups take a root disk size but not a type (that needs a launch template).",
            field=f"{prefix}root_disk_type",
        )
    disk = req.root_disk_size_gb
    if isinstance(disk, bool) or not isinstance(disk, int) or disk < 0:
        raise InvalidRequestError(f"Root disk size {disk!r} is not a size in GB.", field=f"{prefix}root_disk_size_gb")
    if not isinstance(req.on_auto_scaling, bool):
        raise InvalidRequestError("Autoscaling must be true or false.", field=f"{prefix}on_auto_scaling")
    try:
        spec = AWSVMSpecHandler(clients).get_spec(name=req.spec_name)
    except NotFoundError as exc:
        raise NotFoundError(exc.message, provider_message=exc.provider_message, field=f"{prefix}spec_name") from exc
    try:
        key = AWSKeyPairHandler(clients).get_key_pair(iid=req.key_pair_iid)
    except NotFoundError as exc:
        raise NotFoundError(exc.message, field=f"{prefix}key_pair_iid") from exc
    # The AMI types this SDK knows, from its service model: new ones arrive with botocore.
    shape = clients.eks().meta.service_model.shape_for("AMITypes")
    known = list(shape.enum) if isinstance(shape, StringShape) else []
    params: dict[str, Any] = {
        "nodegroupName": name,
        "scalingConfig": {"minSize": low, "maxSize": high, "desiredSize": desired},
        "instanceTypes": [spec.name],
        "amiType": convert.ami_type(req.image_iid, spec, known, field=f"{prefix}image_iid"),
        "remoteAccess": {"ec2SshKey": key.iid.name_id},
        "labels": {convert.AUTOSCALING_LABEL: "on" if req.on_auto_scaling else "off"},
        "tags": tags,
    }
    if disk:
        params["diskSize"] = disk
    return params


def create_group(
    eks: EKSClient, cluster: Mapping[str, Any], params: Mapping[str, Any], role: str, *, new_role: bool
) -> None:
    """Make a node group of `params` on the cluster's subnets; `AlreadyExistsError` if its name is taken."""
    config = cluster.get("resourcesVpcConfig") or {}
    remote = dict(params.get("remoteAccess") or {})
    if config.get("securityGroupIds"):
        # Without source groups EKS opens SSH to the nodes from anywhere; the cluster's groups it is instead.
        remote["sourceSecurityGroups"] = list(config["securityGroupIds"])
    request = {**params, "remoteAccess": remote}
    subnets = list(config.get("subnetIds", []))

    def create() -> None:
        with translate():
            eks.create_nodegroup(clusterName=str(cluster["name"]), subnets=subnets, nodeRole=role, **request)

    try:
        while_role_settles(create, new_role=new_role)
    except DependencyError as exc:
        if error_code(exc) == "ResourceInUseException":
            raise AlreadyExistsError(f"Node group '{params['nodegroupName']}' already exists.", field="name") from exc
        raise


def retag(eks: EKSClient, cluster: Mapping[str, Any], prefix: str, tags: Mapping[str, str]) -> None:
    """Replace the cluster's tags under `prefix` by `tags`."""
    present = cluster.get("tags") or {}
    stale = [key for key in convert.reserved_keys(present, prefix) if key not in tags]
    changed = {key: value for key, value in tags.items() if present.get(key) != value}
    with translate():
        if changed:
            eks.tag_resource(resourceArn=str(cluster["arn"]), tags=changed)
        # One key a call: an AWS-compatible endpoint (moto) may read only the first key of a query string.
        for key in stale:
            eks.untag_resource(resourceArn=str(cluster["arn"]), tagKeys=[key])


def catch_up(clients: AWSClients, cluster: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Do what waited for the cluster to be Active, and answer it described again with, per node
    group, why EKS refused what was asked for it. Anything transient is left for the next read."""
    tags = cluster.get("tags") or {}
    target, update_id = convert.upgrade_target(tags)
    wanted_keys = convert.reserved_keys(tags, convert.WANTED_TAG)
    if cluster.get("status") != "ACTIVE" or not (wanted_keys or target):
        return cluster, {}
    eks = clients.eks()
    errors: dict[str, str] = {}
    if wanted_keys:
        wanted = convert.wanted_groups(tags)
        left: list[dict[str, Any]] = []
        for group in wanted:
            try:
                role, new_role = role_of(clients, NODE_ROLE)
                create_group(eks, cluster, group, role, new_role=new_role)
            except AlreadyExistsError:
                pass  # made by a concurrent read
            except TransientError:
                left.append(group)
            except DriverError as exc:
                left.append(group)
                errors[str(group.get("nodegroupName", ""))] = str(exc)
        retag(eks, cluster, convert.WANTED_TAG, convert.wanted_tags(left))
    if target and _follow_version(eks, cluster, target, update_id, errors):
        retag(eks, cluster, convert.NODE_VERSION_TAG, {})
    return find_cluster(eks, IID(name_id=str(cluster["name"]))) or cluster, errors


def _follow_version(
    eks: EKSClient, cluster: Mapping[str, Any], target: str, update_id: str, errors: dict[str, str]
) -> bool:
    """Start the node groups' upgrades to the control plane's new version; True once none is left to do."""
    name = str(cluster["name"])
    if cluster.get("version") != target:
        if not update_id:
            return True
        try:
            with translate():
                update = eks.describe_update(name=name, updateId=update_id)["update"]
        except NotFoundError:
            return True
        return update.get("status") != "InProgress"  # failed or cancelled: nothing to follow
    done = True
    for group in list_groups(eks, name):
        if group.get("version") == target:
            continue
        done = False
        if group.get("status") != "ACTIVE":
            continue
        try:
            with translate():
                # Without a version EKS takes the cluster's, with the newest release of the group's AMI type.
                eks.update_nodegroup_version(clusterName=name, nodegroupName=str(group["nodegroupName"]))
        except TransientError:
            pass
        except DriverError as exc:
            errors[str(group["nodegroupName"])] = str(exc)
    return done
