"""Kubernetes clusters: TKE managed clusters with node pools (Auto Scaling groups of CVM nodes).

A cluster is made in its VPC (control-plane endpoint in the first subnet), with a container CIDR
chosen clear of the VPC's. Node pools are added once the cluster is Running (the handler waits for
it), each with an Auto Scaling group over the cluster's subnets and a launch configuration (instance
type, system disk, security groups, key pair). TKE keeps neither the security groups nor the subnets
of a cluster, nor the instance type or key pair of a pool, in a form it reads back: the handler keeps
them in the cluster's description and in the pool's annotations ("spiderweb.io/..."). The endpoint
and kubeconfig are the cluster's (DescribeClusterSecurity) once it runs. An upgrade goes one minor
version at a time; upgrades and deletes are followed to their end, as TKE carries them out in the background.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Any

from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.tencent._common import find_security_group, find_subnet, find_vpc, require
from drivers.tencent._session import TencentClients, wait_until
from drivers.tencent._vm_convert import Names, parse_time
from drivers.tencent.key_pair import find_key
from drivers.types import IID, ClusterInfo, ClusterReqInfo, ClusterStatus, NodeGroupInfo, NodeGroupReqInfo

NOTES: Mapping[str, str] = {
    "cluster": "TKE managed clusters; node groups are node pools (Auto Scaling groups of CVM nodes, postpaid). "
    "Node pools are added once the cluster runs; upgrades go one minor version at a time.",
}

CLUSTER_STATUS = {
    "Creating": ClusterStatus.CREATING,
    "Running": ClusterStatus.ACTIVE,
    "Upgrading": ClusterStatus.UPDATING,
    "Updating": ClusterStatus.UPDATING,
    "Deleting": ClusterStatus.DELETING,
}
POOL_STATUS = {
    "creating": ClusterStatus.CREATING,
    "normal": ClusterStatus.ACTIVE,
    "updating": ClusterStatus.UPDATING,
    "deleting": ClusterStatus.DELETING,
}
# How long a new cluster may take to run before its node pools can be added (TKE takes minutes).
CLUSTER_READY_TIMEOUT_S = 1800.0
CONTAINER_CIDRS = ("172.20.0.0/16", "10.240.0.0/16", "192.168.128.0/17")
_DESCRIPTION = re.compile(r"spiderweb sg=([\w,-]*) subnets=([\w,-]*)")
A_SPEC, A_KEY, A_DISK = "spiderweb.io/instance-type", "spiderweb.io/key-pair", "spiderweb.io/root-disk"
DEFAULT_DISK_TYPE = "CLOUD_PREMIUM"
DEFAULT_DISK_GB = 50


def _check_sizes(req: NodeGroupReqInfo, field: str) -> None:
    if not 0 <= req.min_node_size <= req.desired_node_size <= req.max_node_size:
        raise InvalidRequestError(
            f"Node group '{req.name}' needs min <= desired <= max node sizes, not {req.min_node_size}, "
            f"{req.desired_node_size}, {req.max_node_size}.",
            field=field,
        )


def _container_cidr(vpc_cidr: str) -> str:
    vpc = ipaddress.IPv4Network(vpc_cidr)
    for text in CONTAINER_CIDRS:
        if not ipaddress.IPv4Network(text).overlaps(vpc):
            return text
    raise InvalidRequestError("No container CIDR is free of the VPC's CIDR.", field="vpc_iid")


class TencentClusterHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients

    # --- reading ---------------------------------------------------------------------------------

    def _find(self, iid: IID) -> dict[str, Any] | None:
        if iid.system_id:
            params: dict[str, Any] = {"ClusterIds": [iid.system_id]}
        elif iid.name_id:
            params = {"Filters": [{"Name": "ClusterName", "Values": [iid.name_id]}]}
        else:
            return None
        try:
            found = list(self._clients.pages("tke", "DescribeClusters", params, "Clusters"))
        except NotFoundError:
            return None
        for cluster in found:
            if cluster["ClusterId"] == iid.system_id or (not iid.system_id and cluster["ClusterName"] == iid.name_id):
                return dict(cluster)
        return None

    def _get(self, iid: IID) -> dict[str, Any]:
        return require(self._find(iid), "Cluster", iid)

    def _pools(self, cluster_id: str) -> list[dict[str, Any]]:
        answer = self._clients.call("tke", "DescribeClusterNodePools", {"ClusterId": cluster_id})
        return [
            pool for pool in answer.get("NodePoolSet") or [] if pool.get("LifeState") not in ("deleting", "deleted")
        ]

    def _nodes(self, cluster_id: str) -> dict[str, list[str]]:
        params = {"ClusterId": cluster_id, "InstanceRole": "WORKER"}
        nodes: dict[str, list[str]] = {}
        for node in self._clients.pages("tke", "DescribeClusterInstances", params, "InstanceSet"):
            nodes.setdefault(str(node.get("NodePoolId") or ""), []).append(str(node["InstanceId"]))
        return nodes

    def _pool_info(self, pool: dict[str, Any], nodes: list[str], names: Names) -> NodeGroupInfo:
        notes = {str(a.get("Name")): str(a.get("Value") or "") for a in pool.get("Annotations") or []}
        disk_type, _, disk_size = notes.get(A_DISK, "").partition(":")
        return NodeGroupInfo(
            iid=IID(name_id=str(pool.get("Name") or ""), system_id=pool["NodePoolId"]),
            spec_name=notes.get(A_SPEC, ""),
            key_pair_iid=names.iid("key", notes.get(A_KEY, "")),
            status=POOL_STATUS.get(str(pool.get("LifeState") or ""), ClusterStatus.INACTIVE),
            root_disk_type=disk_type,
            root_disk_size_gb=int(disk_size or 0),
            on_auto_scaling=pool.get("AutoscalingGroupStatus") == "enabled",
            desired_node_size=int(pool.get("DesiredNodesNum") or 0),
            min_node_size=int(pool.get("MinNodesNum") or 0),
            max_node_size=int(pool.get("MaxNodesNum") or 0),
            nodes=tuple(IID(name_id=node, system_id=node) for node in nodes),
            tags={str(t["Key"]): str(t.get("Value") or "") for t in pool.get("Tags") or []},
            extra={
                "LifeState": str(pool.get("LifeState") or ""),
                "AutoscalingGroupId": str(pool.get("AutoscalingGroupId")),
            },
        )

    def _info(self, cluster: dict[str, Any]) -> ClusterInfo:
        cluster_id = cluster["ClusterId"]
        status = CLUSTER_STATUS.get(str(cluster.get("ClusterStatus") or ""), ClusterStatus.INACTIVE)
        names = Names(self._clients)
        pools, nodes, endpoint, kubeconfig = [], {}, "", ""
        if status in (ClusterStatus.ACTIVE, ClusterStatus.UPDATING):
            pools, nodes = self._pools(cluster_id), self._nodes(cluster_id)
            security = self._clients.call("tke", "DescribeClusterSecurity", {"ClusterId": cluster_id})
            endpoint = str(security.get("ClusterExternalEndpoint") or security.get("Domain") or "")
            kubeconfig = str(security.get("Kubeconfig") or "")
        found = _DESCRIPTION.search(str(cluster.get("ClusterDescription") or ""))
        groups = [one for one in (found.group(1) if found else "").split(",") if one]
        subnets = [one for one in (found.group(2) if found else "").split(",") if one]
        tags: dict[str, str] = {}
        for spec in cluster.get("TagSpecification") or []:
            tags.update({str(t["Key"]): str(t.get("Value") or "") for t in spec.get("Tags") or []})
        network = cluster.get("ClusterNetworkSettings") or {}
        return ClusterInfo(
            iid=IID(name_id=cluster["ClusterName"], system_id=cluster_id),
            vpc_iid=names.iid("vpc", str(network.get("VpcId") or "")),
            status=status,
            version=str(cluster.get("ClusterVersion") or ""),
            subnet_iids=tuple(names.iid("subnet", one) for one in subnets),
            security_group_iids=tuple(names.iid("sg", one) for one in groups),
            node_groups=tuple(self._pool_info(pool, nodes.get(pool["NodePoolId"], []), names) for pool in pools),
            endpoint=endpoint,
            kubeconfig=kubeconfig,
            created_at=parse_time(cluster.get("CreatedTime")),
            tags=tags,
            extra={
                "ClusterStatus": str(cluster.get("ClusterStatus") or ""),
                "ClusterCIDR": str(network.get("ClusterCIDR")),
            },
        )

    # --- changing --------------------------------------------------------------------------------

    def _pool_params(self, cluster: dict[str, Any], req: NodeGroupReqInfo, subnet_ids: list[str]) -> dict[str, Any]:
        key = find_key(self._clients, req.key_pair_iid)
        if key is None:
            raise NotFoundError(f"Key pair '{req.key_pair_iid.system_id or req.key_pair_iid.name_id}' does not exist.")
        found = _DESCRIPTION.search(str(cluster.get("ClusterDescription") or ""))
        group_ids = [one for one in (found.group(1) if found else "").split(",") if one]
        disk_type = req.root_disk_type or DEFAULT_DISK_TYPE
        disk_size = req.root_disk_size_gb or DEFAULT_DISK_GB
        network = cluster.get("ClusterNetworkSettings") or {}
        group = {
            "MinSize": req.min_node_size,
            "MaxSize": req.max_node_size,
            "DesiredCapacity": req.desired_node_size,
            "VpcId": network.get("VpcId"),
            "SubnetIds": subnet_ids,
        }
        launch: dict[str, Any] = {
            "InstanceType": req.spec_name,
            "SystemDisk": {"DiskType": disk_type, "DiskSize": disk_size},
            "SecurityGroupIds": group_ids,
            "LoginSettings": {"KeyIds": [key["KeyId"]]},
            "InstanceChargeType": "POSTPAID_BY_HOUR",
        }
        params: dict[str, Any] = {
            "ClusterId": cluster["ClusterId"],
            "Name": req.name,
            "AutoScalingGroupPara": json.dumps(group),
            "LaunchConfigurePara": json.dumps(launch),
            "InstanceAdvancedSettings": {},
            "EnableAutoscale": req.on_auto_scaling,
            "Annotations": [
                {"Name": A_SPEC, "Value": req.spec_name},
                {"Name": A_KEY, "Value": key["KeyId"]},
                {"Name": A_DISK, "Value": f"{disk_type}:{disk_size}"},
            ],
        }
        if req.image_iid is not None:
            params["NodePoolOs"] = req.image_iid.system_id or req.image_iid.name_id
        if req.tags:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in req.tags.items()]
        return params

    def _subnets_of(self, cluster: dict[str, Any]) -> list[str]:
        found = _DESCRIPTION.search(str(cluster.get("ClusterDescription") or ""))
        return [one for one in (found.group(2) if found else "").split(",") if one]

    def create_cluster(self, *, req: ClusterReqInfo) -> ClusterInfo:
        for index, group in enumerate(req.node_groups):
            _check_sizes(group, f"node_groups[{index}]")
        names = [group.name for group in req.node_groups]
        if len(set(names)) != len(names):
            raise InvalidRequestError("Node group names must be unique within the cluster.", field="node_groups")
        vpc = require(find_vpc(self._clients, req.vpc_iid), "VPC", req.vpc_iid)
        subnet_ids = [
            require(find_subnet(self._clients, one, vpc_id=vpc["VpcId"]), "Subnet", one)["SubnetId"]
            for one in req.subnet_iids
        ]
        if not subnet_ids:
            params = {"Filters": [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]}
            subnet_ids = [
                s["SubnetId"] for s in self._clients.pages("vpc", "DescribeSubnets", params, "SubnetSet", as_text=True)
            ]
        if not subnet_ids:
            raise InvalidRequestError("A cluster needs a subnet in its VPC.", field="subnet_iids")
        group_ids = [
            require(find_security_group(self._clients, one), "Security group", one)["SecurityGroupId"]
            for one in req.security_group_iids
        ]
        for group in req.node_groups:
            if find_key(self._clients, group.key_pair_iid) is None:
                raise NotFoundError(
                    f"Key pair '{group.key_pair_iid.system_id or group.key_pair_iid.name_id}' does not exist."
                )
        if self._find(IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Cluster '{req.name}' already exists.")
        basic: dict[str, Any] = {
            "ClusterName": req.name,
            "ClusterDescription": f"spiderweb sg={','.join(group_ids)} subnets={','.join(subnet_ids)}",
            "VpcId": vpc["VpcId"],
            "SubnetId": subnet_ids[0],
        }
        if req.version:
            basic["ClusterVersion"] = req.version
        if req.tags:
            basic["TagSpecification"] = [
                {"ResourceType": "cluster", "Tags": [{"Key": k, "Value": v} for k, v in req.tags.items()]}
            ]
        cluster_id = self._clients.call(
            "tke",
            "CreateCluster",
            {
                "ClusterType": "MANAGED_CLUSTER",
                "ClusterCIDRSettings": {"ClusterCIDR": _container_cidr(vpc["CidrBlock"])},
                "ClusterBasicSettings": basic,
                "ClusterAdvancedSettings": {"ContainerRuntime": "containerd"},
            },
        )["ClusterId"]
        if req.node_groups:
            self._wait_running(cluster_id)
            cluster = self._get(IID(name_id=req.name, system_id=cluster_id))
            for group in req.node_groups:
                self._clients.call("tke", "CreateClusterNodePool", self._pool_params(cluster, group, subnet_ids))
        return self._info(self._get(IID(name_id=req.name, system_id=cluster_id)))

    def _wait_running(self, cluster_id: str) -> None:
        def running() -> bool:
            cluster = self._find(IID(name_id="", system_id=cluster_id))
            if cluster is None:
                raise NotFoundError(f"Cluster {cluster_id} disappeared while being created.")
            return cluster.get("ClusterStatus") == "Running"

        wait_until(running, what=f"creating cluster {cluster_id}", timeout_s=CLUSTER_READY_TIMEOUT_S)

    def list_clusters(self) -> list[ClusterInfo]:
        return [self._info(cluster) for cluster in self._clients.pages("tke", "DescribeClusters", {}, "Clusters")]

    def get_cluster(self, *, iid: IID) -> ClusterInfo:
        return self._info(self._get(iid))

    def delete_cluster(self, *, iid: IID) -> None:
        cluster = self._find(iid)
        if cluster is None:
            return
        if cluster.get("ClusterStatus") != "Deleting":
            try:
                self._clients.call(
                    "tke", "DeleteCluster", {"ClusterId": cluster["ClusterId"], "InstanceDeleteMode": "terminate"}
                )
            except NotFoundError:
                return
        gone = IID(name_id="", system_id=cluster["ClusterId"])
        wait_until(
            lambda: self._find(gone) is None,
            what=f"deleting cluster {cluster['ClusterName']}",
            timeout_s=CLUSTER_READY_TIMEOUT_S,
        )

    def _pool(self, cluster: dict[str, Any], iid: IID) -> dict[str, Any] | None:
        for pool in self._pools(cluster["ClusterId"]):
            if pool["NodePoolId"] == iid.system_id or (not iid.system_id and pool.get("Name") == iid.name_id):
                return pool
        return None

    def _group_info(self, cluster: dict[str, Any], pool_id: str) -> NodeGroupInfo:
        pool = require(self._pool(cluster, IID(name_id="", system_id=pool_id)), "Node group", IID(name_id=pool_id))
        nodes = self._nodes(cluster["ClusterId"]).get(pool_id, [])
        return self._pool_info(pool, nodes, Names(self._clients))

    def add_node_group(self, *, cluster_iid: IID, req: NodeGroupReqInfo) -> NodeGroupInfo:
        _check_sizes(req, "req")
        cluster = self._get(cluster_iid)
        if self._pool(cluster, IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Node group '{req.name}' already exists in cluster '{cluster['ClusterName']}'.")
        params = self._pool_params(cluster, req, self._subnets_of(cluster))
        pool_id = self._clients.call("tke", "CreateClusterNodePool", params)["NodePoolId"]
        return self._group_info(cluster, pool_id)

    def remove_node_group(self, *, cluster_iid: IID, node_group_iid: IID) -> None:
        cluster = self._find(cluster_iid)
        if cluster is None or cluster.get("ClusterStatus") == "Deleting":
            return
        pool = self._pool(cluster, node_group_iid)
        if pool is None:
            return
        try:
            self._clients.call(
                "tke",
                "DeleteClusterNodePool",
                {"ClusterId": cluster["ClusterId"], "NodePoolIds": [pool["NodePoolId"]], "KeepInstance": False},
            )
        except NotFoundError:
            return

    def _require_pool(self, cluster: dict[str, Any], iid: IID) -> dict[str, Any]:
        return require(self._pool(cluster, iid), "Node group", iid)

    def set_node_group_autoscaling(self, *, cluster_iid: IID, node_group_iid: IID, on: bool) -> NodeGroupInfo:
        cluster = self._get(cluster_iid)
        pool = self._require_pool(cluster, node_group_iid)
        self._clients.call(
            "tke",
            "ModifyClusterNodePool",
            {"ClusterId": cluster["ClusterId"], "NodePoolId": pool["NodePoolId"], "EnableAutoscale": on},
        )
        return self._group_info(cluster, pool["NodePoolId"])

    def change_node_group_scaling(
        self, *, cluster_iid: IID, node_group_iid: IID, desired_node_size: int, min_node_size: int, max_node_size: int
    ) -> NodeGroupInfo:
        if not 0 <= min_node_size <= desired_node_size <= max_node_size:
            raise InvalidRequestError(
                f"Node sizes need min <= desired <= max, not {min_node_size}, {desired_node_size}, {max_node_size}.",
                field="desired_node_size",
            )
        cluster = self._get(cluster_iid)
        pool = self._require_pool(cluster, node_group_iid)
        ids = {"ClusterId": cluster["ClusterId"], "NodePoolId": pool["NodePoolId"]}
        self._clients.call(
            "tke", "ModifyClusterNodePool", {**ids, "MinNodesNum": min_node_size, "MaxNodesNum": max_node_size}
        )
        self._clients.call(
            "tke", "ModifyNodePoolDesiredCapacityAboutAsg", {**ids, "DesiredCapacity": desired_node_size}
        )
        return self._group_info(cluster, pool["NodePoolId"])

    def upgrade_cluster(self, *, cluster_iid: IID, version: str) -> ClusterInfo:
        cluster = self._get(cluster_iid)
        if not version:
            raise InvalidRequestError("Name the Kubernetes version to upgrade to.", field="version")
        self._clients.call("tke", "UpdateClusterVersion", {"ClusterId": cluster["ClusterId"], "DstVersion": version})
        ids = IID(name_id="", system_id=cluster["ClusterId"])
        wait_until(
            lambda: self._get(ids).get("ClusterStatus") != "Upgrading",
            what=f"upgrading cluster {cluster['ClusterName']}",
            timeout_s=CLUSTER_READY_TIMEOUT_S,
        )
        return self._info(self._get(ids))
