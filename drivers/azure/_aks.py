"""AKS (Microsoft.ContainerService) for the cluster family: the client, the names Azure allows, the
JSON sent for clusters and agent pools, and their conversion to cluster and node group infos.

Spiderweb's bookkeeping goes in tags starting with `spiderweb-` (hidden from users by the tag family):
the key pair and security groups a cluster was made with on the cluster, and the Spiderweb name of
a node group on its agent pool (agent pool names are lower-case letters and digits only).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from azure.mgmt.containerservice import ContainerServiceClient

from drivers.azure._errors import translate
from drivers.azure._session import AzureSession
from drivers.azure.tag import user_tags
from drivers.checks import check_range
from drivers.errors import InvalidRequestError
from drivers.types import IID, ClusterInfo, ClusterStatus, NodeGroupInfo, NodeGroupReqInfo

KEY_TAG = "spiderweb-key-pair"
SG_TAG = "spiderweb-security-groups"
NAME_TAG = "spiderweb-name"
POOL_TAG = "aks-managed-poolName"  # AKS's tag naming the pool of a scale set in the node resource group
ADMIN_USER = "cb-user"
# The system pool every AKS cluster needs to run its own add-ons; node groups are user pools beside it.
SYSTEM_POOL = "system"
SYSTEM_SIZE = "Standard_D2s_v5"
# What AKS requires of a system pool's size ("System node pool must use VM sku with more than 2 cores
# and 4GB memory", code SystemPoolSkuTooLow: https://learn.microsoft.com/en-us/azure/aks/use-system-pools).
SYSTEM_MIN_VCPU = 2
SYSTEM_MIN_MEMORY_MIB = 4096
# Services and DNS of the cluster, outside the address ranges VPCs are usually given.
SERVICE_CIDR = "172.30.0.0/16"
DNS_SERVICE_IP = "172.30.0.10"
MAX_NODES = 1000

CLUSTER_NAME = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?$")
_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?$")
_BUSY = {"creating", "updating", "upgrading", "scaling", "starting", "stopping", "migrating", "reconciling"}


def client(session: AzureSession) -> ContainerServiceClient:
    """The connection's AKS client, made once like the session's own clients."""
    return cast(
        ContainerServiceClient,
        session._client("containerservice", lambda: ContainerServiceClient(**session._arm())),
    )


def check_cluster_name(name: str) -> str:
    if not isinstance(name, str) or not CLUSTER_NAME.match(name):
        raise InvalidRequestError(
            f"Cluster name {name!r} is invalid: use 1 to 63 letters, digits, '-' or '_', starting and ending with a "
            "letter or digit.",
            field="name",
        )
    return name


def check_version(version: str) -> str:
    if version and not _VERSION.match(version):
        raise InvalidRequestError(
            f"Kubernetes version {version!r} is invalid: use major.minor or major.minor.patch.", field="version"
        )
    return version


def check_sizes(desired: int, low: int, high: int, *, autoscaling: bool = True) -> None:
    check_range(high, (1, MAX_NODES), field="max_node_size", what="The largest node count")
    check_range(low, (0, high), field="min_node_size", what="The smallest node count")
    if autoscaling:
        check_range(desired, (low, high), field="desired_node_size", what="The node count")
    else:
        check_range(desired, (0, MAX_NODES), field="desired_node_size", what="The node count")


def pool_name(name: str, taken: set[str]) -> str:
    """An agent pool name for a node group: up to 12 lower-case letters and digits, starting with a letter."""
    base = re.sub(r"[^a-z0-9]", "", name.lower())
    if not base or not base[0].isalpha():
        base = "np" + base
    base = base[:12]
    if base not in taken and base != SYSTEM_POOL:
        return base
    for number in range(1, 1000):
        candidate = f"{base[: 12 - len(str(number))]}{number}"
        if candidate not in taken and candidate != SYSTEM_POOL:
            return candidate
    raise InvalidRequestError(f"No agent pool name is left for node group {name!r}.", field="name")


def pool_body(req: NodeGroupReqInfo, subnet_id: str, *, mode: str = "User") -> dict[str, Any]:
    properties: dict[str, Any] = {
        "count": req.desired_node_size,
        "vmSize": req.spec_name,
        "osType": "Linux",
        "mode": mode,
        "type": "VirtualMachineScaleSets",
        "vnetSubnetID": subnet_id,
        "enableAutoScaling": req.on_auto_scaling,
        "tags": {**dict(req.tags), NAME_TAG: req.name},
    }
    if req.on_auto_scaling:
        properties["minCount"] = req.min_node_size
        properties["maxCount"] = req.max_node_size
    if req.root_disk_size_gb:
        properties["osDiskSizeGB"] = req.root_disk_size_gb
    if req.root_disk_type:
        properties["osDiskType"] = req.root_disk_type
    return properties


def status_of(properties: Mapping[str, Any]) -> ClusterStatus:
    """provisioningState first (what ARM is doing), then powerState (whether it runs)."""
    state = str(properties.get("provisioningState", "")).lower()
    power = str((properties.get("powerState") or {}).get("code", "Running")).lower()
    if state == "deleting":
        return ClusterStatus.DELETING
    if state == "creating":
        return ClusterStatus.CREATING
    if state in _BUSY:
        return ClusterStatus.UPDATING
    if state == "succeeded":
        return ClusterStatus.ACTIVE if power == "running" else ClusterStatus.INACTIVE
    return ClusterStatus.INACTIVE  # Failed, Canceled


def arm_iid(arm_id: str) -> IID:
    return IID(name_id=arm_id.rstrip("/").rsplit("/", 1)[-1], system_id=arm_id) if arm_id else IID(name_id="")


def node_group_info(pool: Mapping[str, Any], key: IID, nodes: tuple[IID, ...] = ()) -> NodeGroupInfo:
    props: Mapping[str, Any] = pool.get("properties") or pool
    tags = dict(props.get("tags") or {})
    count = int(props.get("count") or 0)
    autoscaling = bool(props.get("enableAutoScaling"))
    return NodeGroupInfo(
        iid=IID(name_id=str(tags.get(NAME_TAG) or pool.get("name", "")), system_id=str(pool.get("id", ""))),
        spec_name=str(props.get("vmSize", "")),
        key_pair_iid=key,
        status=status_of(props),
        root_disk_type=str(props.get("osDiskType") or ""),
        root_disk_size_gb=int(props.get("osDiskSizeGB") or 0),
        on_auto_scaling=autoscaling,
        desired_node_size=count,
        min_node_size=int(props.get("minCount") or 0) if autoscaling else count,
        max_node_size=int(props.get("maxCount") or 0) if autoscaling else count,
        nodes=nodes,
        tags=user_tags(tags),
        extra={"agent_pool": str(pool.get("name", "")), "mode": str(props.get("mode", ""))},
    )


def is_system(pool: Mapping[str, Any]) -> bool:
    return str(pool.get("name", "")).lower() == SYSTEM_POOL


def cluster_info(
    cluster: Mapping[str, Any],
    pools: Sequence[Mapping[str, Any]],
    *,
    scope: str,
    kubeconfig: str = "",
    nodes: Mapping[str, tuple[IID, ...]] | None = None,
) -> ClusterInfo:
    """`scope` is the id prefix of the connection's group ("/subscriptions/../resourceGroups/g")."""
    props: Mapping[str, Any] = cluster.get("properties") or {}
    tags = dict(cluster.get("tags") or {})
    key = arm_iid(str(tags.get(KEY_TAG, "")))
    groups = [pool for pool in pools if not is_system(pool)]
    subnet_ids = [str((p.get("properties") or p).get("vnetSubnetID") or "") for p in pools]
    subnet_ids = list(dict.fromkeys(sid for sid in subnet_ids if sid))
    vpc_id = subnet_ids[0].split("/subnets/")[0] if subnet_ids else ""
    fqdn = str(props.get("fqdn") or props.get("privateFQDN") or "")
    extra = {
        "node_resource_group": str(props.get("nodeResourceGroup") or ""),
        "provisioning_state": str(props.get("provisioningState") or ""),
        "power_state": str((props.get("powerState") or {}).get("code") or ""),
    }
    created = (cluster.get("systemData") or {}).get("createdAt")
    return ClusterInfo(
        iid=IID(name_id=str(cluster.get("name", "")), system_id=str(cluster.get("id", ""))),
        vpc_iid=arm_iid(vpc_id),
        status=status_of(props),
        version=str(props.get("currentKubernetesVersion") or props.get("kubernetesVersion") or ""),
        subnet_iids=tuple(arm_iid(sid) for sid in subnet_ids),
        security_group_iids=tuple(
            IID(name_id=name, system_id=f"{scope}/providers/Microsoft.Network/networkSecurityGroups/{name}")
            for name in str(tags.get(SG_TAG, "")).split(",")
            if name
        ),
        node_groups=tuple(
            node_group_info(pool, key, (nodes or {}).get(str(pool.get("name", "")), ())) for pool in groups
        ),
        endpoint=f"https://{fqdn}:443" if fqdn else "",
        kubeconfig=kubeconfig,
        created_at=datetime.fromisoformat(str(created).replace("Z", "+00:00")) if created else None,
        tags=user_tags(tags),
        extra=extra,
    )


