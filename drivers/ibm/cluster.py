"""Kubernetes clusters: IBM Cloud Kubernetes Service (IKS) clusters on VPC, through IKS's own REST API.

IKS has no Python SDK among IBM's published ones, so the driver speaks its REST API
(`https://containers.cloud.ibm.com/global`) with `ibm-cloud-sdk-core`'s `BaseService` and the
connection's IAM authenticator (one bearer token for every IBM API). Paths and bodies follow IBM's
API reference (cloud.ibm.com/apidocs/kubernetes/containers-v1-v2): `v2/vpc/createCluster`,
`v2/vpc/getCluster(s)`, `v2/vpc/createWorkerPool`, `v2/vpc/getWorkerPools`, `v2/vpc/getWorkers`,
`v2/resizeWorkerPool`, `v2/updateMaster`, `v1/clusters/{id}` (DELETE), `v1/clusters/{id}/workerpools/{pool}`
(DELETE) and `v2/applyRBACAndGetKubeconfig` (the kubeconfig, as a zip).

What IKS does not do through its API is refused rather than faked: worker pools take no SSH key
(IBM gives no SSH access to VPC workers), and autoscaling (on/off, min and max per pool) lives in
the in-cluster cluster-autoscaler add-on's ConfigMap, so node groups are fixed-size.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ibm_cloud_sdk_core import BaseService

from drivers.errors import AlreadyExistsError, DriverError, InvalidRequestError, NotFoundError, NotSupportedError
from drivers.ibm._common import attach_tags, check_tags, ident, iid_of, missing, read_tags
from drivers.ibm._errors import translate
from drivers.ibm._session import CALL_TIMEOUT, IBMClients
from drivers.ibm.security_group import find_security_group
from drivers.ibm.vpc import find_subnet, get_vpc_item
from drivers.types import IID, ClusterInfo, ClusterReqInfo, ClusterStatus, NodeGroupInfo, NodeGroupReqInfo

IKS_URL = "https://containers.cloud.ibm.com/global"
PROVIDER = "vpc-gen2"
# IKS names: letters, digits, hyphens (and periods), starting with a letter, at most 32 characters for a cluster.
CLUSTER_NAME = re.compile(r"^[a-z][-a-z0-9]{0,30}[a-z0-9]$")
POOL_NAME = re.compile(r"^[a-z][-a-z0-9]{0,61}[a-z0-9]$")
DEFAULT_FLAVOR = "bx2.4x16"  # IKS's default VPC flavor, for the pool IKS needs when no node group is asked for

# Off until the conformance suite can skip a single cluster operation: its cluster tests ask every node group
# for autoscaling bounds and a key pair, which IKS's API cannot give (see NOT_OFFERED in driver.py).
OFFERED = False
_AUTOSCALING = "cluster.set_node_group_autoscaling"
UNSUPPORTED: frozenset[str] = frozenset({_AUTOSCALING})
NOTES: Mapping[str, str] = {
    "cluster": "IBM Cloud Kubernetes Service clusters on VPC (IKS's API at containers.cloud.ibm.com). Worker pools "
    "take no SSH key pair (IBM gives no SSH access to VPC workers), so a node group shows no key pair. A cluster "
    "asked for without node groups gets the worker pool IKS needs, 'default', one bx2-4x16 worker.",
    "cluster.set_node_group_autoscaling": "IKS worker pools are fixed-size in its API: autoscaling (on/off, min and "
    "max) is set in the in-cluster cluster-autoscaler add-on's ConfigMap, which the API does not reach.",
    "cluster.change_node_group_scaling": "Resizes the worker pool; min and max must equal the desired size, as "
    "IKS's API has no autoscaling bounds.",
}

_STATUS = {
    "deploying": ClusterStatus.CREATING,
    "requested": ClusterStatus.CREATING,
    "pending": ClusterStatus.CREATING,
    "normal": ClusterStatus.ACTIVE,
    "warning": ClusterStatus.ACTIVE,
    "updating": ClusterStatus.UPDATING,
    "deleting": ClusterStatus.DELETING,
    "deleted": ClusterStatus.DELETING,
    "critical": ClusterStatus.INACTIVE,
    "deploy_failed": ClusterStatus.INACTIVE,
    "delete_failed": ClusterStatus.INACTIVE,
    "aborted": ClusterStatus.INACTIVE,
}
_POOL_STATUS = {
    "provisioning": ClusterStatus.CREATING,
    "active": ClusterStatus.ACTIVE,
    "resizing": ClusterStatus.UPDATING,
    "deleting": ClusterStatus.DELETING,
    "deleted": ClusterStatus.DELETING,
}


class IKSClient(BaseService):  # type: ignore[misc]
    """The IKS REST API with the connection's IAM authenticator."""

    def __init__(self, clients: IBMClients) -> None:
        super().__init__(service_url=IKS_URL, authenticator=clients.authenticator)
        self.set_http_config({"timeout": CALL_TIMEOUT})

    def call(self, method: str, path: str, *, params: Mapping[str, str] | None = None, body: Any = None) -> Any:
        request = self.prepare_request(
            method, path, headers={"Accept": "application/json"}, params=dict(params or {}), data=body
        )
        data = self.send(request).get_result()
        # A JSON answer comes parsed; anything else (a zip) as the `requests` response itself.
        return getattr(data, "content", data)


