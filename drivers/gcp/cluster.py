"""Kubernetes clusters of the GCP driver: GKE Standard (container.googleapis.com v1, REST).

A cluster is zonal, in the connection's zone, on the VPC and subnet asked for; its node groups are
node pools with real autoscaling. GKE takes minutes to create, upgrade or delete a cluster and to add,
resize or remove a node pool: those calls follow their operation only for EARLY_WAIT (early refusals
come within it) and then answer the cluster as it is (Creating, Updating, Deleting); reads follow the
rest, as the caller polls a cluster until it is Active. Quick changes (autoscaling, labels) are
followed to the end. GKE refuses a change while another runs (FAILED_PRECONDITION "... is currently
..."), a retryable TransientError; a delete of a cluster already being deleted is that delete.
Clusters of every zone of the region (and regional ones) are listed through GKE's "-" location.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import cast

from google.cloud import compute_v1, container_v1
from google.cloud.compute_v1.types import compute

from drivers.errors import AlreadyExistsError, NotFoundError, TransientError
from drivers.gcp import _gke_convert as convert
from drivers.gcp import _probes as probes
from drivers.gcp import _session
from drivers.gcp._common import last_segment, relative_path, zone_in_region
from drivers.gcp._errors import translate
from drivers.gcp._lro import overdue, rpc_error
from drivers.gcp._session import CALL, PAGE_SIZE, GCPClients
from drivers.gcp._vm_common import check_labels
from drivers.gcp.key_pair import GCPKeyPairHandler
from drivers.gcp.security_group import GCPSecurityGroupHandler
from drivers.gcp.vpc import GCPVPCHandler
from drivers.interface import KeyPairHandler, SecurityGroupHandler, VPCHandler
from drivers.types import IID, ClusterInfo, ClusterReqInfo, NodeGroupInfo, NodeGroupReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
_NOTES: Mapping[str, str] = {
    "cluster": (
        "GKE Standard, zonal in the connection's zone; node groups are node pools (autoscaling by GKE's cluster "
        "autoscaler); security groups become the nodes' network tags; a node group's desired size is the size it "
        "was created or last resized with, its nodes the VMs of its managed instance groups. A cluster asked "
        "without node groups is created with a one-node placeholder pool (GKE needs one), removed by the reads "
        "that follow once the cluster runs; the cluster reads Creating until it is gone."
    ),
}
NOTES: Mapping[str, str] = _NOTES if OFFERED else {}

# How long a slow change is followed for early refusals; GKE takes minutes to carry it out.
EARLY_WAIT = 15.0
_DONE = container_v1.Operation.Status.DONE
# The node pool a cluster asked without node groups is created with, as GKE needs one.
PLACEHOLDER_POOL = "spiderweb-placeholder"
_STOPPING = container_v1.Cluster.Status.STOPPING
_RUNNING = container_v1.Cluster.Status.RUNNING


def clusters_using_key(clients: GCPClients, key: IID) -> list[str]:
    """The names of the region's clusters with a node pool whose nodes log in with key pair `key`:
    GKE recreates nodes (repairs, autoscaling) from the pool's metadata, so the key stays in use."""
    users = set()
    for cluster in GCPClusterHandler(clients).all_clusters():
        for pool in cluster.node_pools:
            metadata = pool.config.metadata
            if (key.system_id and metadata.get(convert.KEY_ID) == key.system_id) or (
                key.name_id and metadata.get(convert.KEY_NAME) == key.name_id
            ):
                users.add(cluster.name)
    return sorted(users)


