"""GKE clusters and node pools <-> the driver's infos: statuses, node pool bodies, kubeconfig.

What the common model holds and GKE has no field for is kept where GKE keeps it for us: the key
pair of a node pool as its nodes' `ssh-keys` metadata (user cb-user) plus the key pair's name and
id in two more metadata entries, the security groups as the nodes' network tags (the firewall
rules' targets), for the cluster also as the network tags of auto-provisioned nodes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from google.cloud import container_v1

from drivers.errors import InvalidRequestError
from drivers.types import IID, ClusterInfo, ClusterStatus, NodeGroupInfo, NodeGroupReqInfo

VM_USER = "cb-user"
KEY_NAME = "spiderweb-key-pair"
KEY_ID = "spiderweb-key-pair-id"
# GKE names: lowercase letters, digits and hyphens, starting with a letter, at most 40 characters.
NAME = re.compile(r"^[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?$")

_CLUSTER = container_v1.Cluster.Status
_POOL = container_v1.NodePool.Status
CLUSTER_STATUS: Mapping[int, ClusterStatus] = {
    _CLUSTER.PROVISIONING: ClusterStatus.CREATING,
    _CLUSTER.RUNNING: ClusterStatus.ACTIVE,
    _CLUSTER.RECONCILING: ClusterStatus.UPDATING,
    _CLUSTER.STOPPING: ClusterStatus.DELETING,
    _CLUSTER.ERROR: ClusterStatus.INACTIVE,
    _CLUSTER.DEGRADED: ClusterStatus.INACTIVE,
}
POOL_STATUS: Mapping[int, ClusterStatus] = {
    _POOL.PROVISIONING: ClusterStatus.CREATING,
    _POOL.RUNNING: ClusterStatus.ACTIVE,
    _POOL.RUNNING_WITH_ERROR: ClusterStatus.INACTIVE,
    _POOL.RECONCILING: ClusterStatus.UPDATING,
    _POOL.STOPPING: ClusterStatus.DELETING,
    _POOL.ERROR: ClusterStatus.INACTIVE,
}


def check_name(name: str, *, what: str, field: str) -> str:
    if not NAME.match(name):
        raise InvalidRequestError(
            f"{what} name {name!r} is invalid on GKE: 1-40 lowercase letters, digits and hyphens, starting with "
            "a letter and not ending with a hyphen.",
            field=field,
        )
    return name


def check_sizes(req: NodeGroupReqInfo, *, field: str) -> None:
    if not 0 <= req.min_node_size <= req.desired_node_size <= req.max_node_size:
        raise InvalidRequestError(
            f"Node group '{req.name}' sizes must satisfy 0 <= min ({req.min_node_size}) <= desired "
            f"({req.desired_node_size}) <= max ({req.max_node_size}).",
            field=field,
        )


def node_pool(
    req: NodeGroupReqInfo, *, key: IID, public_key: str, network_tags: Sequence[str]
) -> container_v1.NodePool:
    config = container_v1.NodeConfig(
        machine_type=req.spec_name,
        metadata={
            "ssh-keys": f"{VM_USER}:{public_key.strip()} {VM_USER}",
            KEY_NAME: key.name_id,
            KEY_ID: key.system_id,
        },
        tags=list(network_tags),
        labels=dict(req.tags),
    )
    if req.image_iid is not None and req.image_iid.name_id:
        config.image_type = req.image_iid.name_id
    if req.root_disk_type:
        config.disk_type = req.root_disk_type
    if req.root_disk_size_gb:
        config.disk_size_gb = req.root_disk_size_gb
    return container_v1.NodePool(
        name=req.name,
        initial_node_count=req.desired_node_size,
        config=config,
        autoscaling=autoscaling(req.on_auto_scaling, req.min_node_size, req.max_node_size),
        management=container_v1.NodeManagement(auto_upgrade=True, auto_repair=True),
    )


def autoscaling(on: bool, low: int, high: int) -> container_v1.NodePoolAutoscaling:
    if not on:
        return container_v1.NodePoolAutoscaling(enabled=False)
    return container_v1.NodePoolAutoscaling(enabled=True, min_node_count=low, max_node_count=high)


def node_group_info(pool: container_v1.NodePool, nodes: tuple[IID, ...] = ()) -> NodeGroupInfo:
    metadata = pool.config.metadata
    scaling = pool.autoscaling
    desired = int(pool.initial_node_count)
    image = pool.config.image_type
    return NodeGroupInfo(
        iid=IID(name_id=pool.name, system_id=pool.name),
        spec_name=pool.config.machine_type,
        key_pair_iid=IID(name_id=metadata.get(KEY_NAME, ""), system_id=metadata.get(KEY_ID, "")),
        status=POOL_STATUS.get(int(pool.status), ClusterStatus.INACTIVE),
        image_iid=IID(name_id=image, system_id=image) if image else None,
        root_disk_type=pool.config.disk_type,
        root_disk_size_gb=int(pool.config.disk_size_gb),
        on_auto_scaling=bool(scaling.enabled),
        desired_node_size=desired,
        min_node_size=int(scaling.min_node_count) if scaling.enabled else desired,
        max_node_size=int(scaling.max_node_count) if scaling.enabled else desired,
        nodes=nodes,
        tags=dict(pool.config.labels),
        extra={"version": pool.version, "instanceGroups": ",".join(pool.instance_group_urls)},
    )


def kubeconfig(cluster: container_v1.Cluster, *, project: str) -> str:
    """A kubeconfig for the cluster; kubectl gets its token from gke-gcloud-auth-plugin, as gcloud sets up."""
    if not cluster.endpoint:
        return ""
    context = f"gke_{project}_{cluster.location}_{cluster.name}"
    return (
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: {context}\n  cluster:\n"
        f"    server: https://{cluster.endpoint}\n"
        f"    certificate-authority-data: {cluster.master_auth.cluster_ca_certificate}\n"
        f"contexts:\n- name: {context}\n  context:\n    cluster: {context}\n    user: {context}\n"
        f"current-context: {context}\n"
        f"users:\n- name: {context}\n  user:\n    exec:\n"
        "      apiVersion: client.authentication.k8s.io/v1beta1\n"
        "      command: gke-gcloud-auth-plugin\n"
        "      installHint: Install gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin).\n"
        "      provideClusterInfo: true\n"
    )


def cluster_info(
    cluster: container_v1.Cluster,
    *,
    project: str,
    vpc: IID,
    subnets: tuple[IID, ...],
    security_groups: tuple[IID, ...],
    nodes: Mapping[str, tuple[IID, ...]],
    placeholder: str = "",
) -> ClusterInfo:
    """`placeholder`: the pool the cluster was created with for want of node groups, not shown; until it
    is removed the cluster is still being created."""
    status = CLUSTER_STATUS.get(int(cluster.status), ClusterStatus.INACTIVE)
    if placeholder and status in (ClusterStatus.ACTIVE, ClusterStatus.UPDATING):
        status = ClusterStatus.CREATING
    created = None
    if cluster.create_time:
        try:
            created = datetime.fromisoformat(cluster.create_time)
        except ValueError:
            created = None
    return ClusterInfo(
        iid=IID(name_id=cluster.name, system_id=cluster.id),
        vpc_iid=vpc,
        status=status,
        version=cluster.current_master_version,
        subnet_iids=subnets,
        security_group_iids=security_groups,
        node_groups=tuple(
            node_group_info(pool, nodes.get(pool.name, ())) for pool in cluster.node_pools if pool.name != placeholder
        ),
        endpoint=f"https://{cluster.endpoint}" if cluster.endpoint else "",
        kubeconfig=kubeconfig(cluster, project=project),
        created_at=created,
        tags=dict(cluster.resource_labels),
        extra={"location": cluster.location, "statusMessage": cluster.status_message},
    )


def network_tags(cluster: container_v1.Cluster) -> list[str]:
    return list(cluster.node_pool_auto_config.network_tags.tags)