def flavor_of(spec_name: str) -> str:
    """IKS flavors are the VPC profile names with a period (bx2.4x16 for the profile bx2-4x16)."""
    return spec_name.replace("-", ".", 1)


def spec_of(flavor: str) -> str:
    return flavor.replace(".", "-", 1)


def version_of(kube_version: str) -> str:
    """IKS reports a master version with its patch build (1.30.4_1540); Spiderweb shows 1.30.4."""
    return kube_version.split("_", 1)[0]


def _check_sizes(group: NodeGroupReqInfo, *, field: str) -> None:
    if not POOL_NAME.fullmatch(group.name):
        raise InvalidRequestError(f"Node group name {group.name!r} is not a valid IKS worker pool name.", field=field)
    if not 1 <= group.min_node_size <= group.desired_node_size <= group.max_node_size:
        raise InvalidRequestError(
            f"Node group '{group.name}': sizes must satisfy 1 <= min <= desired <= max.", field=field
        )
    if group.min_node_size != group.max_node_size:
        raise NotSupportedError(
            f"Node group '{group.name}' asks for autoscaling between {group.min_node_size} and "
            f"{group.max_node_size} nodes. {NOTES[_AUTOSCALING]}"
        )


def _per_zone(total: int, zones: int, *, field: str) -> int:
    """IKS sizes a worker pool per zone; Spiderweb's sizes are the whole group's, so they must split evenly."""
    if total % zones:
        raise InvalidRequestError(
            f"A node group of {total} nodes cannot be spread evenly over {zones} zones (IKS sizes pools per zone).",
            field=field,
        )
    return total // zones


