"""Managed Kubernetes clusters and their node groups.

Creating and upgrading take minutes at a real cloud: the operation keeps running (with heartbeats)
until the cluster is Active again, so its state shows the progress and a waiting request answers
202 with the operation when it takes longer than the wait.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from connections.models import Connection
from connections.services import connection_call
from drivers.errors import AlreadyExistsError
from drivers.interface import CloudConnection
from drivers.types import IID, ClusterInfo, ClusterReqInfo, ClusterStatus, NodeGroupReqInfo, to_jsonable
from resources.models import Kind, Operation, OperationState, Resource
from resources.operations import Action, operation_create, register_action
from resources.selectors import present
from resources.services import lifecycle, records
from resources.services.naming import cloud_name_for
from spiderweb.errors import InvalidInput, NotFound

FIELDS = {
    "vpc_iid": "vpc",
    "subnet_iids": "subnets",
    "security_group_iids": "security_groups",
    "node_groups": "node_groups",
    "version": "version",
    "iid": "name",
    "cluster_iid": "name",
    "node_group_iid": "node_group",
    "spec_name": "spec",
    "key_pair_iid": "key_pair",
}
POLL_SECONDS = 2.0


def _node_group_params(connection: Connection, group: Mapping[str, Any], field: str) -> dict[str, Any]:
    key = records.reference(
        connection=connection, kind=Kind.KEY_PAIR, name=group["key_pair"], field=f"{field}.key_pair"
    )
    if not group["min_node_size"] <= group["desired_node_size"] <= group["max_node_size"]:
        raise InvalidInput("sizes must keep min <= desired <= max", field=f"{field}.desired_node_size")
    return {
        **{k: v for k, v in group.items() if k != "key_pair"},
        "key_pair": key.pk,
        "cloud_name": cloud_name_for(group["name"]),
    }


def _node_group_request(params: Mapping[str, Any]) -> NodeGroupReqInfo:
    key = Resource.objects.get(pk=params["key_pair"])
    return NodeGroupReqInfo(
        name=params["cloud_name"],
        spec_name=params["spec"],
        key_pair_iid=records.iid_of(key),
        image_iid=IID(name_id=params["image"], system_id=params["image"]) if params.get("image") else None,
        root_disk_type=params.get("root_disk_type", ""),
        root_disk_size_gb=params.get("root_disk_size_gb", 0),
        on_auto_scaling=params["on_auto_scaling"],
        min_node_size=params["min_node_size"],
        desired_node_size=params["desired_node_size"],
        max_node_size=params["max_node_size"],
    )


def cluster_create(
    *,
    connection: Connection,
    user: Any,
    name: str,
    vpc: str,
    version: str = "",
    subnets: Sequence[str] = (),
    security_groups: Sequence[str] = (),
    node_groups: Sequence[Mapping[str, Any]] = (),
    tags: Mapping[str, str] | None = None,
) -> Operation:
    records.require(connection, "cluster")
    vpc_record = records.reference(connection=connection, kind=Kind.VPC, name=vpc, field="vpc")
    subnet_ids = [
        records.reference(connection=connection, kind=Kind.SUBNET, name=s, field=f"subnets[{i}]", parent=vpc_record).pk
        for i, s in enumerate(subnets)
    ]
    sg_ids = [
        records.reference(connection=connection, kind=Kind.SECURITY_GROUP, name=g, field=f"security_groups[{i}]").pk
        for i, g in enumerate(security_groups)
    ]
    groups = [_node_group_params(connection, group, f"node_groups[{i}]") for i, group in enumerate(node_groups)]
    with transaction.atomic():
        record = records.reserve(
            connection=connection, kind=Kind.CLUSTER, name=name, parent=vpc_record, tags=dict(tags or {})
        )
        record.status = str(ClusterStatus.CREATING)
        record.info = {
            "vpc_iid": {"name_id": vpc_record.cloud_name, "system_id": vpc_record.system_id},
            "version": version,
            "node_group_names": {g["cloud_name"]: g["name"] for g in groups},
        }
        record.save(update_fields=["status", "info", "updated_at"])
        return operation_create(
            action="cluster.create",
            connection=connection,
            user=user,
            target_kind=Kind.CLUSTER,
            target_name=name,
            resource=record,
            params={
                "version": version,
                "subnets": subnet_ids,
                "security_groups": sg_ids,
                "node_groups": groups,
                "tags": dict(tags or {}),
            },
        )


def cluster_delete(*, connection: Connection, user: Any, name: str) -> Operation:
    records.require(connection, "cluster")
    record = records.record_get(connection=connection, kind=Kind.CLUSTER, name=name)
    with transaction.atomic():
        records.mark_deleting(record)
        return operation_create(
            action="cluster.delete",
            connection=connection,
            user=user,
            target_kind=Kind.CLUSTER,
            target_name=name,
            resource=record,
        )


def cluster_change(*, connection: Connection, user: Any, cluster: str, change: str, **values: Any) -> Operation:
    """Node group add/remove, autoscaling, sizes, or a version upgrade, as one operation."""
    records.require(connection, "cluster", change)
    record = records.reference(connection=connection, kind=Kind.CLUSTER, name=cluster, field="name")
    if change == "add_node_group":
        values = _node_group_params(connection, values, "")
        names = dict(record.info.get("node_group_names") or {})
        names[values["cloud_name"]] = values["name"]
        Resource.objects.filter(pk=record.pk).update(info={**record.info, "node_group_names": names})
    elif "node_group" in values:
        values["node_group"] = _node_group_cloud_name(record, values["node_group"])
    return operation_create(
        action="cluster.change",
        connection=connection,
        user=user,
        target_kind=Kind.CLUSTER,
        target_name=cluster,
        resource=record,
        params={"change": change, "values": values},
    )


def _node_group_cloud_name(record: Resource, name: str) -> str:
    for cloud_name, user_name in (record.info.get("node_group_names") or {}).items():
        if user_name == name:
            return str(cloud_name)
    raise NotFound(f"cluster {record.name!r} has no node group {name!r}", field="node_group")


def cluster_kubeconfig(*, connection: Connection, name: str) -> dict[str, str]:
    records.require(connection, "cluster")
    record = records.reference(connection=connection, kind=Kind.CLUSTER, name=name, field="name")
    info = connection_call(
        connection=connection, call=lambda cloud: cloud.cluster().get_cluster(iid=records.iid_of(record))
    )
    return {
        "name": record.name,
        "system_id": record.system_id,
        "endpoint": info.endpoint,
        "kubeconfig": info.kubeconfig,
    }


# --- task time --------------------------------------------------------------------------------------


def apply_cluster(record: Resource, info: ClusterInfo) -> None:
    data = to_jsonable(info)
    data.pop("kubeconfig", None)  # handed out by its own endpoint, not kept in every answer
    data["node_group_names"] = (record.info or {}).get("node_group_names", {})
    records.apply_info(record, data, system_id=info.iid.system_id, status=str(info.status))


def _settled(info: ClusterInfo) -> bool:
    """Active throughout, or stuck: an Inactive (failed) cluster or node group will not become Active by
    waiting, so the operation ends and the record shows it."""
    statuses = {info.status, *(g.status for g in info.node_groups)}
    return statuses == {ClusterStatus.ACTIVE} or ClusterStatus.INACTIVE in statuses


def _settle(operation: Operation, cloud: CloudConnection, record: Resource, info: ClusterInfo) -> ClusterInfo:
    """Poll until the cluster and its node groups are Active again, beating the operation's heart meanwhile."""
    deadline = time.monotonic() + settings.SPIDERWEB_CLUSTER_WAIT_SECONDS
    while not _settled(info) and time.monotonic() < deadline:
        apply_cluster(record, info)
        Operation.objects.filter(pk=operation.pk, state=OperationState.RUNNING).update(heartbeat_at=timezone.now())
        time.sleep(min(POLL_SECONDS, settings.SPIDERWEB_CLUSTER_POLL_SECONDS))
        info = cloud.cluster().get_cluster(iid=records.iid_of(record))
    return info


