"""Network load balancers: one listener in front of a group of VMs, with a health checker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from connections.models import Connection
from connections.services import connection_call
from drivers.errors import AlreadyExistsError
from drivers.interface import CloudConnection
from drivers.types import IID, HealthCheckerInfo, ListenerInfo, NLBInfo, NLBReqInfo, VMGroupInfo, to_jsonable
from resources.models import Kind, Operation, Resource
from resources.operations import Action, operation_create, register_action
from resources.selectors import present
from resources.services import lifecycle, records

FIELDS = {
    "vpc_iid": "vpc",
    "listener": "listener",
    "vm_group": "vm_group",
    "health_checker": "health_checker",
    "vm_iids": "vms",
    "iid": "name",
    "nlb_iid": "name",
}
PARTS = ("listener", "vm_group", "health_checker")


def _vm_ids(connection: Connection, names: Sequence[str], field: str) -> list[int]:
    return [
        records.reference(connection=connection, kind=Kind.VM, name=name, field=f"{field}[{i}]").pk
        for i, name in enumerate(names)
    ]


def nlb_create(
    *,
    connection: Connection,
    user: Any,
    name: str,
    vpc: str,
    nlb_type: str,
    scope: str,
    listener: Mapping[str, Any],
    vm_group: Mapping[str, Any],
    health_checker: Mapping[str, Any],
    tags: Mapping[str, str] | None = None,
) -> Operation:
    records.require(connection, "nlb")
    vpc_record = records.reference(connection=connection, kind=Kind.VPC, name=vpc, field="vpc")
    vms = _vm_ids(connection, vm_group.get("vms", []), "vm_group.vms")
    with transaction.atomic():
        record = records.reserve(
            connection=connection, kind=Kind.NLB, name=name, parent=vpc_record, tags=dict(tags or {})
        )
        record.info = {
            "vpc_iid": {"name_id": vpc_record.cloud_name, "system_id": vpc_record.system_id},
            "type": nlb_type,
            "scope": scope,
            "listener": dict(listener),
            "vm_group": {**{k: v for k, v in vm_group.items() if k != "vms"}, "vm_iids": []},
            "health_checker": dict(health_checker),
        }
        record.save(update_fields=["info", "updated_at"])
        return operation_create(
            action="nlb.create",
            connection=connection,
            user=user,
            target_kind=Kind.NLB,
            target_name=name,
            resource=record,
            params={
                "type": nlb_type,
                "scope": scope,
                "listener": dict(listener),
                "vm_group": {k: v for k, v in vm_group.items() if k != "vms"},
                "vms": vms,
                "health_checker": dict(health_checker),
                "tags": dict(tags or {}),
            },
        )


def nlb_delete(*, connection: Connection, user: Any, name: str) -> Operation:
    records.require(connection, "nlb")
    record = records.record_get(connection=connection, kind=Kind.NLB, name=name)
    with transaction.atomic():
        records.mark_deleting(record)
        return operation_create(
            action="nlb.delete",
            connection=connection,
            user=user,
            target_kind=Kind.NLB,
            target_name=name,
            resource=record,
        )


def nlb_vms_change(*, connection: Connection, user: Any, name: str, vms: Sequence[str], add: bool) -> Operation:
    records.require(connection, "nlb", "add_vms" if add else "remove_vms")
    record = records.reference(connection=connection, kind=Kind.NLB, name=name, field="name")
    return operation_create(
        action="nlb.add_vms" if add else "nlb.remove_vms",
        connection=connection,
        user=user,
        target_kind=Kind.NLB,
        target_name=name,
        resource=record,
        params={"vms": _vm_ids(connection, vms, "vms")},
    )


def nlb_change(*, connection: Connection, user: Any, name: str, part: str, values: Mapping[str, Any]) -> Operation:
    records.require(connection, "nlb", f"change_{part}")
    record = records.reference(connection=connection, kind=Kind.NLB, name=name, field="name")
    return operation_create(
        action="nlb.change",
        connection=connection,
        user=user,
        target_kind=Kind.NLB,
        target_name=name,
        resource=record,
        params={"part": part, "values": dict(values)},
    )


def nlb_health(*, connection: Connection, name: str) -> dict[str, Any]:
    records.require(connection, "nlb", "get_health")
    record = records.reference(connection=connection, kind=Kind.NLB, name=name, field="name")
    health = connection_call(
        connection=connection, call=lambda cloud: cloud.nlb().get_health(nlb_iid=records.iid_of(record))
    )
    names = records.name_map(connection, [Kind.VM])

    def named(iids: Sequence[IID]) -> list[str]:
        return [names.get((Kind.VM, iid.system_id), iid.name_id or iid.system_id) for iid in iids]

    return {
        "name": record.name,
        "system_id": record.system_id,
        "all": named(health.all_vms),
        "healthy": named(health.healthy_vms),
        "unhealthy": named(health.unhealthy_vms),
    }


# --- task time --------------------------------------------------------------------------------------


def apply_nlb(record: Resource, info: NLBInfo) -> None:
    records.apply_info(record, to_jsonable(info), system_id=info.iid.system_id, status="Available")


def _vm_iids(pks: Sequence[int]) -> tuple[IID, ...]:
    found = Resource.objects.in_bulk(list(pks))
    return tuple(records.iid_of(found[pk]) for pk in pks)


def _part(part: str, values: Mapping[str, Any], vms: Sequence[int] = ()) -> Any:
    if part == "listener":
        return ListenerInfo(protocol=values["protocol"], port=values["port"])
    if part == "vm_group":
        return VMGroupInfo(protocol=values["protocol"], port=values["port"], vm_iids=_vm_iids(vms))
    return HealthCheckerInfo(
        protocol=values["protocol"],
        port=values["port"],
        interval_s=values["interval_s"],
        timeout_s=values["timeout_s"],
        threshold=values["threshold"],
    )


def _answer(record: Resource) -> dict[str, Any]:
    record = Resource.objects.select_related("connection").get(pk=record.pk)
    return present(record, connection=record.connection)


def _run_create(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation, "parent")
    assert record.parent is not None
    params = operation.params
    req = NLBReqInfo(
        name=record.cloud_name,
        vpc_iid=records.iid_of(record.parent),
        type=params["type"],
        scope=params["scope"],
        listener=_part("listener", params["listener"]),
        vm_group=_part("vm_group", params["vm_group"], params["vms"]),
        health_checker=_part("health_checker", params["health_checker"]),
        tags=params["tags"],
    )
    try:
        info = cloud.nlb().create_nlb(req=req)
    except AlreadyExistsError:
        info = cloud.nlb().get_nlb(iid=IID(name_id=record.cloud_name))
    apply_nlb(record, info)
    return _answer(record)


def _run_vms(operation: Operation, cloud: CloudConnection, *, add: bool) -> dict[str, Any]:
    record = records.record_of(operation)
    handler = cloud.nlb()
    change = handler.add_vms if add else handler.remove_vms
    apply_nlb(record, change(nlb_iid=records.iid_of(record), vm_iids=_vm_iids(operation.params["vms"])))
    return _answer(record)


def _run_change(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation)
    handler = cloud.nlb()
    part, values, iid = operation.params["part"], operation.params["values"], records.iid_of(record)
    if part == "listener":
        info = handler.change_listener(nlb_iid=iid, listener=_part(part, values))
    elif part == "vm_group":
        current = [vm["system_id"] for vm in (record.info.get("vm_group") or {}).get("vm_iids", [])]
        pks = list(
            Resource.objects.filter(
                connection_id=record.connection_id, kind=Kind.VM, system_id__in=current
            ).values_list("pk", flat=True)
        )
        info = handler.change_vm_group(nlb_iid=iid, vm_group=_part(part, values, pks))
    else:
        info = handler.change_health_checker(nlb_iid=iid, health_checker=_part(part, values))
    apply_nlb(record, info)
    return _answer(record)


def _delete_at_cloud(cloud: CloudConnection, iid: IID) -> None:
    cloud.nlb().delete_nlb(iid=iid)


def _cleanup_create(operation: Operation) -> None:
    lifecycle.drop_failed_create(operation, _delete_at_cloud)


register_action(Action(name="nlb.create", run=_run_create, cleanup=_cleanup_create, fields=FIELDS))
register_action(
    Action(
        name="nlb.delete",
        run=lifecycle.deleting(_delete_at_cloud),
        cleanup=lifecycle.restore_after_failed_change,
        fields=FIELDS,
    )
)
register_action(Action(name="nlb.add_vms", run=lambda op, cloud: _run_vms(op, cloud, add=True), fields=FIELDS))
register_action(Action(name="nlb.remove_vms", run=lambda op, cloud: _run_vms(op, cloud, add=False), fields=FIELDS))
register_action(Action(name="nlb.change", run=_run_change, fields=FIELDS))