class IBMClusterHandler:
    def __init__(self, clients: IBMClients) -> None:
        self._clients = clients
        self._iks = IKSClient(clients)

    # --- clusters --------------------------------------------------------------------------------

    def create_cluster(self, *, req: ClusterReqInfo) -> ClusterInfo:
        if not CLUSTER_NAME.fullmatch(req.name):
            raise InvalidRequestError(
                f"Cluster name {req.name!r} must be lowercase letters, digits and hyphens, start with a letter and "
                "be at most 32 characters (IKS's rule).",
                field="name",
            )
        tags = check_tags(req.tags)
        for index, group in enumerate(req.node_groups):
            _check_sizes(group, field=f"node_groups[{index}]")
        vpc = get_vpc_item(self._clients, req.vpc_iid, field="vpc_iid")
        if not req.subnet_iids:
            raise InvalidRequestError("An IKS cluster needs a subnet of its VPC for its workers.", field="subnet_iids")
        zones = []
        for index, iid in enumerate(req.subnet_iids):
            subnet = find_subnet(self._clients, vpc["id"], iid)
            if subnet is None:
                raise missing("Subnet", iid, field=f"subnet_iids[{index}]")
            zones.append({"id": subnet["zone"]["name"], "subnetID": subnet["id"]})
        groups = []
        for index, iid in enumerate(req.security_group_iids):
            found = find_security_group(self._clients, iid)
            if found is None or found["vpc"]["id"] != vpc["id"]:
                raise missing("Security group", iid, field=f"security_group_iids[{index}]")
            groups.append(found["id"])
        if self._find(IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"A cluster named '{req.name}' already exists.", field="name")
        first, *rest = req.node_groups or (None,)
        pool: dict[str, Any] = {
            "name": first.name if first else "default",
            "flavor": flavor_of(first.spec_name) if first else DEFAULT_FLAVOR,
            "vpcID": vpc["id"],
            "workerCount": _per_zone(first.desired_node_size, len(zones), field="node_groups[0]") if first else 1,
            "zones": zones,
        }
        body: dict[str, Any] = {"name": req.name, "provider": PROVIDER, "workerPool": pool}
        if groups:
            body["securityGroupIDs"] = groups
        if req.version:
            body["kubeVersion"] = req.version
        with translate(field="name"):
            created = self._iks.call("POST", "/v2/vpc/createCluster", body=body)
        cluster_id = str(created["clusterID"])
        try:
            for group in rest:
                if group is not None:
                    self._create_pool(cluster_id, vpc["id"], zones, group)
        except DriverError:
            # Half a cluster is not what was asked for: remove it, as the other families undo a failed create.
            self.delete_cluster(iid=IID(name_id=req.name, system_id=cluster_id))
            raise
        cluster = self._get(IID(name_id=req.name, system_id=cluster_id))
        # Tags go on through the Global Tagging API by the cluster's CRN, as on every other IBM resource.
        attach_tags(self._clients, str(cluster.get("crn", "")), tags)
        return self._info(cluster)

    def list_clusters(self) -> list[ClusterInfo]:
        return [self._info(cluster) for cluster in self._list()]

    def get_cluster(self, *, iid: IID) -> ClusterInfo:
        return self._info(self._get(iid))

    def delete_cluster(self, *, iid: IID) -> None:
        cluster = self._find(iid)
        if cluster is None or cluster.get("state") == "deleting":
            return
        try:
            with translate():
                self._iks.call("DELETE", f"/v1/clusters/{cluster['id']}", params={"deleteResources": "true"})
        except NotFoundError:
            return

    def upgrade_cluster(self, *, cluster_iid: IID, version: str) -> ClusterInfo:
        cluster = self._get(cluster_iid)
        with translate(field="version"):
            self._iks.call("POST", "/v2/updateMaster", body={"cluster": cluster["id"], "version": version})
        return self._info(self._get(cluster_iid))

    # --- node groups -----------------------------------------------------------------------------

    def add_node_group(self, *, cluster_iid: IID, req: NodeGroupReqInfo) -> NodeGroupInfo:
        cluster = self._get(cluster_iid)  # a missing cluster is reported before what IKS could not do
        _check_sizes(req, field="req")
        pools = self._pools(cluster["id"])
        if any(pool["poolName"] == req.name for pool in pools):
            raise AlreadyExistsError(f"The cluster already has a node group named '{req.name}'.", field="req.name")
        template = pools[0] if pools else {}
        zones = [
            {"id": zone["id"], "subnetID": subnet["id"]}
            for zone in template.get("zones", [])
            for subnet in zone.get("subnets", [])[:1]
        ]
        pool_id = self._create_pool(cluster["id"], str(template.get("vpcID", "")), zones, req)
        return self._pool_info(cluster["id"], self._pool(cluster["id"], pool_id))

    def remove_node_group(self, *, cluster_iid: IID, node_group_iid: IID) -> None:
        cluster = self._find(cluster_iid)
        if cluster is None:
            return
        pool = self._find_pool(cluster["id"], node_group_iid)
        if pool is None or (pool.get("lifecycle") or {}).get("actualState") == "deleting":
            return
        try:
            with translate():
                self._iks.call("DELETE", f"/v1/clusters/{cluster['id']}/workerpools/{pool['id']}")
        except NotFoundError:
            return

    def set_node_group_autoscaling(self, *, cluster_iid: IID, node_group_iid: IID, on: bool) -> NodeGroupInfo:
        raise NotSupportedError(f"IKS cannot switch autoscaling through its API. {NOTES[_AUTOSCALING]}")

    def change_node_group_scaling(
        self, *, cluster_iid: IID, node_group_iid: IID, desired_node_size: int, min_node_size: int, max_node_size: int
    ) -> NodeGroupInfo:
        if not 1 <= min_node_size <= desired_node_size <= max_node_size:
            raise InvalidRequestError("Sizes must satisfy 1 <= min <= desired <= max.", field="desired_node_size")
        if min_node_size != max_node_size:
            raise NotSupportedError(f"IKS has no autoscaling bounds in its API. {NOTES[_AUTOSCALING]}")
        cluster = self._get(cluster_iid)
        pool = self._find_pool(cluster["id"], node_group_iid)
        if pool is None:
            raise missing("Node group", node_group_iid, field="node_group_iid")
        size = _per_zone(desired_node_size, max(len(pool.get("zones") or []), 1), field="desired_node_size")
        body = {"cluster": cluster["id"], "workerpool": pool["id"], "size": size}
        with translate(field="desired_node_size"):
            self._iks.call("POST", "/v2/resizeWorkerPool", body=body)
        return self._pool_info(cluster["id"], self._pool(cluster["id"], pool["id"]))

    # --- reading ---------------------------------------------------------------------------------

    def _list(self) -> list[dict[str, Any]]:
        with translate():
            clusters = self._iks.call("GET", "/v2/vpc/getClusters", params={"provider": PROVIDER})
        return [cluster for cluster in clusters or [] if isinstance(cluster, dict)]

    def _find(self, iid: IID) -> dict[str, Any] | None:
        try:
            return self._get(iid)
        except NotFoundError:
            return None

    def _get(self, iid: IID) -> dict[str, Any]:
        try:
            with translate():
                cluster = self._iks.call("GET", "/v2/vpc/getCluster", params={"cluster": ident(iid)})
        except NotFoundError as exc:
            raise missing("Cluster", iid, field="iid") from exc
        if not isinstance(cluster, dict):
            raise missing("Cluster", iid, field="iid")
        return cluster

    def _pools(self, cluster_id: str) -> list[dict[str, Any]]:
        try:
            with translate():
                pools = self._iks.call("GET", "/v2/vpc/getWorkerPools", params={"cluster": cluster_id})
        except NotFoundError:  # the cluster finished deleting while it was being read
            return []
        return [pool for pool in pools or [] if isinstance(pool, dict)]

    def _pool(self, cluster_id: str, pool_id: str) -> dict[str, Any]:
        with translate():
            pool = self._iks.call("GET", "/v2/vpc/getWorkerPool", params={"cluster": cluster_id, "workerpool": pool_id})
        return pool if isinstance(pool, dict) else {}

    def _find_pool(self, cluster_id: str, iid: IID) -> dict[str, Any] | None:
        pools = self._pools(cluster_id)
        wanted = ident(iid)
        return next((p for p in pools if p.get("id") == wanted), None) or next(
            (p for p in pools if p.get("poolName") == iid.name_id), None
        )

    def _create_pool(self, cluster_id: str, vpc_id: str, zones: list[dict[str, str]], req: NodeGroupReqInfo) -> str:
        body = {
            "cluster": cluster_id,
            "name": req.name,
            "flavor": flavor_of(req.spec_name),
            "vpcID": vpc_id,
            "workerCount": _per_zone(req.desired_node_size, max(len(zones), 1), field="node_groups"),
            "zones": zones,
        }
        with translate(field="node_groups"):
            created = self._iks.call("POST", "/v2/vpc/createWorkerPool", body=body)
        return str(created["workerPoolID"])

    def _workers(self, cluster_id: str, pool_id: str) -> list[dict[str, Any]]:
        try:
            with translate():
                workers = self._iks.call("GET", "/v2/vpc/getWorkers", params={"cluster": cluster_id, "pool": pool_id})
        except NotFoundError:  # the pool (or its cluster) finished deleting while it was being read
            return []
        return [worker for worker in workers or [] if isinstance(worker, dict)]

    def _pool_info(self, cluster_id: str, pool: dict[str, Any]) -> NodeGroupInfo:
        zones = pool.get("zones") or []
        per_zone = int(pool.get("workerCount") or 0)
        size = per_zone * max(len(zones), 1)
        workers = self._workers(cluster_id, str(pool["id"]))
        state = str((pool.get("lifecycle") or {}).get("actualState", ""))
        return NodeGroupInfo(
            iid=IID(name_id=str(pool.get("poolName", "")), system_id=str(pool["id"])),
            spec_name=spec_of(str(pool.get("flavor", ""))),
            key_pair_iid=IID(name_id=""),
            status=_POOL_STATUS.get(state, ClusterStatus.UPDATING),
            # IKS reports whether the cluster autoscaler manages the pool; its bounds are not in the API.
            on_auto_scaling=bool(pool.get("autoscaleEnabled")),
            desired_node_size=size,
            min_node_size=size,
            max_node_size=size,
            nodes=tuple(IID(name_id=str(worker["id"]), system_id=str(worker["id"])) for worker in workers),
            extra={"zones": ",".join(str(zone.get("id", "")) for zone in zones)},
        )

    def _info(self, cluster: dict[str, Any]) -> ClusterInfo:
        cluster_id = str(cluster["id"])
        pools = self._pools(cluster_id)
        subnets = {
            str(subnet["id"]): None
            for pool in pools
            for zone in pool.get("zones") or []
            for subnet in zone.get("subnets") or []
        }
        state = str(cluster.get("state", ""))
        endpoint = str(
            (cluster.get("serviceEndpoints") or {}).get("publicServiceEndpointURL") or cluster.get("masterURL") or ""
        )
        vpcs = cluster.get("vpcs") or []
        return ClusterInfo(
            iid=iid_of(cluster),
            vpc_iid=self._named_vpc(str(vpcs[0])) if vpcs else IID(name_id=""),
            status=_STATUS.get(state, ClusterStatus.UPDATING),
            version=version_of(str(cluster.get("masterKubeVersion", ""))),
            subnet_iids=tuple(self._named_subnet(subnet_id) for subnet_id in subnets),
            security_group_iids=tuple(self._named_group(g) for g in cluster.get("securityGroupIDs") or []),
            node_groups=tuple(self._pool_info(cluster_id, pool) for pool in pools),
            endpoint=endpoint,
            kubeconfig=self._kubeconfig(cluster_id) if state == "normal" else "",
            created_at=_time(cluster.get("createdDate")),
            tags=read_tags(self._clients, str(cluster.get("crn", ""))),
            extra={"region": str(cluster.get("region", "")), "state": state},
        )

    def _kubeconfig(self, cluster_id: str) -> str:
        """The kubeconfig IKS hands out as a zip (the YAML file, and the CA certificate it points to)."""
        with translate():
            data = self._iks.call(
                "POST", "/v2/applyRBACAndGetKubeconfig", body={"cluster": cluster_id, "format": "zip"}
            )
        if not isinstance(data, bytes):
            return ""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                name = next((n for n in archive.namelist() if n.endswith((".yaml", ".yml"))), "")
                return archive.read(name).decode() if name else ""
        except zipfile.BadZipFile:
            return ""

    def _named_vpc(self, vpc_id: str) -> IID:
        vpc = self._clients.get_or_none(self._clients.vpc.get_vpc, id=vpc_id)
        return iid_of(vpc) if vpc else IID(name_id="", system_id=vpc_id)

    def _named_subnet(self, subnet_id: str) -> IID:
        subnet = self._clients.get_or_none(self._clients.vpc.get_subnet, id=subnet_id)
        return iid_of(subnet) if subnet else IID(name_id="", system_id=subnet_id)

    def _named_group(self, group_id: str) -> IID:
        group = self._clients.get_or_none(self._clients.vpc.get_security_group, id=group_id)
        return iid_of(group) if group else IID(name_id="", system_id=group_id)


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
