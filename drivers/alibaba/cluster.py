"""Managed Kubernetes as ACK managed clusters (Container Service, ROA API) with node pools of ECS
instances. A cluster goes into the request's vSwitches and security group, with its API server
reachable from the internet (`endpoint_public_access`) and a SNAT entry so nodes reach out; its
node groups are node pools created with the cluster. Autoscaling is the pool's `auto_scaling`
(ACK's cluster-autoscaler between min and max), scaling without it sets `desired_size`. An upgrade
goes to the next minor version, control plane first (`UpgradeCluster`); ACK upgrades node pools
separately, which `extra["NodeVersion"]` does not hide. The kubeconfig is the calling RAM user's
(`DescribeClusterUserKubeconfig`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from drivers.alibaba._refs import Names
from drivers.alibaba._session import AlibabaClients
from drivers.alibaba.key_pair import find_key_pair
from drivers.alibaba.security_group import find_group
from drivers.alibaba.vpc import find_vpc, find_vswitch, vswitches
from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.types import IID, ClusterInfo, ClusterReqInfo, ClusterStatus, NodeGroupInfo, NodeGroupReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}

CLUSTER_SPEC = "ack.pro.small"
DEFAULT_DISK = ("cloud_essd", 120)
PAGE = 50
NODE_PAGE = 100  # the most DescribeClusterNodes answers per page

CLUSTER_STATUS = {
    "initial": ClusterStatus.CREATING,
    "running": ClusterStatus.ACTIVE,
    "upgrading": ClusterStatus.UPDATING,
    "updating": ClusterStatus.UPDATING,
    "scaling": ClusterStatus.UPDATING,
    "waiting": ClusterStatus.UPDATING,
    "deleting": ClusterStatus.DELETING,
    "stopped": ClusterStatus.INACTIVE,
    "failed": ClusterStatus.INACTIVE,
}
POOL_STATUS = {
    "initial": ClusterStatus.CREATING,
    "active": ClusterStatus.ACTIVE,
    "scaling": ClusterStatus.UPDATING,
    "updating": ClusterStatus.UPDATING,
    "upgrading": ClusterStatus.UPDATING,
    "removing": ClusterStatus.DELETING,
    "removing_nodes": ClusterStatus.UPDATING,
    "deleting": ClusterStatus.DELETING,
    "failed": ClusterStatus.INACTIVE,
}


def _check_sizes(req: NodeGroupReqInfo, field: str) -> None:
    check_sizes(req.desired_node_size, req.min_node_size, req.max_node_size, field=field)


def check_sizes(desired: int, low: int, high: int, *, field: str) -> None:
    if not 0 <= low <= desired <= high:
        raise InvalidRequestError(
            f"Node group sizes must hold 0 <= min ({low}) <= desired ({desired}) <= max ({high}).", field=field
        )


def all_clusters(clients: AlibabaClients, name: str = "") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        params: dict[str, Any] = {"region_id": clients.region, "page_size": PAGE, "page_number": page}
        if name:
            params["name"] = name
        body = clients.roa("DescribeClustersV1", params=params)
        clusters = list(body.get("clusters") or [])
        found.extend(clusters)
        total = int((body.get("page_info") or {}).get("total_count") or 0)
        if not clusters or len(found) >= total:
            return found
        page += 1


def find_cluster(clients: AlibabaClients, iid: IID) -> dict[str, Any]:
    if iid.system_id:
        return dict(clients.roa("DescribeClusterDetail", iid.system_id))
    for cluster in all_clusters(clients, iid.name_id):
        if cluster.get("name") == iid.name_id:
            return dict(cluster)
    raise NotFoundError(f"Cluster '{iid.name_id}' does not exist in {clients.region}.")


def key_pair_users(clients: AlibabaClients, key_name: str) -> list[str]:
    """Names of the clusters whose node pools log in with the key pair."""
    users = []
    for cluster in all_clusters(clients):
        pools = clients.roa("DescribeClusterNodePools", str(cluster["cluster_id"])).get("nodepools") or []
        if any((pool.get("scaling_group") or {}).get("key_pair") == key_name for pool in pools):
            users.append(str(cluster.get("name")))
    return users


class AlibabaClusterHandler:
    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients

    # --- reading -------------------------------------------------------------------------------

    def _pools(self, cluster_id: str) -> list[dict[str, Any]]:
        pools = list(self._clients.roa("DescribeClusterNodePools", cluster_id).get("nodepools") or [])
        return sorted(pools, key=lambda pool: str((pool.get("nodepool_info") or {}).get("created", "")))

    def _group(self, cluster_id: str, pool: dict[str, Any], nodes: list[dict[str, Any]]) -> NodeGroupInfo:
        info = pool.get("nodepool_info") or {}
        group = pool.get("scaling_group") or {}
        scaling = pool.get("auto_scaling") or {}
        pool_id = str(info.get("nodepool_id", ""))
        key = str(group.get("key_pair") or "")
        desired = int(group.get("desired_size") or 0)
        image = str(group.get("image_id") or "")
        return NodeGroupInfo(
            iid=IID(name_id=str(info.get("name", "")), system_id=pool_id),
            spec_name=str((group.get("instance_types") or [""])[0]),
            key_pair_iid=IID(name_id=key, system_id=key),
            status=POOL_STATUS.get(str((pool.get("status") or {}).get("state", "")), ClusterStatus.INACTIVE),
            image_iid=IID(name_id=image, system_id=image) if image else None,
            root_disk_type=str(group.get("system_disk_category") or ""),
            root_disk_size_gb=int(group.get("system_disk_size") or 0),
            on_auto_scaling=bool(scaling.get("enable")),
            desired_node_size=desired,
            # ACK keeps a pool's bounds while its autoscaling is off, and uses them once it is on again.
            min_node_size=int(scaling["min_instances"]) if "min_instances" in scaling else desired,
            max_node_size=int(scaling["max_instances"]) if "max_instances" in scaling else desired,
            nodes=tuple(
                IID(
                    name_id=str(node.get("node_name") or node.get("instance_name") or ""),
                    system_id=str(node["instance_id"]),
                )
                for node in nodes
                if node.get("nodepool_id") == pool_id
            ),
            extra={"State": str((pool.get("status") or {}).get("state", ""))},
        )

    def _nodes(self, cluster_id: str, pool_id: str = "") -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            params: dict[str, Any] = {"pageSize": str(NODE_PAGE), "pageNumber": str(page)}
            if pool_id:
                params["nodepool_id"] = pool_id
            body = self._clients.roa("DescribeClusterNodes", cluster_id, params=params)
            nodes = list(body.get("nodes") or [])
            found.extend(nodes)
            if not nodes or len(found) >= int((body.get("page") or {}).get("total_count") or 0):
                return found
            page += 1

    def _info(self, cluster: dict[str, Any], names: Names | None = None) -> ClusterInfo:
        names = names or Names(self._clients)
        cluster_id = str(cluster["cluster_id"])
        state = str(cluster.get("state", ""))
        nodes = self._nodes(cluster_id)
        endpoint = ""
        if cluster.get("master_url"):
            endpoint = str(json.loads(str(cluster["master_url"])).get("api_server_endpoint", ""))
        kubeconfig = ""
        if state in ("running", "upgrading", "updating", "scaling"):
            body = self._clients.roa("DescribeClusterUserKubeconfig", cluster_id, params={"PrivateIpAddress": False})
            kubeconfig = str(body.get("config", ""))
        switch_ids = cluster.get("vswitch_ids") or [s for s in str(cluster.get("vswitch_id") or "").split(",") if s]
        group = str(cluster.get("security_group_id") or "")
        created = None
        try:
            created = datetime.fromisoformat(str(cluster.get("created", "")).replace("Z", "+00:00"))
        except ValueError:
            created = None
        return ClusterInfo(
            iid=IID(name_id=str(cluster.get("name", "")), system_id=cluster_id),
            vpc_iid=names.vpc(str(cluster.get("vpc_id", ""))),
            status=CLUSTER_STATUS.get(state, ClusterStatus.INACTIVE),
            version=str(cluster.get("current_version", "")),
            subnet_iids=tuple(names.vswitch(str(switch)) for switch in switch_ids),
            security_group_iids=(names.group(group),) if group else (),
            node_groups=tuple(self._group(cluster_id, pool, nodes) for pool in self._pools(cluster_id)),
            endpoint=endpoint,
            kubeconfig=kubeconfig,
            created_at=created,
            tags={
                str(tag.get("key")): str(tag.get("value", ""))
                for tag in cluster.get("tags") or []
                if tag.get("key") and not str(tag.get("key")).startswith(("ack.", "acs:", "aliyun"))
            },
            extra={"State": state, "ClusterSpec": str(cluster.get("cluster_spec", ""))},
        )

    # --- writing -------------------------------------------------------------------------------

    def _pool_body(self, req: NodeGroupReqInfo, switch_ids: list[str], group_id: str) -> dict[str, Any]:
        _check_sizes(req, "node_groups")
        key = find_key_pair(self._clients, req.key_pair_iid)
        disk_type, disk_size = DEFAULT_DISK
        scaling_group: dict[str, Any] = {
            "vswitch_ids": switch_ids,
            "instance_types": [req.spec_name],
            "key_pair": key["KeyPairName"],
            "system_disk_category": req.root_disk_type or disk_type,
            "system_disk_size": req.root_disk_size_gb or disk_size,
            "desired_size": req.desired_node_size,
            "instance_charge_type": "PostPaid",
        }
        if group_id:
            scaling_group["security_group_ids"] = [group_id]
        if req.image_iid is not None:
            scaling_group["image_id"] = req.image_iid.system_id or req.image_iid.name_id
            scaling_group["image_type"] = "Custom"
        return {
            "nodepool_info": {"name": req.name, "type": "ess"},
            "scaling_group": scaling_group,
            "auto_scaling": {
                "enable": req.on_auto_scaling,
                "min_instances": req.min_node_size,
                "max_instances": req.max_node_size,
            },
        }

    def create_cluster(self, *, req: ClusterReqInfo) -> ClusterInfo:
        for group in req.node_groups:
            _check_sizes(group, "node_groups")
        vpc = find_vpc(self._clients, req.vpc_iid)
        vpc_id = str(vpc["VpcId"])
        if req.subnet_iids:
            switch_ids = [str(find_vswitch(self._clients, vpc_id, iid)["VSwitchId"]) for iid in req.subnet_iids]
        else:
            switch_ids = [str(switch["VSwitchId"]) for switch in vswitches(self._clients, vpc_id)]
        if not switch_ids:
            raise InvalidRequestError("A cluster needs a vSwitch in its VPC.", field="subnet_iids")
        group_ids = [str(find_group(self._clients, iid)["SecurityGroupId"]) for iid in req.security_group_iids]
        if len(group_ids) > 1:
            raise InvalidRequestError("An ACK cluster takes one security group.", field="security_group_iids")
        group_id = group_ids[0] if group_ids else ""
        try:
            find_cluster(self._clients, IID(name_id=req.name))
        except NotFoundError:
            pass
        else:
            raise AlreadyExistsError(f"A cluster named '{req.name}' already exists in {self._clients.region}.")
        body: dict[str, Any] = {
            "name": req.name,
            "cluster_type": "ManagedKubernetes",
            "cluster_spec": CLUSTER_SPEC,
            "region_id": self._clients.region,
            "vpcid": vpc_id,
            "vswitch_ids": switch_ids,
            "endpoint_public_access": True,
            "snat_entry": True,
            "service_cidr": "192.168.0.0/16",
            "container_cidr": "172.20.0.0/16",
            "tags": [{"key": key, "value": value} for key, value in req.tags.items()],
            "nodepools": [self._pool_body(group, switch_ids, group_id) for group in req.node_groups],
        }
        if req.version:
            body["kubernetes_version"] = req.version
        if group_id:
            body["security_group_id"] = group_id
        created = self._clients.roa("CreateCluster", params=body)
        return self.get_cluster(iid=IID(name_id=req.name, system_id=str(created["cluster_id"])))

    def list_clusters(self) -> list[ClusterInfo]:
        names = Names(self._clients)
        return [self._info(cluster, names) for cluster in all_clusters(self._clients)]

    def get_cluster(self, *, iid: IID) -> ClusterInfo:
        return self._info(find_cluster(self._clients, iid))

    def delete_cluster(self, *, iid: IID) -> None:
        try:
            cluster = find_cluster(self._clients, iid)
            if cluster.get("state") == "deleting":
                return
            self._clients.roa("DeleteCluster", str(cluster["cluster_id"]), params={})
        except NotFoundError:
            return

    def _pool(self, cluster_id: str, iid: IID) -> dict[str, Any]:
        for pool in self._pools(cluster_id):
            info = pool.get("nodepool_info") or {}
            if info.get("nodepool_id") == iid.system_id or (not iid.system_id and info.get("name") == iid.name_id):
                return pool
        raise NotFoundError(f"Node group '{iid.system_id or iid.name_id}' does not exist in cluster {cluster_id}.")

    def _group_info(self, cluster_id: str, pool_id: str) -> NodeGroupInfo:
        pool = self._pool(cluster_id, IID(name_id="", system_id=pool_id))
        nodes = (
            self._clients.roa("DescribeClusterNodes", cluster_id, params={"nodepool_id": pool_id}).get("nodes") or []
        )
        return self._group(cluster_id, pool, list(nodes))

    def add_node_group(self, *, cluster_iid: IID, req: NodeGroupReqInfo) -> NodeGroupInfo:
        _check_sizes(req, "req")
        cluster = find_cluster(self._clients, cluster_iid)
        cluster_id = str(cluster["cluster_id"])
        if any((pool.get("nodepool_info") or {}).get("name") == req.name for pool in self._pools(cluster_id)):
            raise AlreadyExistsError(f"Cluster '{cluster.get('name')}' already has a node group named '{req.name}'.")
        switch_ids = cluster.get("vswitch_ids") or [s for s in str(cluster.get("vswitch_id") or "").split(",") if s]
        body = self._pool_body(req, list(switch_ids), str(cluster.get("security_group_id") or ""))
        created = self._clients.roa("CreateClusterNodePool", cluster_id, params=body)
        return self._group_info(cluster_id, str(created["nodepool_id"]))

    def remove_node_group(self, *, cluster_iid: IID, node_group_iid: IID) -> None:
        try:
            cluster = find_cluster(self._clients, cluster_iid)
            pool = self._pool(str(cluster["cluster_id"]), node_group_iid)
        except NotFoundError:
            return
        pool_id = str((pool.get("nodepool_info") or {}).get("nodepool_id"))
        try:
            self._clients.roa("DeleteClusterNodepool", str(cluster["cluster_id"]), pool_id, params={"force": True})
        except NotFoundError:
            return

    def set_node_group_autoscaling(self, *, cluster_iid: IID, node_group_iid: IID, on: bool) -> NodeGroupInfo:
        cluster = find_cluster(self._clients, cluster_iid)
        cluster_id = str(cluster["cluster_id"])
        pool = self._pool(cluster_id, node_group_iid)
        current = self._group(cluster_id, pool, [])
        body = {
            "auto_scaling": {
                "enable": on,
                "min_instances": current.min_node_size,
                "max_instances": current.max_node_size,
            }
        }
        pool_id = current.iid.system_id
        self._clients.roa("ModifyClusterNodePool", cluster_id, pool_id, params=body)
        return self._group_info(cluster_id, pool_id)

    def change_node_group_scaling(
        self, *, cluster_iid: IID, node_group_iid: IID, desired_node_size: int, min_node_size: int, max_node_size: int
    ) -> NodeGroupInfo:
        check_sizes(desired_node_size, min_node_size, max_node_size, field="desired_node_size")
        cluster = find_cluster(self._clients, cluster_iid)
        cluster_id = str(cluster["cluster_id"])
        pool = self._pool(cluster_id, node_group_iid)
        current = self._group(cluster_id, pool, [])
        body = {
            "auto_scaling": {
                "enable": current.on_auto_scaling,
                "min_instances": min_node_size,
                "max_instances": max_node_size,
            },
            "scaling_group": {"desired_size": desired_node_size},
        }
        self._clients.roa("ModifyClusterNodePool", cluster_id, current.iid.system_id, params=body)
        return self._group_info(cluster_id, current.iid.system_id)

    def upgrade_cluster(self, *, cluster_iid: IID, version: str) -> ClusterInfo:
        cluster = find_cluster(self._clients, cluster_iid)
        cluster_id = str(cluster["cluster_id"])
        self._clients.roa("UpgradeCluster", cluster_id, params={"next_version": version, "master_only": True})
        info = self.get_cluster(iid=IID(name_id=str(cluster.get("name", "")), system_id=cluster_id))
        # The control plane moves to `version` while the upgrade runs; the answer says where it goes.
        from dataclasses import replace

        return replace(
            info, version=version, extra={**info.extra, "FromVersion": str(cluster.get("current_version", ""))}
        )
