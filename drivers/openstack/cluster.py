"""Kubernetes clusters on Magnum (container-infra API v1), where the profile and the catalogue offer it.

A cluster is made from a Kubernetes cluster template the operator publishes for the requested
version (its `kube_tag` label); the request's network, subnet, flavor and key pair override the
template's per cluster. Magnum gives every cluster a `default-master` and a `default-worker`
nodegroup: the master group is not shown, the first requested node group is the default worker
(its Spiderweb name kept in a label), and the others are Magnum nodegroups. Magnum refuses node
group changes while a cluster is being created, so the further requested groups are kept in a
label and created on the first read that finds the cluster CREATE_COMPLETE (a state a cluster
leaves for good once anything changes). Magnum cannot delete a default nodegroup: removing the
default worker scales it to 0 nodes, and a default worker of 0 nodes is not shown.

Security groups: Magnum makes its own for the cluster's nodes; the requested groups are recorded
in a label (and protected from deletion while the cluster exists), not attached.
"""

from __future__ import annotations

from typing import Any

from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.openstack import _magnum as m
from drivers.openstack._common import check_name, check_tags
from drivers.openstack._errors import translate
from drivers.openstack._kubeconfig import kubeconfig
from drivers.openstack._session import Clouds
from drivers.openstack.key_pair import OpenStackKeyPairHandler
from drivers.openstack.security_group import OpenStackSecurityGroupHandler
from drivers.openstack.vpc import OpenStackVPCHandler
from drivers.types import IID, ClusterInfo, ClusterReqInfo, ClusterStatus, NodeGroupInfo, NodeGroupReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}
DEFAULT_WORKER = "default-worker"