def _answer(record: Resource) -> dict[str, Any]:
    record = Resource.objects.select_related("connection").get(pk=record.pk)
    return present(record, connection=record.connection)


def _run_create(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation, "parent")
    assert record.parent is not None
    params = operation.params
    found = Resource.objects.in_bulk([*params["subnets"], *params["security_groups"]])
    req = ClusterReqInfo(
        name=record.cloud_name,
        vpc_iid=records.iid_of(record.parent),
        version=params["version"],
        subnet_iids=tuple(records.iid_of(found[pk]) for pk in params["subnets"]),
        security_group_iids=tuple(records.iid_of(found[pk]) for pk in params["security_groups"]),
        node_groups=tuple(_node_group_request(group) for group in params["node_groups"]),
        tags=params["tags"],
    )
    try:
        info = cloud.cluster().create_cluster(req=req)
    except AlreadyExistsError:
        info = cloud.cluster().get_cluster(iid=IID(name_id=record.cloud_name))
    apply_cluster(record, _settle(operation, cloud, record, info))
    return _answer(record)


def _run_change(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation)
    handler, iid = cloud.cluster(), records.iid_of(record)
    change, values = operation.params["change"], operation.params["values"]
    group = IID(name_id=values.get("node_group", ""))
    if change == "add_node_group":
        handler.add_node_group(cluster_iid=iid, req=_node_group_request(values))
    elif change == "remove_node_group":
        handler.remove_node_group(cluster_iid=iid, node_group_iid=group)
    elif change == "set_node_group_autoscaling":
        handler.set_node_group_autoscaling(cluster_iid=iid, node_group_iid=group, on=values["on"])
    elif change == "change_node_group_scaling":
        handler.change_node_group_scaling(
            cluster_iid=iid,
            node_group_iid=group,
            desired_node_size=values["desired_node_size"],
            min_node_size=values["min_node_size"],
            max_node_size=values["max_node_size"],
        )
    elif change == "upgrade_cluster":
        handler.upgrade_cluster(cluster_iid=iid, version=values["version"])
    apply_cluster(record, _settle(operation, cloud, record, handler.get_cluster(iid=iid)))
    return _answer(record)


def _delete_at_cloud(cloud: CloudConnection, iid: IID) -> None:
    cloud.cluster().delete_cluster(iid=iid)


def _cleanup_create(operation: Operation) -> None:
    lifecycle.drop_failed_create(operation, _delete_at_cloud)


register_action(Action(name="cluster.create", run=_run_create, cleanup=_cleanup_create, fields=FIELDS))
register_action(
    Action(
        name="cluster.delete",
        run=lifecycle.deleting(_delete_at_cloud),
        cleanup=lifecycle.restore_after_failed_change,
        fields=FIELDS,
    )
)
register_action(Action(name="cluster.change", run=_run_change, fields=FIELDS))
