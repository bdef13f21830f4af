"""Kubernetes clusters on NCP's VPC platform: Ncloud Kubernetes Service (NKS), a REST API of its own.

NKS answers at `https://nks.apigw.ntruss.com/vnks/v2` (ncloud-sdk-go-v2 services/vnks, V2Api):
`GET/POST /clusters`, `GET/DELETE /clusters/{uuid}`, `GET /clusters/{uuid}/kubeconfig`,
`GET/POST /clusters/{uuid}/node-pool`, `PATCH/DELETE /clusters/{uuid}/node-pool/{instanceNo}`,
`GET /clusters/{uuid}/nodes`, `PATCH /clusters/{uuid}/upgrade?k8sVersion=...` and `GET /option/version`,
each signed like every gateway call. A cluster is CREATING, then RUNNING; a node pool CREATING, then RUN.

NKS takes no tags and no security group: it makes the ACG of its worker nodes itself (the cluster's
`acgName`), which is what the driver reports as the cluster's security group. A request with tags or
security groups is refused rather than silently dropped. Its load balancers need a private LOADB
subnet in the VPC, made as the NLB family makes one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError, NotSupportedError
from drivers.ncp._client import NCPClient
from drivers.ncp._common import check_name, code, find, no_tags, parse_date, rows
from drivers.ncp.nlb import NCPNLBHandler
from drivers.types import IID, ClusterInfo, ClusterReqInfo, ClusterStatus, NodeGroupInfo, NodeGroupReqInfo

NKS_HOST = "https://nks.apigw.ntruss.com"
BASE = "/vnks/v2"
# The control-plane type CB-Spider's NKS driver asks for (up to 10 worker nodes).
CLUSTER_TYPE = "SVR.VNKS.STAND.C002.M008.NET.SSD.B050.G002"
NO_SECURITY_GROUPS = (
    "NKS takes no security group: it creates the ACG of the cluster's worker nodes itself and reports it as "
    "the cluster's acgName."
)
NO_TAGS = "NKS clusters have no tags and no description to keep them in."
NOTES = {"cluster": f"Ncloud Kubernetes Service (NKS). {NO_SECURITY_GROUPS} {NO_TAGS}"}

_CLUSTER_STATUS = {
    "CREATING": ClusterStatus.CREATING,
    "RUNNING": ClusterStatus.ACTIVE,
    "DELETING": ClusterStatus.DELETING,
    "RETURNED": ClusterStatus.DELETING,
}
_POOL_STATUS = {"CREATING": ClusterStatus.CREATING, "RUN": ClusterStatus.ACTIVE, "DELETING": ClusterStatus.DELETING}


def _check_sizes(group: NodeGroupReqInfo | None, desired: int, low: int, high: int, field: str) -> None:
    if not 1 <= low <= desired <= high:
        raise InvalidRequestError(
            f"Node group sizes must satisfy 1 <= min ({low}) <= desired ({desired}) <= max ({high}).", field=field
        )
    if group is not None and group.root_disk_size_gb and not 50 <= group.root_disk_size_gb <= 2000:
        raise InvalidRequestError("NKS node storage is 50-2000 GB.", field=f"{field}.root_disk_size_gb")


class NCPClusterHandler:
    def __init__(self, client: NCPClient, zone: str) -> None:
        self._client = client
        self._zone = zone

    # --- calls --------------------------------------------------------------------------------------

    def _nks(self, method: str, path: str, *, what: str, **kwargs: Any) -> Any:
        return self._client.rest(method, NKS_HOST, BASE + path, what=what, **kwargs)

    def _raw_clusters(self) -> list[dict[str, Any]]:
        answer = self._nks("GET", "/clusters", what="list clusters") or {}
        return [dict(c) for c in answer.get("clusters") or []]

    def _raw(self, iid: IID) -> dict[str, Any]:
        return find(self._raw_clusters(), iid, lambda c: (str(c["uuid"]), str(c["name"])), "Cluster")

    def _pools(self, uuid: str) -> list[dict[str, Any]]:
        answer = self._nks("GET", f"/clusters/{quote(uuid)}/node-pool", what="list node pools") or {}
        return [dict(p) for p in answer.get("nodePool") or []]

    def _pool(self, uuid: str, iid: IID) -> dict[str, Any]:
        return find(self._pools(uuid), iid, lambda p: (str(p["instanceNo"]), str(p["name"])), "Node group")

    # --- converting ---------------------------------------------------------------------------------

    def _info(self, raw: dict[str, Any]) -> ClusterInfo:
        uuid = str(raw["uuid"])
        status = _CLUSTER_STATUS.get(str(raw.get("status")), ClusterStatus.UPDATING)
        vpc_no = str(raw.get("vpcNo", ""))
        vpcs = rows(self._client.call("vpc", "getVpcList"), "vpcList")
        vpc_name = next((str(v["vpcName"]) for v in vpcs if str(v["vpcNo"]) == vpc_no), "")
        subnets = rows(self._client.call("vpc", "getSubnetList", {"vpcNo": vpc_no}), "subnetList") if vpc_name else []
        names = {str(s["subnetNo"]): str(s["subnetName"]) for s in subnets}
        nodes: list[dict[str, Any]] = []
        kubeconfig = ""
        if status is ClusterStatus.ACTIVE:
            nodes = list(
                (self._nks("GET", f"/clusters/{quote(uuid)}/nodes", what="list nodes") or {}).get("nodes") or []
            )
            answer = self._nks("GET", f"/clusters/{quote(uuid)}/kubeconfig", what="get kubeconfig") or {}
            kubeconfig = str(answer.get("kubeconfig") or "")
        key = IID(name_id=str(raw.get("loginKeyName", "")), system_id=str(raw.get("loginKeyName", "")))
        groups = tuple(self._group(p, key, nodes) for p in raw.get("nodePool") or [])
        acg = str(raw.get("acgName") or "")
        return ClusterInfo(
            iid=IID(name_id=str(raw["name"]), system_id=uuid),
            vpc_iid=IID(name_id=vpc_name, system_id=vpc_no),
            status=status,
            version=str(raw.get("k8sVersion") or ""),
            subnet_iids=tuple(
                IID(name_id=names.get(str(n), ""), system_id=str(n)) for n in raw.get("subnetNoList") or []
            ),
            security_group_iids=(IID(name_id=acg, system_id=acg),) if acg else (),
            node_groups=groups,
            endpoint=str(raw.get("endpoint") or ""),
            kubeconfig=kubeconfig,
            created_at=parse_date(raw.get("createdAt")),
            extra={"cluster_type": str(raw.get("clusterType", "")), "lb_subnet": str(raw.get("lbPrivateSubnetNo", ""))},
        )

    def _group(self, raw: dict[str, Any], key: IID, nodes: list[dict[str, Any]]) -> NodeGroupInfo:
        number = str(raw["instanceNo"])
        scale = raw.get("autoscale") or {}
        count = int(raw.get("nodeCount") or 0)
        enabled = bool(scale.get("enabled"))
        return NodeGroupInfo(
            iid=IID(name_id=str(raw["name"]), system_id=number),
            spec_name=str(raw.get("serverSpecCode") or raw.get("productCode") or ""),
            key_pair_iid=key,
            status=_POOL_STATUS.get(str(raw.get("status")), ClusterStatus.UPDATING),
            image_iid=IID(name_id=str(raw["softwareCode"])) if raw.get("softwareCode") else None,
            root_disk_size_gb=int(raw.get("storageSize") or 0),
            on_auto_scaling=enabled,
            desired_node_size=count,
            min_node_size=int(scale.get("min") or count),
            max_node_size=int(scale.get("max") or count),
            nodes=tuple(
                IID(name_id=str(n.get("name", "")), system_id=str(n.get("instanceNo", "")))
                for n in nodes
                if str(n.get("nodePoolId")) == number
            ),
            extra={"default": str(bool(raw.get("isDefault"))).lower()},
        )

    @staticmethod
    def _pool_body(req: NodeGroupReqInfo) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": check_name(req.name, field="node_group.name", what="node pool"),
            "nodeCount": req.desired_node_size,
            "serverSpecCode": req.spec_name,
            "storageSize": req.root_disk_size_gb or 100,
        }
        if req.image_iid is not None:
            body["softwareCode"] = req.image_iid.system_id or req.image_iid.name_id
        if req.on_auto_scaling:
            body["autoscale"] = {"enabled": True, "min": req.min_node_size, "max": req.max_node_size}
        return body

    # --- clusters -----------------------------------------------------------------------------------

    def list_clusters(self) -> list[ClusterInfo]:
        return [self._info(raw) for raw in self._raw_clusters()]

    def get_cluster(self, *, iid: IID) -> ClusterInfo:
        return self._info(self._raw(iid))

    def _versions(self) -> list[str]:
        answer = self._nks("GET", "/option/version", what="list Kubernetes versions") or []
        return [str(option.get("value")) for option in answer if option.get("value")]

    def create_cluster(self, *, req: ClusterReqInfo) -> ClusterInfo:
        check_name(req.name, field="name", what="cluster")
        no_tags(req.tags, field="tags", what="clusters")
        if req.security_group_iids:
            raise NotSupportedError(NO_SECURITY_GROUPS)
        for index, group in enumerate(req.node_groups):
            field = f"node_groups[{index}]"
            _check_sizes(group, group.desired_node_size, group.min_node_size, group.max_node_size, field)
        if not req.node_groups:
            raise InvalidRequestError("NKS creates a cluster with at least one node pool.", field="node_groups")
        if any(c["name"] == req.name for c in self._raw_clusters()):
            raise AlreadyExistsError(f"Cluster name '{req.name}' is already in use.")
        vpcs = rows(self._client.call("vpc", "getVpcList"), "vpcList")
        vpc = find(vpcs, req.vpc_iid, lambda v: (str(v["vpcNo"]), str(v["vpcName"])), "VPC")
        subnets = rows(self._client.call("vpc", "getSubnetList", {"vpcNo": str(vpc["vpcNo"])}), "subnetList")
        general = [s for s in subnets if code(s.get("usageType")) == "GEN"]
        key = lambda s: (str(s["subnetNo"]), str(s["subnetName"]))  # noqa: E731
        chosen = [find(general, iid, key, "Subnet") for iid in req.subnet_iids] or general[:1]
        if not chosen:
            raise InvalidRequestError(f"VPC '{vpc['vpcName']}' has no subnet for worker nodes.", field="subnet_iids")
        versions = self._versions()
        version = req.version or (versions[-1] if versions else "")
        if version not in versions:
            raise InvalidRequestError(f"NKS offers Kubernetes {', '.join(versions)}, not {version}.", field="version")
        zone = self._zone or str(chosen[0].get("zoneCode", ""))
        body = {
            "name": req.name,
            "clusterType": CLUSTER_TYPE,
            "k8sVersion": version,
            "loginKeyName": req.node_groups[0].key_pair_iid.name_id or req.node_groups[0].key_pair_iid.system_id,
            "regionCode": self._client.region,
            "zoneCode": zone,
            "vpcNo": int(vpc["vpcNo"]),
            "subnetNoList": [int(s["subnetNo"]) for s in chosen],
            "publicNetwork": code(chosen[0].get("subnetType")) == "PUBLIC",
            "lbPrivateSubnetNo": int(NCPNLBHandler(self._client, zone).lb_subnet(vpc)),
            "nodePool": [self._pool_body(group) for group in req.node_groups],
        }
        answer = self._nks("POST", "/clusters", body=body, what="create cluster") or {}
        return self.get_cluster(iid=IID(name_id=req.name, system_id=str(answer.get("uuid", ""))))

    def delete_cluster(self, *, iid: IID) -> None:
        try:
            raw = self._raw(iid)
        except NotFoundError:
            return
        if str(raw.get("status")) in ("DELETING", "RETURNED"):
            return
        try:
            self._nks("DELETE", f"/clusters/{quote(str(raw['uuid']))}", what="delete cluster")
        except NotFoundError:
            return

    def upgrade_cluster(self, *, cluster_iid: IID, version: str) -> ClusterInfo:
        raw = self._raw(cluster_iid)
        uuid = quote(str(raw["uuid"]))
        self._nks("PATCH", f"/clusters/{uuid}/upgrade", query={"k8sVersion": version}, what="upgrade cluster")
        return self.get_cluster(iid=IID(name_id=str(raw["name"]), system_id=str(raw["uuid"])))

    # --- node groups --------------------------------------------------------------------------------

    def add_node_group(self, *, cluster_iid: IID, req: NodeGroupReqInfo) -> NodeGroupInfo:
        _check_sizes(req, req.desired_node_size, req.min_node_size, req.max_node_size, "req")
        raw = self._raw(cluster_iid)
        uuid = str(raw["uuid"])
        body = self._pool_body(req)
        if raw.get("subnetNoList"):
            body["subnetNo"] = int(raw["subnetNoList"][0])
        self._nks("POST", f"/clusters/{quote(uuid)}/node-pool", body=body, what="add node pool")
        return self._group_info(uuid, IID(name_id=req.name))

    def _group_info(self, uuid: str, iid: IID) -> NodeGroupInfo:
        info = self.get_cluster(iid=IID(name_id="", system_id=uuid))
        pool = self._pool(uuid, iid)
        return next(g for g in info.node_groups if g.iid.system_id == str(pool["instanceNo"]))

    def remove_node_group(self, *, cluster_iid: IID, node_group_iid: IID) -> None:
        try:
            raw = self._raw(cluster_iid)
            uuid = str(raw["uuid"])
            pool = self._pool(uuid, node_group_iid)
        except NotFoundError:
            return
        if str(pool.get("status")) == "DELETING":
            return
        path = f"/clusters/{quote(uuid)}/node-pool/{quote(str(pool['instanceNo']))}"
        try:
            self._nks("DELETE", path, what="remove node pool")
        except NotFoundError:
            return

    def _update_pool(self, cluster_iid: IID, node_group_iid: IID, count: int, scale: dict[str, Any]) -> NodeGroupInfo:
        uuid = str(self._raw(cluster_iid)["uuid"])
        pool = self._pool(uuid, node_group_iid)
        path = f"/clusters/{quote(uuid)}/node-pool/{quote(str(pool['instanceNo']))}"
        self._nks("PATCH", path, body={"nodeCount": count, "autoscale": scale}, what="update node pool")
        return self._group_info(uuid, IID(name_id="", system_id=str(pool["instanceNo"])))

    def set_node_group_autoscaling(self, *, cluster_iid: IID, node_group_iid: IID, on: bool) -> NodeGroupInfo:
        current = self._current(cluster_iid, node_group_iid)
        scale = {"enabled": on, "min": current.min_node_size, "max": current.max_node_size}
        return self._update_pool(cluster_iid, node_group_iid, current.desired_node_size, scale)

    def change_node_group_scaling(
        self, *, cluster_iid: IID, node_group_iid: IID, desired_node_size: int, min_node_size: int, max_node_size: int
    ) -> NodeGroupInfo:
        _check_sizes(None, desired_node_size, min_node_size, max_node_size, "sizes")
        current = self._current(cluster_iid, node_group_iid)
        scale = {"enabled": current.on_auto_scaling, "min": min_node_size, "max": max_node_size}
        return self._update_pool(cluster_iid, node_group_iid, desired_node_size, scale)

    def _current(self, cluster_iid: IID, node_group_iid: IID) -> NodeGroupInfo:
        info = self.get_cluster(iid=cluster_iid)
        pool = self._pool(info.iid.system_id, node_group_iid)
        return next(g for g in info.node_groups if g.iid.system_id == str(pool["instanceNo"]))
