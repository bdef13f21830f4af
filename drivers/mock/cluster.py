"""Managed Kubernetes clusters in the mock cloud.

A cluster lives in one VPC (on at least one of its subnets, with security groups of that VPC)
and runs one of `K8S_VERSIONS`. It is Creating for `cluster_settle_seconds`, then Active, with
an API endpoint and a kubeconfig. Upgrades go up one minor version at a time and keep the
cluster Updating for `cluster_settle_seconds`. Node groups are Creating as long as a cluster,
and Updating for `settle_seconds` after a change of size or autoscaling. Like EKS, a cluster or
node group refuses a change while another one is in progress; deleting is always possible and
takes the node groups along.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from drivers.errors import InvalidRequestError, InvalidStateError, QuotaError
from drivers.mock import _catalogue
from drivers.mock._common import Record, check_new_name, check_tags, find, get, iid_of, new_id, table, timestamp
from drivers.mock._context import Context
from drivers.mock._node_group import check_sizes, new_node_group, node_group_info, node_group_status
from drivers.mock._relations import current
from drivers.mock._store import Doc
from drivers.types import IID, ClusterInfo, ClusterReqInfo, ClusterStatus, NodeGroupInfo, NodeGroupReqInfo

T = TypeVar("T")
MAX_NODE_GROUPS = 10


def cluster_status(record: Mapping[str, Any], now: float) -> ClusterStatus:
    return ClusterStatus(current(record, now))


def _endpoint(record: Mapping[str, Any], region: str) -> str:
    return f"https://{record['id']}.k8s.{region}.mockcloud.test"


def kubeconfig(record: Mapping[str, Any], region: str) -> str:
    # JSON strings are valid YAML double-quoted scalars, so any printable name is quoted safely.
    name, user = json.dumps(record["name"]), json.dumps(f"{record['name']}-admin")
    return (
        "apiVersion: v1\n"
        "kind: Config\n"
        "clusters:\n"
        f"- name: {name}\n"
        "  cluster:\n"
        f"    server: {_endpoint(record, region)}\n"
        f"    certificate-authority-data: {record['ca']}\n"
        "contexts:\n"
        f"- name: {name}\n"
        "  context:\n"
        f"    cluster: {name}\n"
        f"    user: {user}\n"
        f"current-context: {name}\n"
        "users:\n"
        f"- name: {user}\n"
        "  user:\n"
        f"    token: {record['token']}\n"
    )


def cluster_info(record: Mapping[str, Any], doc: Doc, *, region: str, now: float) -> ClusterInfo:
    status = cluster_status(record, now)
    vpc = table(doc, "vpcs").get(record["vpc_id"])
    subnets = {subnet["id"]: subnet for subnet in vpc["subnets"]} if vpc else {}
    groups = table(doc, "security_groups")
    ready = status != ClusterStatus.CREATING
    extra = {"platform": "mock-kubernetes"}
    if status == ClusterStatus.UPDATING and record.get("upgrading_from"):
        extra["upgrading_from"] = record["upgrading_from"]
    return ClusterInfo(
        iid=iid_of(record),
        vpc_iid=iid_of(vpc) if vpc else IID(name_id="", system_id=record["vpc_id"]),
        status=status,
        version=record["version"],
        subnet_iids=tuple(
            iid_of(subnets[ident]) if ident in subnets else IID(name_id="", system_id=ident)
            for ident in record["subnet_ids"]
        ),
        security_group_iids=tuple(
            iid_of(groups[ident]) if ident in groups else IID(name_id="", system_id=ident) for ident in record["sg_ids"]
        ),
        node_groups=tuple(node_group_info(group, doc, cluster=record, now=now) for group in record["node_groups"]),
        endpoint=_endpoint(record, region) if ready else "",
        kubeconfig=kubeconfig(record, region) if ready else "",
        created_at=timestamp(record["created_at"]),
        tags=record["tags"],
        extra=extra,
    )


def _version(version: str) -> str:
    chosen = version or _catalogue.DEFAULT_K8S_VERSION
    if chosen not in _catalogue.K8S_VERSIONS:
        raise InvalidRequestError(
            f"Kubernetes version {chosen!r} is not offered (versions: {', '.join(_catalogue.K8S_VERSIONS)}).",
            field="version",
        )
    return chosen


def _require_active(cluster: Mapping[str, Any], now: float, *, doing: str) -> None:
    status = cluster_status(cluster, now)
    if status != ClusterStatus.ACTIVE:
        raise InvalidStateError(f"Cannot {doing}: cluster '{cluster['name']}' is {status}; wait until it is Active.")


def _require_group_active(cluster: Mapping[str, Any], group: Mapping[str, Any], now: float, *, doing: str) -> None:
    _require_active(cluster, now, doing=doing)
    status = node_group_status(group, now)
    if status != ClusterStatus.ACTIVE:
        raise InvalidStateError(f"Cannot {doing}: node group '{group['name']}' is {status}; wait until it is Active.")


class MockClusterHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def create_cluster(self, *, req: ClusterReqInfo) -> ClusterInfo:
        self._cx.enter()
        version = _version(req.version)
        tags = check_tags(req.tags)
        if not req.subnet_iids:
            raise InvalidRequestError("A cluster needs at least one subnet of its VPC.", field="subnet_iids")
        if len(req.node_groups) > MAX_NODE_GROUPS:
            raise QuotaError(f"A cluster has at most {MAX_NODE_GROUPS} node groups.", field="node_groups")

        def change(doc: Doc) -> ClusterInfo:
            clusters = table(doc, "clusters")
            check_new_name(clusters.values(), req.name, what="cluster")
            vpc = get(table(doc, "vpcs").values(), req.vpc_iid, what="VPC", field="vpc_iid")
            subnet_ids: list[str] = []
            for index, iid in enumerate(req.subnet_iids):
                subnet = get(vpc["subnets"], iid, what=f"Subnet of VPC '{vpc['name']}'", field=f"subnet_iids[{index}]")
                if subnet["id"] not in subnet_ids:
                    subnet_ids.append(subnet["id"])
            sg_ids: list[str] = []
            for index, iid in enumerate(req.security_group_iids):
                field = f"security_group_iids[{index}]"
                group = get(table(doc, "security_groups").values(), iid, what="Security group", field=field)
                if group["vpc_id"] != vpc["id"]:
                    raise InvalidRequestError(
                        f"Security group '{group['name']}' belongs to another VPC than '{vpc['name']}'.", field=field
                    )
                if group["id"] not in sg_ids:
                    sg_ids.append(group["id"])
            now = time.time()
            settles_at = now + self._cx.cluster_settle_seconds
            node_groups: list[Record] = []
            for index, group_req in enumerate(req.node_groups):
                node_groups.append(
                    new_node_group(
                        doc,
                        group_req,
                        node_groups,
                        region=self._cx.region,
                        prefix=f"node_groups[{index}].",
                        settles_at=settles_at,
                    )
                )
            record: Record = {
                "id": new_id("cls"),
                "name": req.name,
                "vpc_id": vpc["id"],
                "subnet_ids": subnet_ids,
                "sg_ids": sg_ids,
                "version": version,
                "node_groups": node_groups,
                "token": secrets.token_urlsafe(32),
                "ca": base64.b64encode(b"mock-cluster-ca:" + secrets.token_bytes(48)).decode(),
                "tags": tags,
                "created_at": now,
                "state": ClusterStatus.ACTIVE.value,
                "transition": ClusterStatus.CREATING.value,
                "settles_at": settles_at,
            }
            clusters[record["id"]] = record
            return cluster_info(record, doc, region=self._cx.region, now=now)

        return self._cx.update(change)

    def list_clusters(self) -> list[ClusterInfo]:
        self._cx.enter()
        doc, now = self._cx.read(), time.time()
        records = sorted(table(doc, "clusters").values(), key=lambda r: r["name"])
        return [cluster_info(record, doc, region=self._cx.region, now=now) for record in records]

    def get_cluster(self, *, iid: IID) -> ClusterInfo:
        self._cx.enter()
        doc = self._cx.read()
        record = get(table(doc, "clusters").values(), iid, what="Cluster")
        return cluster_info(record, doc, region=self._cx.region, now=time.time())

    def delete_cluster(self, *, iid: IID) -> None:
        """Delete the cluster with its node groups, whatever it is doing (idempotent)."""
        self._cx.enter()

        def change(doc: Doc) -> None:
            clusters = table(doc, "clusters")
            record = find(clusters.values(), iid)
            if record is not None:
                del clusters[record["id"]]

        self._cx.update(change)

    def add_node_group(self, *, cluster_iid: IID, req: NodeGroupReqInfo) -> NodeGroupInfo:
        self._cx.enter()

        def change(doc: Doc, cluster: Record, now: float) -> NodeGroupInfo:
            _require_active(cluster, now, doing=f"add node group '{req.name}'")
            if len(cluster["node_groups"]) >= MAX_NODE_GROUPS:
                raise QuotaError(f"Cluster '{cluster['name']}' already has {MAX_NODE_GROUPS} node groups.")
            settles_at = now + self._cx.cluster_settle_seconds
            group = new_node_group(
                doc, req, cluster["node_groups"], region=self._cx.region, prefix="", settles_at=settles_at
            )
            cluster["node_groups"].append(group)
            return node_group_info(group, doc, cluster=cluster, now=now)

        return self._change(cluster_iid, change)

    def remove_node_group(self, *, cluster_iid: IID, node_group_iid: IID) -> None:
        """Remove a node group; an absent cluster or group counts as removed. A group still being
        created or changed cannot be removed until that is done."""
        self._cx.enter()

        def change(doc: Doc) -> None:
            cluster = find(table(doc, "clusters").values(), cluster_iid)
            group = None if cluster is None else find(cluster["node_groups"], node_group_iid)
            if cluster is None or group is None:
                return
            _require_group_active(cluster, group, time.time(), doing=f"remove node group '{group['name']}'")
            cluster["node_groups"].remove(group)

        self._cx.update(change)

    def set_node_group_autoscaling(self, *, cluster_iid: IID, node_group_iid: IID, on: bool) -> NodeGroupInfo:
        self._cx.enter()
        if not isinstance(on, bool):
            raise InvalidRequestError(f"Autoscaling must be on or off (true or false), not {on!r}.", field="on")

        def change(group: Record) -> None:
            group["autoscaling"] = on

        return self._change_group(cluster_iid, node_group_iid, "switch autoscaling of", change)

    def change_node_group_scaling(
        self, *, cluster_iid: IID, node_group_iid: IID, desired_node_size: int, min_node_size: int, max_node_size: int
    ) -> NodeGroupInfo:
        self._cx.enter()
        desired, low, high = check_sizes(desired_node_size, min_node_size, max_node_size)

        def change(group: Record) -> None:
            group.update(desired=desired, min=low, max=high)

        return self._change_group(cluster_iid, node_group_iid, "resize", change)

    def upgrade_cluster(self, *, cluster_iid: IID, version: str) -> ClusterInfo:
        """Upgrade to the next minor version; the node groups follow."""
        self._cx.enter()
        if not version:
            raise InvalidRequestError("Name the Kubernetes version to upgrade to.", field="version")
        target = _version(version)

        def change(doc: Doc, cluster: Record, now: float) -> ClusterInfo:
            _require_active(cluster, now, doing=f"upgrade to {target}")
            versions = _catalogue.K8S_VERSIONS
            position, wanted = versions.index(cluster["version"]), versions.index(target)
            if wanted <= position:
                raise InvalidRequestError(
                    f"Cluster '{cluster['name']}' runs {cluster['version']}; it can only be upgraded, not to {target}.",
                    field="version",
                )
            if wanted > position + 1:
                raise InvalidRequestError(
                    f"Upgrade one minor version at a time: {cluster['version']} to {versions[position + 1]} first.",
                    field="version",
                )
            busy = [
                group["name"]
                for group in cluster["node_groups"]
                if node_group_status(group, now) != ClusterStatus.ACTIVE
            ]
            if busy:
                raise InvalidStateError(f"Cannot upgrade while node groups change: {', '.join(busy)}.")
            settles_at = now + self._cx.cluster_settle_seconds
            cluster.update(
                upgrading_from=cluster["version"],
                version=target,
                transition=ClusterStatus.UPDATING.value,
                settles_at=settles_at,
            )
            for group in cluster["node_groups"]:
                group.update(transition=ClusterStatus.UPDATING.value, settles_at=settles_at)
            return cluster_info(cluster, doc, region=self._cx.region, now=now)

        return self._change(cluster_iid, change)

    def _change(self, cluster_iid: IID, change: Callable[[Doc, Record, float], T]) -> T:
        def apply(doc: Doc) -> T:
            cluster = get(table(doc, "clusters").values(), cluster_iid, what="Cluster", field="cluster_iid")
            return change(doc, cluster, time.time())

        return self._cx.update(apply)

    def _change_group(
        self, cluster_iid: IID, node_group_iid: IID, doing: str, change: Callable[[Record], None]
    ) -> NodeGroupInfo:
        def apply(doc: Doc, cluster: Record, now: float) -> NodeGroupInfo:
            group = get(
                cluster["node_groups"],
                node_group_iid,
                what=f"Node group of cluster '{cluster['name']}'",
                field="node_group_iid",
            )
            _require_group_active(cluster, group, now, doing=f"{doing} node group '{group['name']}'")
            change(group)
            group.update(transition=ClusterStatus.UPDATING.value, settles_at=now + self._cx.settle_seconds)
            return node_group_info(group, doc, cluster=cluster, now=now)

        return self._change(cluster_iid, apply)
