"""EKS answers -> cluster and node group infos; request checks; what Spiderweb keeps in cluster tags.

Two things EKS cannot hold as such live in tags of the cluster, under the reserved `spiderweb:`
prefix that user tags may not use and never show:

- node groups asked for while the cluster is still being created (EKS takes node groups only
  from an Active cluster): `spiderweb:wanted-node-groups/<n>`, the groups' create parameters as
  compressed JSON cut into tag-sized pieces;
- the version an upgrade goes to, so that the node groups follow the control plane once it is
  done: `spiderweb:node-version`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from drivers.checks import check_whole
from drivers.errors import InvalidRequestError
from drivers.types import IID, ClusterInfo, ClusterStatus, NodeGroupInfo, VMSpecInfo

CLUSTER_STATUS: dict[str, ClusterStatus] = {
    "PENDING": ClusterStatus.CREATING,
    "CREATING": ClusterStatus.CREATING,
    "ACTIVE": ClusterStatus.ACTIVE,
    "UPDATING": ClusterStatus.UPDATING,
    "DELETING": ClusterStatus.DELETING,
    "FAILED": ClusterStatus.INACTIVE,
}
NODE_GROUP_STATUS: dict[str, ClusterStatus] = {
    "CREATING": ClusterStatus.CREATING,
    "ACTIVE": ClusterStatus.ACTIVE,
    "UPDATING": ClusterStatus.UPDATING,
    "DELETING": ClusterStatus.DELETING,
    "CREATE_FAILED": ClusterStatus.INACTIVE,
    "DELETE_FAILED": ClusterStatus.INACTIVE,
    "DEGRADED": ClusterStatus.INACTIVE,
}

RESERVED_PREFIX = "spiderweb:"
WANTED_TAG = "spiderweb:wanted-node-groups"
NODE_VERSION_TAG = "spiderweb:node-version"
MAX_TAGS = 50  # per EKS resource
TAG_VALUE_LENGTH = 256
# EKS has no autoscaling switch; the node label records Spiderweb's.
AUTOSCALING_LABEL = "spiderweb/autoscaling"

_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]*$")
CLUSTER_NAME_LENGTH = 100
NODE_GROUP_NAME_LENGTH = 63
_VERSION = re.compile(r"^(\d+)\.(\d+)$")


# --- checks --------------------------------------------------------------------------------------


def valid_name(name: object, *, limit: int) -> bool:
    return isinstance(name, str) and 0 < len(name) <= limit and bool(_NAME.match(name))


def check_name(name: object, *, what: str, limit: int, field: str) -> str:
    if not valid_name(name, limit=limit):
        raise InvalidRequestError(
            f"{what.capitalize()} name {name!r} is invalid: use 1 to {limit} letters, digits, hyphens and "
            "underscores, starting with a letter or digit.",
            field=field,
        )
    return str(name)


def check_user_tags(tags: Mapping[str, str], *, field: str) -> dict[str, str]:
    for key in tags:
        if isinstance(key, str) and key.lower().startswith(RESERVED_PREFIX):
            raise InvalidRequestError(
                f"Tag key {key!r} is reserved: '{RESERVED_PREFIX}' tags are Spiderweb's.", field=field
            )
    return dict(tags)


def parse_version(version: object, *, field: str = "version") -> tuple[int, int]:
    match = _VERSION.match(version) if isinstance(version, str) else None
    if match is None:
        raise InvalidRequestError(
            f"Kubernetes version {version!r} is invalid: give major.minor, e.g. 1.31.", field=field
        )
    return int(match.group(1)), int(match.group(2))


def check_sizes(desired: Any, low: Any, high: Any, *, prefix: str = "") -> tuple[int, int, int]:
    """(desired, min, max) with 0 <= min <= desired <= max and max >= 1, as EKS's scaling config wants."""
    desired = check_whole(desired, field=f"{prefix}desired_node_size", what="The desired size")
    low = check_whole(low, field=f"{prefix}min_node_size", what="The minimum size")
    high = check_whole(high, field=f"{prefix}max_node_size", what="The maximum size")
    if low < 0:
        raise InvalidRequestError(f"The minimum size {low} is negative.", field=f"{prefix}min_node_size")
    if high < 1:
        raise InvalidRequestError(f"The maximum size must be at least 1, not {high}.", field=f"{prefix}max_node_size")
    if low > desired:
        raise InvalidRequestError(
            f"The minimum size {low} is above the desired size {desired}.", field=f"{prefix}min_node_size"
        )
    if desired > high:
        raise InvalidRequestError(
            f"The desired size {desired} is above the maximum size {high}.", field=f"{prefix}desired_node_size"
        )
    return desired, low, high