class OpenStackClusterHandler:
    def __init__(self, clouds: Clouds) -> None:
        self._c = clouds
        self._m = m.Magnum(clouds)

    # --- lookups -------------------------------------------------------------------------------

    def _templates(self) -> list[dict[str, Any]]:
        answer = self._m.call("GET", "/clustertemplates")
        return [t for t in answer.get("clustertemplates", []) if t.get("coe") == "kubernetes" and m.version_of(t)]

    def _template_for(self, version: str) -> dict[str, Any]:
        templates = sorted(self._templates(), key=lambda t: m.version_key(m.version_of(t)), reverse=True)
        found = [t for t in templates if not version or m.matches(t, version)]
        if not found:
            offered = ", ".join(sorted({m.version_of(t) for t in templates}, key=m.version_key)) or "none"
            raise InvalidRequestError(
                f"No Kubernetes cluster template of version '{version}' is published (versions: {offered}).",
                field="version",
            )
        return found[0]

    def _find(self, iid: IID) -> dict[str, Any]:
        ident = iid.system_id or iid.name_id
        try:
            cluster: dict[str, Any] = self._m.call("GET", f"/clusters/{ident}")
        except NotFoundError:
            raise NotFoundError(f"Cluster '{iid.name_id or ident}' does not exist.") from None
        return cluster

    def _nodegroups(self, cluster: dict[str, Any]) -> list[dict[str, Any]]:
        answer = self._m.call("GET", f"/clusters/{cluster['uuid']}/nodegroups")
        return [g for g in answer.get("nodegroups", []) if g.get("role") != "master"]

    def _group_of(self, cluster: dict[str, Any], iid: IID) -> dict[str, Any]:
        labels = cluster.get("labels") or {}
        for group in self._nodegroups(cluster):
            name = self._group_name(group, labels)
            removed = group.get("is_default") and int(group.get("node_count") or 0) == 0
            if not removed and (iid.system_id == group.get("uuid") or (not iid.system_id and iid.name_id == name)):
                return group
        raise NotFoundError(f"Node group '{iid.name_id or iid.system_id}' does not exist in '{cluster['name']}'.")

    @staticmethod
    def _group_name(group: dict[str, Any], labels: dict[str, str]) -> str:
        if group.get("is_default") and labels.get(m.DEFAULT_GROUP_LABEL):
            return str(labels[m.DEFAULT_GROUP_LABEL])
        return str(group.get("name") or "")

    # --- conversion ----------------------------------------------------------------------------

    def _group_info(self, group: dict[str, Any], cluster: dict[str, Any]) -> NodeGroupInfo:
        labels = cluster.get("labels") or {}
        size = int(group.get("node_count") or 0)
        low = int(group.get("min_node_count") or 0)
        high = group.get("max_node_count")
        autoscaler = str(labels.get(m.AUTOSCALER_LABEL, "")).lower() == "true"
        return NodeGroupInfo(
            iid=IID(name_id=self._group_name(group, labels), system_id=str(group.get("uuid") or "")),
            spec_name=str(group.get("flavor_id") or cluster.get("flavor_id") or ""),
            key_pair_iid=IID(name_id=str(cluster.get("keypair") or ""), system_id=str(cluster.get("keypair") or "")),
            status=m.status_of(str(group.get("status") or "")),
            image_iid=IID(name_id=str(group["image_id"])) if group.get("image_id") else None,
            root_disk_size_gb=int(group.get("docker_volume_size") or 0),
            on_auto_scaling=autoscaler and high is not None and int(high) > low,
            desired_node_size=size,
            min_node_size=low,
            max_node_size=int(high) if high is not None else size,
            extra={"role": str(group.get("role") or ""), "magnum_status": str(group.get("status") or "")},
        )

    def _pending_info(self, row: dict[str, Any], cluster: dict[str, Any]) -> NodeGroupInfo:
        keypair = str(cluster.get("keypair") or "")
        return NodeGroupInfo(
            iid=IID(name_id=str(row["name"])),
            spec_name=str(row.get("flavor_id") or ""),
            key_pair_iid=IID(name_id=keypair, system_id=keypair),
            status=ClusterStatus.CREATING,
            root_disk_size_gb=int(row.get("docker_volume_size") or 0),
            on_auto_scaling=int(row["max"]) > int(row["min"]),
            desired_node_size=int(row["node_count"]),
            min_node_size=int(row["min"]),
            max_node_size=int(row["max"]),
        )

    def _name_of(self, kind: str, ident: str) -> IID:
        if not ident:
            return IID(name_id="")
        try:
            with translate():
                found = getattr(self._c.network, f"get_{kind}")(ident)
        except NotFoundError:
            return IID(name_id=ident, system_id=ident)
        return IID(name_id=str(found.name or ident), system_id=ident)

    def _info(self, cluster: dict[str, Any], *, with_kubeconfig: bool = False) -> ClusterInfo:
        labels = cluster.get("labels") or {}
        templates = {t["uuid"]: t for t in self._templates()}
        groups = self._nodegroups(cluster)
        infos = [self._group_info(g, cluster) for g in groups if not (g.get("is_default") and not g.get("node_count"))]
        if cluster.get("status") == "CREATE_IN_PROGRESS":
            infos += [self._pending_info(row, cluster) for row in m.pending_groups(labels)]
        sgs = [ident for ident in str(labels.get(m.SG_LABEL) or "").split(",") if ident]
        endpoint = str(cluster.get("api_address") or "")
        status = m.status_of(str(cluster.get("status") or ""))
        config = ""
        if with_kubeconfig and endpoint and status == ClusterStatus.ACTIVE:
            config = kubeconfig(self._m, cluster["uuid"], str(cluster["name"]), endpoint)
        return ClusterInfo(
            iid=m.iid_of(cluster),
            vpc_iid=self._name_of("network", str(cluster.get("fixed_network") or "")),
            status=status,
            version=m.version_of(templates.get(str(cluster.get("cluster_template_id")))),
            subnet_iids=(self._name_of("subnet", str(cluster["fixed_subnet"])),) if cluster.get("fixed_subnet") else (),
            security_group_iids=tuple(self._name_of("security_group", ident) for ident in sgs),
            node_groups=tuple(infos),
            endpoint=endpoint,
            kubeconfig=config,
            created_at=m.parse_time(cluster.get("created_at")),
            tags=m.tags_of(labels),
            extra={
                "magnum_status": str(cluster.get("status") or ""),
                "status_reason": str(cluster.get("status_reason") or ""),
            },
        )

    # --- clusters ------------------------------------------------------------------------------

    def create_cluster(self, *, req: ClusterReqInfo) -> ClusterInfo:
        check_name(req.name)
        check_tags(req.tags)
        names = [group.name for group in req.node_groups]
        for group in req.node_groups:
            check_name(group.name, field="node_groups", what="Node group name")
            m.check_sizes(group)
        if len(set(names)) != len(names):
            raise InvalidRequestError("Node group names must be unique within a cluster.", field="node_groups")
        if any(c.get("name") == req.name for c in self._m.call("GET", "/clusters").get("clusters", [])):
            raise AlreadyExistsError(f"Cluster '{req.name}' already exists.", field="name")
        vpcs = OpenStackVPCHandler(self._c)
        network = vpcs.find_network(req.vpc_iid)
        subnet = vpcs.find_subnet(network, req.subnet_iids[0]) if req.subnet_iids else None
        groups = OpenStackSecurityGroupHandler(self._c)
        sg_ids = [str(groups.find(iid).id) for iid in req.security_group_iids]
        keys = {group.key_pair_iid.system_id or group.key_pair_iid.name_id for group in req.node_groups}
        if len(keys) > 1:
            raise InvalidRequestError("Magnum takes one key pair per cluster.", field="node_groups")
        keypair = str(OpenStackKeyPairHandler(self._c).find(IID(name_id=keys.pop())).name) if keys else ""
        template = self._template_for(req.version)
        labels = {str(k): str(v) for k, v in (template.get("labels") or {}).items()}
        labels.update({f"{m.TAG_PREFIX}{key}": value for key, value in req.tags.items()})
        labels[m.SG_LABEL] = ",".join(sg_ids)
        labels[m.AUTOSCALER_LABEL] = "true" if any(g.on_auto_scaling for g in req.node_groups) else "false"
        body: dict[str, Any] = {
            "name": req.name,
            "cluster_template_id": template["uuid"],
            "master_count": 1,
            "fixed_network": str(network.id),
            "create_timeout": 60,
        }
        if subnet is not None:
            body["fixed_subnet"] = str(subnet.id)
        if keypair:
            body["keypair"] = keypair
        if req.node_groups:
            first = req.node_groups[0]
            low, high = m.bounds(first)
            labels.update({m.DEFAULT_GROUP_LABEL: first.name, "min_node_count": str(low), "max_node_count": str(high)})
            body.update(node_count=first.desired_node_size, flavor_id=first.spec_name)
            body["master_flavor_id"] = str(template.get("master_flavor_id") or first.spec_name)
            if len(req.node_groups) > 1:
                labels[m.PENDING_LABEL] = m.encode_groups(req.node_groups[1:])
        else:
            body["node_count"] = 0
        body["labels"] = labels
        created = self._m.call("POST", "/clusters", body)
        return self._info(self._find(IID(name_id=req.name, system_id=str(created.get("uuid") or ""))))

    def list_clusters(self) -> list[ClusterInfo]:
        rows = self._m.call("GET", "/clusters").get("clusters", [])
        infos = []
        for row in rows:
            try:
                infos.append(self._info(self._find(m.iid_of(row))))
            except NotFoundError:
                continue  # deleted between the list and the read
        return infos

    def get_cluster(self, *, iid: IID) -> ClusterInfo:
        cluster = self._find(iid)
        if cluster.get("status") == "CREATE_COMPLETE" and m.pending_groups(cluster.get("labels") or {}):
            self._create_pending(cluster)
            cluster = self._find(m.iid_of(cluster))
        return self._info(cluster, with_kubeconfig=True)

    def _create_pending(self, cluster: dict[str, Any]) -> None:
        present = {str(g.get("name")) for g in self._nodegroups(cluster)}
        for row in m.pending_groups(cluster.get("labels") or {}):
            if row["name"] in present:
                continue
            body = {
                "name": row["name"],
                "flavor_id": row["flavor_id"],
                "node_count": row["node_count"],
                "min_node_count": row["min"],
                "max_node_count": row["max"],
                "role": "worker",
            }
            if row.get("docker_volume_size"):
                body["docker_volume_size"] = row["docker_volume_size"]
            self._m.call("POST", f"/clusters/{cluster['uuid']}/nodegroups", body)

    def delete_cluster(self, *, iid: IID) -> None:
        try:
            cluster = self._find(iid)
        except NotFoundError:
            return
        try:
            self._m.call("DELETE", f"/clusters/{cluster['uuid']}")
        except NotFoundError:
            return
        self._c.wait_until(lambda: self._gone(cluster), lambda gone: gone, what=f"deleting cluster '{cluster['name']}'")

    def _gone(self, cluster: dict[str, Any]) -> bool:
        try:
            self._find(m.iid_of(cluster))
        except NotFoundError:
            return True
        return False

    def upgrade_cluster(self, *, cluster_iid: IID, version: str) -> ClusterInfo:
        cluster = self._find(cluster_iid)
        template = self._template_for(version)
        if template["uuid"] != cluster.get("cluster_template_id"):
            self._settled(cluster)
            self._m.call("POST", f"/clusters/{cluster['uuid']}/actions/upgrade", {"cluster_template": template["uuid"]})
        return self._info(self._find(m.iid_of(cluster)))

    # --- node groups ---------------------------------------------------------------------------

    def add_node_group(self, *, cluster_iid: IID, req: NodeGroupReqInfo) -> NodeGroupInfo:
        cluster = self._find(cluster_iid)
        check_name(req.name, field="name", what="Node group name")
        m.check_sizes(req)
        low, high = m.bounds(req)
        body: dict[str, Any] = {
            "name": req.name,
            "flavor_id": req.spec_name,
            "node_count": req.desired_node_size,
            "min_node_count": low,
            "max_node_count": high,
            "role": "worker",
        }
        if req.root_disk_size_gb:
            body["docker_volume_size"] = req.root_disk_size_gb
        if req.image_iid is not None:
            body["image_id"] = req.image_iid.system_id or req.image_iid.name_id
        group = self._m.call("POST", f"/clusters/{cluster['uuid']}/nodegroups", body)
        return self._group_info(group, cluster)

    def remove_node_group(self, *, cluster_iid: IID, node_group_iid: IID) -> None:
        try:
            cluster = self._find(cluster_iid)
            group = self._group_of(cluster, node_group_iid)
        except NotFoundError:
            return
        if group.get("is_default"):
            # Magnum refuses to delete a default nodegroup ("Deleting a default nodegroup is not supported").
            self._patch(cluster, group, 0, group.get("max_node_count"))
            self._resize(cluster, group, 0)
            return
        self._settled(cluster)
        try:
            self._m.call("DELETE", f"/clusters/{cluster['uuid']}/nodegroups/{group['uuid']}")
        except NotFoundError:
            return
        self._c.wait_until(
            lambda: group["uuid"] not in {g.get("uuid") for g in self._nodegroups(self._find(m.iid_of(cluster)))},
            lambda gone: gone,
            what=f"removing node group '{node_group_iid.name_id}'",
        )

    def _settled(self, cluster: dict[str, Any]) -> dict[str, Any]:
        """Wait out Magnum's *_IN_PROGRESS: Magnum applies a nodegroup change or a resize only to a settled
        cluster."""
        return self._c.wait_until(
            lambda: self._find(m.iid_of(cluster)),
            lambda current: not str(current.get("status") or "").endswith("_IN_PROGRESS"),
            what=f"cluster '{cluster['name']}' to settle",
        )

    def _patch(self, cluster: dict[str, Any], group: dict[str, Any], low: int, high: Any) -> dict[str, Any]:
        self._settled(cluster)
        ops = [
            {"op": "replace", "path": "/min_node_count", "value": low},
            {"op": "replace", "path": "/max_node_count", "value": high},
        ]
        answer: dict[str, Any] = self._m.call("PATCH", f"/clusters/{cluster['uuid']}/nodegroups/{group['uuid']}", ops)
        return answer

    def _resize(self, cluster: dict[str, Any], group: dict[str, Any], count: int) -> None:
        self._settled(cluster)
        body = {"node_count": count, "nodegroup": group["uuid"]}
        self._m.call("POST", f"/clusters/{cluster['uuid']}/actions/resize", body)

    def set_node_group_autoscaling(self, *, cluster_iid: IID, node_group_iid: IID, on: bool) -> NodeGroupInfo:
        cluster = self._find(cluster_iid)
        group = self._group_of(cluster, node_group_iid)
        info = self._group_info(group, cluster)
        if info.on_auto_scaling == on:
            return info
        size = int(group.get("node_count") or 0)
        if not on:
            self._patch(cluster, group, size, size)
        elif str((cluster.get("labels") or {}).get(m.AUTOSCALER_LABEL, "")).lower() != "true":
            raise InvalidRequestError(
                f"Cluster '{cluster['name']}' was created without Magnum's autoscaler (label auto_scaling_enabled), "
                "and Magnum labels cannot change after creation.",
                field="on",
            )
        else:
            self._patch(cluster, group, min(1, size), max(2, size * 2))
        return self._group_info(self._group_of(cluster, node_group_iid), cluster)

    def change_node_group_scaling(
        self, *, cluster_iid: IID, node_group_iid: IID, desired_node_size: int, min_node_size: int, max_node_size: int
    ) -> NodeGroupInfo:
        cluster = self._find(cluster_iid)
        group = self._group_of(cluster, node_group_iid)
        wanted = NodeGroupReqInfo(
            name=str(group.get("name")),
            spec_name="",
            key_pair_iid=IID(name_id=""),
            desired_node_size=desired_node_size,
            min_node_size=min_node_size,
            max_node_size=max_node_size,
        )
        m.check_sizes(wanted)
        size = int(group.get("node_count") or 0)
        if size != desired_node_size:
            # Magnum refuses a resize outside the group's range: widen it first, then set the asked one.
            high = group.get("max_node_count")
            self._patch(cluster, group, min(min_node_size, size), max(max_node_size, int(high or size), size))
            self._resize(cluster, group, desired_node_size)
        self._patch(cluster, group, min_node_size, max_node_size)
        return self._group_info(self._group_of(cluster, node_group_iid), cluster)
