"""cluster family of the Azure driver: AKS managed clusters (Microsoft.ContainerService) and their
agent pools as node groups.

A cluster is created in the connection's resource group with a system-assigned identity, Azure CNI
in overlay mode on the VPC subnet asked for, and a one-node system pool (`system`) that runs AKS's
own add-ons and is not shown as a node group; every node group is a user pool beside it, so any of
them can be removed. Creating a cluster or a node group, scaling and upgrading return as soon as
Azure accepted the change (AKS takes minutes: the status says Creating / Updating until it is done).
A cluster's delete is followed for EARLY_WAIT only and then reads Deleting until it is gone; a cluster
already Deleting is a delete in progress. A node group's removal waits, boundedly, for Azure to finish.
AKS refuses a change while another runs, for minutes after a create or scale and during its own
background work (409 OperationNotAllowed): a TransientError the caller retries with backoff.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping
from typing import Any

from azure.mgmt.containerservice import ContainerServiceClient
from azure.mgmt.containerservice.models import AgentPool, ManagedCluster

from drivers.azure import _aks
from drivers.azure._common import as_json
from drivers.azure._errors import translate
from drivers.azure._session import AzureSession
from drivers.azure.vm_spec import AzureVMSpecHandler
from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.types import IID, ClusterInfo, ClusterReqInfo, ClusterStatus, NodeGroupInfo, NodeGroupReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
_ABOUT = (
    "AKS clusters with a one-node system pool of their own beside the node groups (user pools). Azure "
    "gives a cluster one SSH key (linuxProfile, user cb-user): every node group uses the key pair of the "
    "first one. AKS manages the nodes' network security group itself: the security groups given are "
    "recorded with the cluster, not applied. Nodes are the instances of the pools' scale sets, named by "
    "their Kubernetes node name."
)
# How long a cluster's delete is followed before the driver answers; AKS takes minutes to finish it.
EARLY_WAIT = 15.0

NOTES: Mapping[str, str] = {
    "cluster": _ABOUT
    if OFFERED
    else "The Azure driver does not offer it yet: security groups and key pairs a cluster uses can still be deleted."
}


class AzureClusterHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    @property
    def _aks(self) -> ContainerServiceClient:
        return _aks.client(self._session)

    # --- clusters --------------------------------------------------------------------------------------

    def create_cluster(self, *, req: ClusterReqInfo) -> ClusterInfo:
        _aks.check_cluster_name(req.name)
        _aks.check_version(req.version)
        names = [group.name for group in req.node_groups]
        if len(set(names)) != len(names):
            raise InvalidRequestError("Node group names must differ within a cluster.", field="node_groups")
        for group in req.node_groups:
            _aks.check_sizes(group.desired_node_size, group.min_node_size, group.max_node_size)
        keys = {group.key_pair_iid.system_id or group.key_pair_iid.name_id for group in req.node_groups}
        if len(keys) > 1:
            raise InvalidRequestError("Azure gives a cluster one SSH key: use one key pair.", field="key_pair_iid")
        group_name = self._session.resource_group()
        if self._find(IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Cluster '{req.name}' already exists.", field="name")
        subnet_id = self._subnet(req.vpc_iid, req.subnet_iids)
        sg_names = [self._nsg(iid) for iid in req.security_group_iids]
        tags = {**dict(req.tags), _aks.SG_TAG: ",".join(sg_names)}
        properties: dict[str, Any] = {
            "dnsPrefix": _aks.dns_prefix(req.name),
            "agentPoolProfiles": self._pools(req.node_groups, subnet_id),
            "networkProfile": {
                "networkPlugin": "azure",
                "networkPluginMode": "overlay",
                "serviceCidr": _aks.SERVICE_CIDR,
                "dnsServiceIP": _aks.DNS_SERVICE_IP,
                "loadBalancerSku": "standard",
            },
        }
        if req.version:
            properties["kubernetesVersion"] = req.version
        if req.node_groups:
            key_iid, public_key = self._key(req.node_groups[0].key_pair_iid)
            tags[_aks.KEY_TAG] = key_iid.system_id
            properties["linuxProfile"] = {
                "adminUsername": _aks.ADMIN_USER,
                "ssh": {"publicKeys": [{"keyData": public_key}]},
            }
        body = {
            "location": self._session.region,
            "tags": tags,
            "identity": {"type": "SystemAssigned"},
            "properties": properties,
        }
        with translate():
            poller = self._aks.managed_clusters.begin_create_or_update(
                group_name, req.name, ManagedCluster(body), polling=False
            )
            created = as_json(poller.result())
        return self._info(created)

    def list_clusters(self) -> list[ClusterInfo]:
        group_name = self._session.resource_group()
        with translate():
            found = [as_json(item) for item in self._aks.managed_clusters.list_by_resource_group(group_name)]
        return sorted((self._info(cluster) for cluster in found), key=lambda info: info.iid.name_id.lower())

    def get_cluster(self, *, iid: IID) -> ClusterInfo:
        cluster = self._require(iid)
        info = self._info(cluster)
        if info.status in (ClusterStatus.ACTIVE, ClusterStatus.UPDATING):
            return self._info(cluster, kubeconfig=self._kubeconfig(str(cluster["name"])), nodes=self._nodes(cluster))
        return info

    def delete_cluster(self, *, iid: IID) -> None:
        cluster = self._find(iid)
        if cluster is None or _aks.status_of(cluster.get("properties") or {}) == ClusterStatus.DELETING:
            return  # gone, or a delete in progress: AKS finishes it
        group_name, name = self._session.resource_group(), str(cluster["name"])
        with translate():
            self._aks.managed_clusters.begin_delete(group_name, name, polling=False)
        # Follow it through reads (as the caller does afterwards), boundedly: AKS takes minutes.
        deadline = time.monotonic() + EARLY_WAIT
        while time.monotonic() < deadline:
            if self._find(iid) is None:
                return
            time.sleep(self._session.polling_interval)

    def upgrade_cluster(self, *, cluster_iid: IID, version: str) -> ClusterInfo:
        if not version:
            raise InvalidRequestError("Give the Kubernetes version to upgrade to.", field="version")
        _aks.check_version(version)
        cluster = self._require(cluster_iid)
        properties = dict(cluster.get("properties") or {})
        properties["kubernetesVersion"] = version
        # Every pool follows the control plane, as `az aks upgrade` does.
        properties["agentPoolProfiles"] = [
            _aks.writable({**profile, "orchestratorVersion": version})
            for profile in properties.get("agentPoolProfiles") or []
        ]
        body: dict[str, Any] = {key: cluster[key] for key in ("location", "tags", "identity", "sku") if key in cluster}
        body["properties"] = _aks.writable(properties)
        with translate(field="version"):
            poller = self._aks.managed_clusters.begin_create_or_update(
                self._session.resource_group(), str(cluster["name"]), ManagedCluster(body), polling=False
            )
            return self._info(as_json(poller.result()))

    # --- node groups -------------------------------------------------------------------------------------

    def add_node_group(self, *, cluster_iid: IID, req: NodeGroupReqInfo) -> NodeGroupInfo:
        _aks.check_sizes(req.desired_node_size, req.min_node_size, req.max_node_size)
        cluster = self._require(cluster_iid)
        profiles = _aks.profiles(cluster)
        if any(_aks.node_group_info(_aks.pool(cluster, p), IID(name_id="")).iid.name_id == req.name for p in profiles):
            raise AlreadyExistsError(f"Node group '{req.name}' already exists in '{cluster['name']}'.", field="name")
        key = _aks.arm_iid(str((cluster.get("tags") or {}).get(_aks.KEY_TAG, "")))
        if key.system_id and (req.key_pair_iid.system_id or req.key_pair_iid.name_id).lower() not in (
            key.name_id.lower(),
            key.system_id.lower(),
        ):
            raise InvalidRequestError(
                f"Azure gives a cluster one SSH key: node groups of '{cluster['name']}' use key pair '{key.name_id}'.",
                field="key_pair_iid",
            )
        subnet_id = next((str(p.get("vnetSubnetID")) for p in profiles if p.get("vnetSubnetID")), "")
        pool = _aks.pool_name(req.name, {str(p.get("name", "")) for p in profiles})
        with translate():
            poller = self._aks.agent_pools.begin_create_or_update(
                self._session.resource_group(),
                str(cluster["name"]),
                pool,
                AgentPool({"properties": _aks.pool_body(req, subnet_id)}),
                polling=False,
            )
            created = as_json(poller.result())
        return _aks.node_group_info(created, key)

    def remove_node_group(self, *, cluster_iid: IID, node_group_iid: IID) -> None:
        cluster = self._find(cluster_iid)
        pool = None if cluster is None else self._node_group(cluster, node_group_iid)
        if cluster is None or pool is None:
            return
        group_name, name, pool_name = self._session.resource_group(), str(cluster["name"]), str(pool["name"])
        self._session.wait(
            lambda: self._aks.agent_pools.begin_delete(group_name, name, pool_name),
            what=f"the deletion of node group '{node_group_iid.name_id or pool_name}'",
        )

    def set_node_group_autoscaling(self, *, cluster_iid: IID, node_group_iid: IID, on: bool) -> NodeGroupInfo:
        def change(properties: dict[str, Any]) -> None:
            count = int(properties.get("count") or 0)
            properties["enableAutoScaling"] = on
            if on:
                properties["minCount"] = int(properties.get("minCount") or count)
                properties["maxCount"] = int(properties.get("maxCount") or max(count, 1))
            else:
                # AKS refuses bounds on a pool without the autoscaler.
                properties["minCount"] = None
                properties["maxCount"] = None

        return self._change_pool(cluster_iid, node_group_iid, change)

    def change_node_group_scaling(
        self, *, cluster_iid: IID, node_group_iid: IID, desired_node_size: int, min_node_size: int, max_node_size: int
    ) -> NodeGroupInfo:
        _aks.check_sizes(desired_node_size, min_node_size, max_node_size)

        def change(properties: dict[str, Any]) -> None:
            properties["count"] = desired_node_size
            if properties.get("enableAutoScaling"):
                properties["minCount"] = min_node_size
                properties["maxCount"] = max_node_size

        return self._change_pool(cluster_iid, node_group_iid, change)

    # --- helpers ---------------------------------------------------------------------------------------

    def _change_pool(
        self, cluster_iid: IID, node_group_iid: IID, change: Callable[[dict[str, Any]], None]
    ) -> NodeGroupInfo:
        cluster = self._require(cluster_iid)
        pool = self._node_group(cluster, node_group_iid)
        if pool is None:
            raise NotFoundError(
                f"Node group '{node_group_iid.system_id or node_group_iid.name_id}' does not exist in "
                f"'{cluster['name']}'.",
                field="node_group_iid",
            )
        properties = _aks.writable(dict(pool["properties"]))
        change(properties)
        key = _aks.arm_iid(str((cluster.get("tags") or {}).get(_aks.KEY_TAG, "")))
        with translate():
            poller = self._aks.agent_pools.begin_create_or_update(
                self._session.resource_group(),
                str(cluster["name"]),
                str(pool["name"]),
                AgentPool({"properties": properties}),
                polling=False,
            )
            return _aks.node_group_info(as_json(poller.result()), key)

    def _node_group(self, cluster: Mapping[str, Any], iid: IID) -> dict[str, Any] | None:
        for profile in _aks.profiles(cluster):
            pool = _aks.pool(cluster, profile)
            if _aks.is_system(pool):
                continue
            info = _aks.node_group_info(pool, IID(name_id=""))
            if (iid.system_id and iid.system_id.lower() == str(pool["id"]).lower()) or (
                not iid.system_id and iid.name_id in (info.iid.name_id, pool["name"])
            ):
                return pool
        return None

    def _system_size(self, groups: tuple[NodeGroupReqInfo, ...]) -> str:
        """The first node group's size when AKS takes it for a system pool (at least 2 vCPUs and 4 GiB:
        400 SystemPoolSkuTooLow otherwise), else SYSTEM_SIZE."""
        if not groups:
            return _aks.SYSTEM_SIZE
        try:
            spec = AzureVMSpecHandler(self._session).get_spec(name=groups[0].spec_name)
        except NotFoundError:
            return _aks.SYSTEM_SIZE
        fits = spec.vcpu >= _aks.SYSTEM_MIN_VCPU and spec.memory_mib >= _aks.SYSTEM_MIN_MEMORY_MIB
        return spec.name if fits else _aks.SYSTEM_SIZE

    def _pools(self, groups: tuple[NodeGroupReqInfo, ...], subnet_id: str) -> list[dict[str, Any]]:
        system_size = self._system_size(groups)
        profiles = [
            {
                "name": _aks.SYSTEM_POOL,
                "count": 1,
                "vmSize": system_size,
                "osType": "Linux",
                "mode": "System",
                "type": "VirtualMachineScaleSets",
                "vnetSubnetID": subnet_id,
            }
        ]
        taken = {_aks.SYSTEM_POOL}
        for group in groups:
            name = _aks.pool_name(group.name, taken)
            taken.add(name)
            profiles.append({"name": name, **_aks.pool_body(group, subnet_id)})
        return profiles

    def _find(self, iid: IID) -> dict[str, Any] | None:
        name = iid.system_id.rstrip("/").rsplit("/", 1)[-1] if iid.system_id else iid.name_id
        if not name or not _aks.CLUSTER_NAME.match(name):
            return None
        try:
            with translate(field="iid"):
                return as_json(self._aks.managed_clusters.get(self._session.resource_group(), name))
        except NotFoundError:
            return None

    def _require(self, iid: IID) -> dict[str, Any]:
        cluster = self._find(iid)
        if cluster is None:
            raise NotFoundError(f"Cluster '{iid.system_id or iid.name_id}' does not exist.", field="iid")
        return cluster

    def _info(
        self, cluster: Mapping[str, Any], kubeconfig: str = "", nodes: Mapping[str, tuple[IID, ...]] | None = None
    ) -> ClusterInfo:
        pools = [_aks.pool(cluster, profile) for profile in _aks.profiles(cluster)]
        return _aks.cluster_info(cluster, pools, scope=self._scope(), kubeconfig=kubeconfig, nodes=nodes)

    def _nodes(self, cluster: Mapping[str, Any]) -> dict[str, tuple[IID, ...]]:
        """The nodes of each agent pool: the instances of the pool's scale set in the node resource group
        AKS manages (named by their Kubernetes node name, the instance's computer name)."""
        node_group = str((cluster.get("properties") or {}).get("nodeResourceGroup") or "")
        if not node_group:
            return {}
        compute = self._session.compute()
        found: dict[str, tuple[IID, ...]] = {}
        with translate():
            for scale_set in map(as_json, compute.virtual_machine_scale_sets.list(node_group)):
                pool = str((scale_set.get("tags") or {}).get(_aks.POOL_TAG, ""))
                if not pool:
                    continue
                instances = map(as_json, compute.virtual_machine_scale_set_vms.list(node_group, str(scale_set["name"])))
                found[pool] = tuple(
                    IID(
                        name_id=str(
                            ((vm.get("properties") or {}).get("osProfile") or {}).get("computerName") or vm["name"]
                        ),
                        system_id=str(vm["id"]),
                    )
                    for vm in instances
                )
        return found

    def _scope(self) -> str:
        return f"/subscriptions/{self._session.subscription_id}/resourceGroups/{self._session.resource_group()}"

    def _kubeconfig(self, name: str) -> str:
        with translate():
            result = as_json(
                self._aks.managed_clusters.list_cluster_user_credentials(self._session.resource_group(), name)
            )
        configs = result.get("kubeconfigs") or []
        value = configs[0].get("value", "") if configs else ""
        if isinstance(value, bytes):
            return value.decode()
        return base64.b64decode(str(value)).decode() if value else ""

    def _subnet(self, vpc_iid: IID, subnet_iids: tuple[IID, ...]) -> str:
        name = vpc_iid.system_id.rstrip("/").rsplit("/", 1)[-1] if vpc_iid.system_id else vpc_iid.name_id
        try:
            with translate(field="vpc_iid"):
                vnet = as_json(self._session.network().virtual_networks.get(self._session.resource_group(), name))
        except NotFoundError as exc:
            raise NotFoundError(
                f"VPC '{name}' does not exist.", field="vpc_iid", provider_message=exc.provider_message
            ) from exc
        subnets = (vnet.get("properties") or {}).get("subnets") or []
        if len(subnet_iids) > 1:
            raise InvalidRequestError("AKS places a cluster's nodes in one subnet: give one.", field="subnet_iids")
        if not subnet_iids:
            if not subnets:
                raise InvalidRequestError(f"VPC '{name}' has no subnet for the nodes.", field="subnet_iids")
            return str(subnets[0]["id"])
        wanted = subnet_iids[0]
        for subnet in subnets:
            if (wanted.system_id and wanted.system_id.lower() == str(subnet["id"]).lower()) or (
                not wanted.system_id and wanted.name_id == subnet.get("name")
            ):
                return str(subnet["id"])
        raise NotFoundError(
            f"Subnet '{wanted.system_id or wanted.name_id}' is not in VPC '{name}'.", field="subnet_iids"
        )

    def _nsg(self, iid: IID) -> str:
        name = iid.system_id.rstrip("/").rsplit("/", 1)[-1] if iid.system_id else iid.name_id
        with translate(field="security_group_iids"):
            nsg = self._session.network().network_security_groups.get(self._session.resource_group(), name)
        return str(as_json(nsg)["name"])

    def _key(self, iid: IID) -> tuple[IID, str]:
        name = iid.system_id.rstrip("/").rsplit("/", 1)[-1] if iid.system_id else iid.name_id
        with translate(field="key_pair_iid"):
            key = as_json(self._session.compute().ssh_public_keys.get(self._session.resource_group(), name))
        public_key = str((key.get("properties") or {}).get("publicKey") or "")
        if not public_key:
            raise InvalidRequestError(f"Key pair '{name}' has no public key.", field="key_pair_iid")
        return IID(name_id=str(key["name"]), system_id=str(key["id"])), public_key