def ami_type(image: IID | None, spec: VMSpecInfo, known: Sequence[str], *, field: str) -> str:
    """The EKS AMI type of a node group: the image named, or Amazon Linux 2023 for the spec's hardware."""
    arm = spec.architecture == "arm64"
    if image is None:
        nvidia = any(gpu.manufacturer.upper() == "NVIDIA" for gpu in spec.gpus)
        return f"AL2023_{'ARM_64' if arm else 'x86_64'}_{'NVIDIA' if nvidia else 'STANDARD'}"
    wanted = image.system_id or image.name_id
    if wanted not in known or wanted == "CUSTOM":
        raise InvalidRequestError(
            f"Node image {wanted!r} is not an EKS AMI type. EKS managed nodes boot one of "
            f"{', '.join(t for t in known if t != 'CUSTOM')}; an AMI of one's own needs a launch template.",
            field=field,
        )
    if ("ARM_64" in wanted) != arm:
        raise InvalidRequestError(
            f"Node image {wanted!r} cannot run on spec '{spec.name}' ({spec.architecture}).", field=field
        )
    return wanted


# --- what Spiderweb keeps in cluster tags ----------------------------------------------------------


def user_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (tags or {}).items() if not str(k).lower().startswith(RESERVED_PREFIX)}


def wanted_tags(groups: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Tags holding the create parameters of node groups still to make (none for none)."""
    if not groups:
        return {}
    packed = zlib.compress(json.dumps(list(groups), separators=(",", ":"), sort_keys=True).encode())
    text = base64.urlsafe_b64encode(packed).decode()  # letters, digits, - _ =: all allowed in EKS tags
    pieces = [text[i : i + TAG_VALUE_LENGTH] for i in range(0, len(text), TAG_VALUE_LENGTH)]
    return {f"{WANTED_TAG}/{n}": piece for n, piece in enumerate(pieces)}


def wanted_groups(tags: Mapping[str, str] | None) -> list[dict[str, Any]]:
    """The node groups still to make, as `wanted_tags` wrote them ([] if the tags were altered)."""
    pieces: dict[int, str] = {}
    for key, value in (tags or {}).items():
        head, _, number = str(key).rpartition("/")
        if head == WANTED_TAG and number.isdigit():
            pieces[int(number)] = str(value)
    if not pieces or sorted(pieces) != list(range(len(pieces))):
        return []
    try:
        data = json.loads(zlib.decompress(base64.urlsafe_b64decode("".join(pieces[n] for n in sorted(pieces)))))
    except (binascii.Error, zlib.error, ValueError):
        return []
    return [dict(group) for group in data if isinstance(group, dict)] if isinstance(data, list) else []


def reserved_keys(tags: Mapping[str, str] | None, prefix: str) -> list[str]:
    return [str(key) for key in tags or {} if str(key).startswith(prefix)]


def upgrade_target(tags: Mapping[str, str] | None) -> tuple[str, str]:
    """(version, EKS update id) of the upgrade the node groups are to follow, or ("", "")."""
    version, _, update_id = str((tags or {}).get(NODE_VERSION_TAG, "")).partition("/")
    return version, update_id


# --- infos ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lookups:
    """What the infos name besides EKS's own answers, read from EC2 in one call per kind."""

    names: Mapping[str, str] = field(default_factory=dict)  # VPC, subnet and group ids -> names
    key_ids: Mapping[str, str] = field(default_factory=dict)  # key names -> key pair ids
    subnet_vpcs: Mapping[str, str] = field(default_factory=dict)  # subnet ids -> their VPC's id
    nodes: Mapping[tuple[str, str], Sequence[IID]] = field(default_factory=dict)  # (cluster, group) -> VMs

    def iid(self, aws_id: str) -> IID:
        return IID(name_id=self.names.get(aws_id, aws_id), system_id=aws_id)


def vpc_id_of(cluster: Mapping[str, Any], subnet_vpcs: Mapping[str, str]) -> str:
    """The cluster's VPC: EKS names it, and an emulator that does not is answered through the subnets."""
    config = cluster.get("resourcesVpcConfig") or {}
    if config.get("vpcId"):
        return str(config["vpcId"])
    return next((subnet_vpcs[s] for s in config.get("subnetIds", []) if s in subnet_vpcs), "")


def issues_of(record: Mapping[str, Any]) -> str:
    """EKS's health issues of a cluster or node group, as one line."""
    issues = (record.get("health") or {}).get("issues") or []
    return "; ".join(f"{i.get('code', '')}: {i.get('message', '')}".strip(": ") for i in issues)


def node_group_info(
    group: Mapping[str, Any], lookups: Lookups, *, cluster_name: str, status: str = "", error: str = ""
) -> NodeGroupInfo:
    """The info of a described node group, or of wanted create parameters (with `status` given)."""
    name = str(group.get("nodegroupName", ""))
    key = str((group.get("remoteAccess") or {}).get("ec2SshKey", ""))
    scaling = group.get("scalingConfig") or {}
    types = list(group.get("instanceTypes") or [])
    image = str(group.get("amiType", ""))
    extra = {
        "kubernetes_version": str(group.get("version", "")),
        "release_version": str(group.get("releaseVersion", "")),
        "capacity_type": str(group.get("capacityType", "")),
        "status": status or str(group.get("status", "")),
        "issues": issues_of(group),
        "error": error,
    }
    return NodeGroupInfo(
        iid=IID(name_id=name, system_id=str(group.get("nodegroupArn", ""))),
        spec_name=str(types[0]) if types else "",
        key_pair_iid=IID(name_id=key, system_id=lookups.key_ids.get(key, "")) if key else IID(name_id=""),
        status=NODE_GROUP_STATUS.get(status or str(group.get("status", "")), ClusterStatus.INACTIVE),
        image_iid=IID(name_id=image, system_id=image) if image else None,
        root_disk_size_gb=int(group.get("diskSize") or 0),
        on_auto_scaling=str((group.get("labels") or {}).get(AUTOSCALING_LABEL, "on")) != "off",
        desired_node_size=int(scaling.get("desiredSize", 0)),
        min_node_size=int(scaling.get("minSize", 0)),
        max_node_size=int(scaling.get("maxSize", 0)),
        nodes=tuple(lookups.nodes.get((cluster_name, name), ())),
        tags=user_tags(group.get("tags")),
        extra={k: v for k, v in extra.items() if v},
    )


def _created(group: Mapping[str, Any]) -> tuple[float, str]:
    when = group.get("createdAt")
    return (when.timestamp() if isinstance(when, datetime) else 0.0, str(group.get("nodegroupName", "")))


def cluster_info(
    cluster: Mapping[str, Any],
    groups: Iterable[Mapping[str, Any]],
    lookups: Lookups,
    *,
    errors: Mapping[str, str] | None = None,
) -> ClusterInfo:
    """The info of a described cluster with its described node groups, then the ones still wanted;
    `errors` holds why EKS refused what Spiderweb asked for a node group since."""
    name = str(cluster["name"])
    raw_status = str(cluster.get("status", ""))
    status = CLUSTER_STATUS.get(raw_status, ClusterStatus.INACTIVE)
    config = cluster.get("resourcesVpcConfig") or {}
    tags = cluster.get("tags") or {}
    version = str(cluster.get("version", ""))
    extra = {
        "status": raw_status,
        "platform_version": str(cluster.get("platformVersion", "")),
        "role_arn": str(cluster.get("roleArn", "")),
        "cluster_security_group_id": str(config.get("clusterSecurityGroupId", "")),
        "issues": issues_of(cluster),
    }
    target = upgrade_target(tags)[0]
    if status == ClusterStatus.UPDATING and target and target != version:
        extra["upgrading_from"], version = version, target
    errors = errors or {}
    infos = [
        node_group_info(g, lookups, cluster_name=name, error=errors.get(str(g.get("nodegroupName")), ""))
        for g in sorted(groups, key=_created)
    ]
    for group in wanted_groups(tags):
        error = errors.get(str(group.get("nodegroupName", "")), "")
        pending = "CREATE_FAILED" if error else "CREATING"
        infos.append(node_group_info(group, lookups, cluster_name=name, status=pending, error=error))
    endpoint = str(cluster.get("endpoint") or "") if status != ClusterStatus.CREATING else ""
    authority = str((cluster.get("certificateAuthority") or {}).get("data") or "")
    created = cluster.get("createdAt")
    return ClusterInfo(
        iid=IID(name_id=name, system_id=str(cluster.get("arn", ""))),
        vpc_iid=lookups.iid(vpc_id_of(cluster, lookups.subnet_vpcs)),
        status=status,
        version=version,
        subnet_iids=tuple(lookups.iid(str(s)) for s in config.get("subnetIds", [])),
        security_group_iids=tuple(lookups.iid(str(g)) for g in config.get("securityGroupIds", [])),
        node_groups=tuple(infos),
        endpoint=endpoint,
        kubeconfig=kubeconfig(cluster) if endpoint and authority else "",
        created_at=created if isinstance(created, datetime) else None,
        tags=user_tags(tags),
        extra={k: v for k, v in extra.items() if v},
    )


def kubeconfig(cluster: Mapping[str, Any]) -> str:
    """A kubeconfig for the cluster that authenticates through `aws eks get-token`, as
    `aws eks update-kubeconfig` writes it: entries named by the cluster's ARN."""
    arn = str(cluster.get("arn") or cluster["name"])
    parts = arn.split(":")
    region = parts[3] if len(parts) > 3 else ""
    args = [*(("--region", region) if region else ()), "eks", "get-token", "--cluster-name", str(cluster["name"])]
    q = json.dumps  # JSON strings are valid YAML double-quoted scalars
    lines = [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- cluster:",
        f"    certificate-authority-data: {q(str(cluster['certificateAuthority']['data']))}",
        f"    server: {q(str(cluster['endpoint']))}",
        f"  name: {q(arn)}",
        "contexts:",
        "- context:",
        f"    cluster: {q(arn)}",
        f"    user: {q(arn)}",
        f"  name: {q(arn)}",
        f"current-context: {q(arn)}",
        "preferences: {}",
        "users:",
        f"- name: {q(arn)}",
        "  user:",
        "    exec:",
        "      apiVersion: client.authentication.k8s.io/v1beta1",
        "      command: aws",
        "      args:",
        *(f"      - {q(arg)}" for arg in [*args, "--output", "json"]),
    ]
    return "\n".join(lines) + "\n"