def clusters_using(session: AzureSession, *, key_pair: str = "", security_group: str = "") -> list[str]:
    """Names of the connection's clusters made with this key pair or security group (by name), for the
    families whose delete must wait for them: Azure itself does not link a cluster to either."""
    found: list[str] = []
    with translate():
        clusters = list(client(session).managed_clusters.list_by_resource_group(session.resource_group()))
    for cluster in clusters:
        tags = dict(cluster.get("tags") or {})
        key_name = str(tags.get(KEY_TAG, "")).rstrip("/").rsplit("/", 1)[-1]
        groups = [name.lower() for name in str(tags.get(SG_TAG, "")).split(",") if name]
        if (key_pair and key_name.lower() == key_pair.lower()) or (security_group and security_group.lower() in groups):
            found.append(str(cluster.get("name", "")))
    return found


def profiles(cluster: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list((cluster.get("properties") or {}).get("agentPoolProfiles") or [])


def pool(cluster: Mapping[str, Any], profile: Mapping[str, Any]) -> dict[str, Any]:
    """An agent pool profile of a cluster in the shape of the agent pool resource."""
    name = str(profile.get("name", ""))
    props = {key: value for key, value in profile.items() if key != "name"}
    return {"id": f"{cluster.get('id', '')}/agentPools/{name}", "name": name, "properties": props}


# Read-only properties ARM reports but refuses or ignores in a PUT.
READ_ONLY = frozenset(
    {
        "provisioningState",
        "powerState",
        "currentKubernetesVersion",
        "currentOrchestratorVersion",
        "fqdn",
        "privateFQDN",
        "azurePortalFQDN",
        "nodeImageVersion",
        "maxAgentPools",
    }
)


def writable(properties: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in properties.items() if key not in READ_ONLY}


def dns_prefix(name: str) -> str:
    """AKS's DNS prefix: 1 to 54 letters, digits and '-', starting and ending with a letter or digit."""
    prefix = "".join(ch if ch.isalnum() else "-" for ch in name)[:54].strip("-")
    return prefix or "aks"