class Refs:
    """The VPC, subnet, security group and key pair a cluster uses, looked up by their own families."""

    def __init__(self, clients: GCPClients) -> None:
        self._vpcs = cast(VPCHandler, GCPVPCHandler(clients))
        self._sgs = cast(SecurityGroupHandler, GCPSecurityGroupHandler(clients))
        self._keys = cast(KeyPairHandler, GCPKeyPairHandler(clients))

    def vpc(self, iid: IID, subnets: tuple[IID, ...]) -> tuple[IID, tuple[IID, ...]]:
        info = self._vpcs.get_vpc(iid=iid)
        found: list[IID] = []
        for wanted in subnets:
            match = [
                s.iid
                for s in info.subnets
                if (wanted.system_id and wanted.system_id == s.iid.system_id)
                or (wanted.name_id and wanted.name_id == s.iid.name_id)
            ]
            if not match:
                raise NotFoundError(
                    f"Subnet '{wanted.name_id or wanted.system_id}' is not in VPC '{info.iid.name_id}'.",
                    field="subnet_iids",
                )
            found.append(match[0])
        return info.iid, tuple(found)

    def security_group(self, iid: IID) -> IID:
        return self._sgs.get_security_group(iid=iid).iid

    def key_pair(self, iid: IID) -> tuple[IID, str]:
        info = self._keys.get_key_pair(iid=iid)
        return info.iid, info.public_key


class GCPClusterHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients
        self._refs = Refs(clients)

    # --- helpers -------------------------------------------------------------------------------

    def _gke(self) -> container_v1.ClusterManagerClient:
        return self._clients.client(container_v1.ClusterManagerClient)

    def _location_path(self, location: str) -> str:
        return f"projects/{self._clients.project}/locations/{location}"

    def all_clusters(self) -> list[container_v1.Cluster]:
        return self._all()

    def _all(self) -> list[container_v1.Cluster]:
        with translate():
            answer = self._gke().list_clusters(parent=self._location_path("-"), **CALL)
        region = self._clients.region
        return [c for c in answer.clusters if c.location == region or zone_in_region(c.location, region)]

    def _find(self, iid: IID) -> container_v1.Cluster | None:
        for cluster in self._all():
            if (iid.system_id and cluster.id == iid.system_id) or (iid.name_id and cluster.name == iid.name_id):
                return cluster
        return None

    def find(self, iid: IID) -> container_v1.Cluster | None:
        return self._find(iid)

    def set_labels(self, cluster: container_v1.Cluster, labels: Mapping[str, str]) -> None:
        """Replace the cluster's resource labels (its fingerprint guards against a concurrent change)."""
        request = container_v1.SetLabelsRequest(
            name=self._path(cluster), resource_labels=dict(labels), label_fingerprint=cluster.label_fingerprint
        )
        with translate(field="key"):
            operation = self._gke().set_labels(request=request, **CALL)
        self._wait(operation, location=cluster.location, what=f"labelling cluster '{cluster.name}'")

    def _get(self, iid: IID, *, field: str = "iid") -> container_v1.Cluster:
        cluster = self._find(iid)
        if cluster is None:
            raise NotFoundError(f"Cluster '{iid.name_id or iid.system_id}' does not exist.", field=field)
        return cluster

    def _path(self, cluster: container_v1.Cluster) -> str:
        return f"{self._location_path(cluster.location)}/clusters/{cluster.name}"

    def _wait(
        self, operation: container_v1.Operation, *, location: str, what: str, timeout: float | None = None
    ) -> bool:
        """Follow a GKE operation to DONE; its error raised as a DriverError. False: still running after `timeout`."""
        limit = _session.OPERATION_TIMEOUT if timeout is None else timeout
        deadline = time.monotonic() + limit
        delays = iter(_session.POLL_DELAYS)
        delay = 0.0
        current = operation
        name = f"{self._location_path(location)}/operations/{operation.name}"
        while current.status != _DONE:
            if time.monotonic() + delay > deadline:
                if timeout is None:
                    raise overdue(what, operation.name, limit)
                return False
            time.sleep(delay)
            with translate():
                current = self._gke().get_operation(name=name, **CALL)
            delay = next(delays, _session.POLL_DELAYS[-1])
        if current.error.code:
            raise rpc_error(int(current.error.code), current.error.message, what=what)
        return True

    def _info(self, cluster: container_v1.Cluster) -> ClusterInfo:
        asked = (IID(name_id=cluster.subnetwork),) if cluster.subnetwork else ()
        try:
            vpc, subnets = self._refs.vpc(IID(name_id=cluster.network), asked)
        except NotFoundError:
            vpc, subnets = IID(name_id=cluster.network), asked
        groups: list[IID] = []
        for tag in convert.network_tags(cluster):
            if tag == probes.node_tag(cluster.name):
                continue
            try:
                groups.append(self._refs.security_group(IID(name_id=tag)))
            except NotFoundError:
                groups.append(IID(name_id=tag))
        placeholder = self._drop_placeholder(cluster)
        nodes = {pool.name: self._nodes(pool) for pool in cluster.node_pools if pool.name != PLACEHOLDER_POOL}
        return convert.cluster_info(
            cluster,
            project=self._clients.project,
            vpc=vpc,
            subnets=subnets,
            security_groups=tuple(groups),
            nodes=nodes,
            placeholder=PLACEHOLDER_POOL if placeholder else "",
        )

    def _nodes(self, pool: container_v1.NodePool) -> tuple[IID, ...]:
        """The node VMs of a pool: the instances of its managed instance groups (one per zone)."""
        if (
            pool.status != container_v1.NodePool.Status.RUNNING
            and pool.status != container_v1.NodePool.Status.RECONCILING
        ):
            return ()
        groups = self._clients.client(compute_v1.InstanceGroupManagersClient)
        found: list[IID] = []
        for url in pool.instance_group_urls:
            parts = relative_path(url).split("/")
            if len(parts) < 6:
                continue
            request = compute.ListManagedInstancesInstanceGroupManagersRequest(
                project=parts[1], zone=parts[3], instance_group_manager=parts[5], max_results=PAGE_SIZE
            )
            try:
                with translate():
                    managed = list(groups.list_managed_instances(request=request, **CALL))
            except NotFoundError:
                continue  # the group is being replaced
            found.extend(IID(name_id=last_segment(m.instance), system_id=str(m.id)) for m in managed)
        return tuple(sorted(found, key=lambda iid: iid.name_id))

    def _pool(self, req: NodeGroupReqInfo, network_tags: list[str], *, field: str) -> container_v1.NodePool:
        convert.check_name(req.name, what="Node group", field=field)
        convert.check_sizes(req, field=field)
        check_labels(req.tags, field=field)
        key, public_key = self._refs.key_pair(req.key_pair_iid)
        return convert.node_pool(req, key=key, public_key=public_key, network_tags=network_tags)

    # --- clusters ------------------------------------------------------------------------------

    def create_cluster(self, *, req: ClusterReqInfo) -> ClusterInfo:
        convert.check_name(req.name, what="Cluster", field="name")
        labels = check_labels(req.tags)
        vpc, subnets = self._refs.vpc(req.vpc_iid, req.subnet_iids[:1])
        tags = [self._refs.security_group(iid).name_id for iid in req.security_group_iids]
        if tags:
            tags.append(probes.node_tag(req.name))  # out through the groups' deny-all egress (see _probes)
        pools = [self._pool(group, tags, field="node_groups") for group in req.node_groups]
        if self._find(IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Cluster '{req.name}' already exists.", field="name")
        if tags:
            network = f"projects/{self._clients.project}/global/networks/{vpc.name_id}"
            probes.ensure(self._clients, probes.node_egress_firewall(req.name, network=network))
        zone = self._clients.zone()
        cluster = container_v1.Cluster(
            name=req.name,
            network=vpc.name_id,
            subnetwork=subnets[0].name_id if subnets else "",
            resource_labels=labels,
            node_pools=pools,
            ip_allocation_policy=container_v1.IPAllocationPolicy(use_ip_aliases=True),
            node_pool_auto_config=container_v1.NodePoolAutoConfig(network_tags=container_v1.NetworkTags(tags=tags)),
        )
        if req.version:
            cluster.initial_cluster_version = req.version
        if not pools:
            # GKE needs a node pool to create a cluster: a one-node placeholder, removed once the cluster runs.
            cluster.node_pools = [
                container_v1.NodePool(name=PLACEHOLDER_POOL, initial_node_count=1, config=container_v1.NodeConfig())
            ]
        with translate(field="name"):
            operation = self._gke().create_cluster(parent=self._location_path(zone), cluster=cluster, **CALL)
        self._wait(operation, location=zone, what=f"creating cluster '{req.name}'", timeout=EARLY_WAIT)
        return self._info(self._get(IID(name_id=req.name)))

    def _drop_placeholder(self, cluster: container_v1.Cluster) -> bool:
        """Start removing the placeholder pool of a running cluster; True while it is still there."""
        if not any(pool.name == PLACEHOLDER_POOL for pool in cluster.node_pools):
            return False
        if cluster.status == _RUNNING:
            try:
                with translate():
                    self._gke().delete_node_pool(name=f"{self._path(cluster)}/nodePools/{PLACEHOLDER_POOL}", **CALL)
            except (TransientError, NotFoundError):
                pass  # already being removed, or gone
        return True

    def list_clusters(self) -> list[ClusterInfo]:
        return [self._info(cluster) for cluster in sorted(self._all(), key=lambda c: c.name)]

    def get_cluster(self, *, iid: IID) -> ClusterInfo:
        return self._info(self._get(iid))

    def delete_cluster(self, *, iid: IID) -> None:
        """Start deleting the cluster and follow it for EARLY_WAIT; GKE finishes it on its own (a failed
        deletion is retried by GKE until done). One already stopping is a delete in progress."""
        cluster = self._find(iid)
        if cluster is not None and cluster.status != _STOPPING:
            try:
                with translate():
                    operation = self._gke().delete_cluster(name=self._path(cluster), **CALL)
                self._wait(
                    operation, location=cluster.location, what=f"deleting cluster '{cluster.name}'", timeout=EARLY_WAIT
                )
            except NotFoundError:
                pass
            except TransientError:
                again = self._find(iid)
                if again is not None and again.status != _STOPPING:
                    raise  # busy with another change: the caller retries later
        name = cluster.name if cluster is not None else iid.name_id
        if name and convert.NAME.match(name):
            probes.delete(self._clients, probes.node_tag(name))  # the nodes' egress, made with the cluster

    def upgrade_cluster(self, *, cluster_iid: IID, version: str) -> ClusterInfo:
        cluster = self._get(cluster_iid, field="cluster_iid")
        with translate(field="version"):
            operation = self._gke().update_master(name=self._path(cluster), master_version=version, **CALL)
        self._wait(operation, location=cluster.location, what=f"upgrading cluster '{cluster.name}'", timeout=EARLY_WAIT)
        return self._info(self._get(cluster_iid, field="cluster_iid"))

    # --- node groups ---------------------------------------------------------------------------

    def add_node_group(self, *, cluster_iid: IID, req: NodeGroupReqInfo) -> NodeGroupInfo:
        cluster = self._get(cluster_iid, field="cluster_iid")
        pool = self._pool(req, convert.network_tags(cluster), field="req")
        if any(each.name == req.name for each in cluster.node_pools):
            raise AlreadyExistsError(
                f"Node group '{req.name}' already exists in cluster '{cluster.name}'.", field="name"
            )
        with translate(field="req"):
            operation = self._gke().create_node_pool(parent=self._path(cluster), node_pool=pool, **CALL)
        self._wait(operation, location=cluster.location, what=f"adding node group '{req.name}'", timeout=EARLY_WAIT)
        return self._group(cluster, req.name)

    def remove_node_group(self, *, cluster_iid: IID, node_group_iid: IID) -> None:
        cluster = self._find(cluster_iid)
        if cluster is None:
            return
        for pool in cluster.node_pools:
            if pool.name in (node_group_iid.name_id, node_group_iid.system_id):
                self._remove_pool(cluster, pool.name)

    def _remove_pool(self, cluster: container_v1.Cluster, name: str) -> None:
        try:
            with translate():
                operation = self._gke().delete_node_pool(name=f"{self._path(cluster)}/nodePools/{name}", **CALL)
            self._wait(operation, location=cluster.location, what=f"removing node group '{name}'", timeout=EARLY_WAIT)
        except NotFoundError:
            pass

    def _group(self, cluster: container_v1.Cluster, name: str) -> NodeGroupInfo:
        with translate(field="node_group_iid"):
            pool = self._gke().get_node_pool(name=f"{self._path(cluster)}/nodePools/{name}", **CALL)
        return convert.node_group_info(pool, self._nodes(pool))

    def _pool_of(self, cluster_iid: IID, node_group_iid: IID) -> tuple[container_v1.Cluster, container_v1.NodePool]:
        cluster = self._get(cluster_iid, field="cluster_iid")
        for pool in cluster.node_pools:
            if pool.name in (node_group_iid.name_id, node_group_iid.system_id):
                return cluster, pool
        raise NotFoundError(
            f"Node group '{node_group_iid.name_id or node_group_iid.system_id}' is not in cluster '{cluster.name}'.",
            field="node_group_iid",
        )

    def set_node_group_autoscaling(self, *, cluster_iid: IID, node_group_iid: IID, on: bool) -> NodeGroupInfo:
        cluster, pool = self._pool_of(cluster_iid, node_group_iid)
        size = int(pool.initial_node_count)
        low = int(pool.autoscaling.min_node_count) if pool.autoscaling.enabled else size
        high = int(pool.autoscaling.max_node_count) if pool.autoscaling.enabled else size
        self._set_autoscaling(cluster, pool.name, convert.autoscaling(on, low, high))
        return self._group(cluster, pool.name)

    def change_node_group_scaling(
        self, *, cluster_iid: IID, node_group_iid: IID, desired_node_size: int, min_node_size: int, max_node_size: int
    ) -> NodeGroupInfo:
        cluster, pool = self._pool_of(cluster_iid, node_group_iid)
        wanted = NodeGroupReqInfo(
            name=pool.name,
            spec_name=pool.config.machine_type,
            key_pair_iid=IID(name_id=""),
            desired_node_size=desired_node_size,
            min_node_size=min_node_size,
            max_node_size=max_node_size,
        )
        convert.check_sizes(wanted, field="desired_node_size")
        path = f"{self._path(cluster)}/nodePools/{pool.name}"
        if pool.autoscaling.enabled:
            self._set_autoscaling(cluster, pool.name, convert.autoscaling(True, min_node_size, max_node_size))
        with translate(field="desired_node_size"):
            operation = self._gke().set_node_pool_size(
                request=container_v1.SetNodePoolSizeRequest(name=path, node_count=desired_node_size), **CALL
            )
        self._wait(operation, location=cluster.location, what=f"resizing node group '{pool.name}'", timeout=EARLY_WAIT)
        return self._group(cluster, pool.name)

    def _set_autoscaling(
        self, cluster: container_v1.Cluster, name: str, scaling: container_v1.NodePoolAutoscaling
    ) -> None:
        path = f"{self._path(cluster)}/nodePools/{name}"
        with translate(field="node_group_iid"):
            operation = self._gke().set_node_pool_autoscaling(
                request=container_v1.SetNodePoolAutoscalingRequest(name=path, autoscaling=scaling), **CALL
            )
        self._wait(operation, location=cluster.location, what=f"changing the autoscaling of node group '{name}'")
