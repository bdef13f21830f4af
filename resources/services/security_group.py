"""Security groups (each belongs to a VPC) and their rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from connections.models import Connection
from drivers.errors import AlreadyExistsError
from drivers.interface import CloudConnection
from drivers.types import IID, SecurityInfo, SecurityReqInfo, SecurityRule, to_jsonable
from resources.models import Kind, Operation, Resource
from resources.operations import Action, operation_create, register_action
from resources.selectors import present
from resources.services import lifecycle, records, validation

FIELDS = {"vpc_iid": "vpc", "rules": "rules", "sg_iid": "name"}


def rules_params(rules: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Validate rule CIDRs here (ports and enums are the serializer's) and make them task parameters."""
    checked = []
    for index, rule in enumerate(rules):
        validation.ipv4_network(str(rule.get("cidr", "")), field=f"rules[{index}].cidr")
        checked.append(
            {
                "direction": rule["direction"],
                "protocol": rule["protocol"],
                "from_port": int(rule.get("from_port", -1)),
                "to_port": int(rule.get("to_port", -1)),
                "cidr": rule["cidr"],
            }
        )
    return checked


def _rules(params: Sequence[Mapping[str, Any]]) -> tuple[SecurityRule, ...]:
    return tuple(
        SecurityRule(
            direction=r["direction"],
            protocol=r["protocol"],
            from_port=r["from_port"],
            to_port=r["to_port"],
            cidr=r["cidr"],
        )
        for r in params
    )


# --- request time -----------------------------------------------------------------------------------


def security_group_create(
    *,
    connection: Connection,
    user: Any,
    name: str,
    vpc: str,
    rules: Sequence[Mapping[str, Any]],
    tags: Mapping[str, str] | None = None,
) -> Operation:
    records.require(connection, "security_group")
    checked = rules_params(rules)
    vpc_record = records.reference(connection=connection, kind=Kind.VPC, name=vpc, field="vpc")
    with transaction.atomic():
        record = records.reserve(
            connection=connection, kind=Kind.SECURITY_GROUP, name=name, parent=vpc_record, tags=dict(tags or {})
        )
        record.info = {
            "vpc_iid": {"name_id": vpc_record.cloud_name, "system_id": vpc_record.system_id},
            "rules": checked,
        }
        record.save(update_fields=["info", "updated_at"])
        return operation_create(
            action="security_group.create",
            connection=connection,
            user=user,
            target_kind=Kind.SECURITY_GROUP,
            target_name=name,
            resource=record,
            params={"rules": checked, "tags": dict(tags or {})},
        )


def security_group_delete(*, connection: Connection, user: Any, name: str) -> Operation:
    records.require(connection, "security_group")
    record = records.record_get(connection=connection, kind=Kind.SECURITY_GROUP, name=name)
    with transaction.atomic():
        records.mark_deleting(record)
        return operation_create(
            action="security_group.delete",
            connection=connection,
            user=user,
            target_kind=Kind.SECURITY_GROUP,
            target_name=name,
            resource=record,
        )


def security_group_rules_change(
    *, connection: Connection, user: Any, name: str, rules: Sequence[Mapping[str, Any]], add: bool
) -> Operation:
    records.require(connection, "security_group", "add_rules" if add else "remove_rules")
    checked = rules_params(rules)
    record = records.reference(connection=connection, kind=Kind.SECURITY_GROUP, name=name, field="name")
    action = "security_group.add_rules" if add else "security_group.remove_rules"
    return operation_create(
        action=action,
        connection=connection,
        user=user,
        target_kind=Kind.SECURITY_GROUP,
        target_name=name,
        resource=record,
        params={"rules": checked},
    )


# --- task time --------------------------------------------------------------------------------------


def apply_security_group(record: Resource, info: SecurityInfo) -> None:
    records.apply_info(record, to_jsonable(info), system_id=info.iid.system_id, status="Available")


def _answer(record: Resource) -> dict[str, Any]:
    record = Resource.objects.select_related("connection", "parent").get(pk=record.pk)
    return present(record, connection=record.connection)


def _run_create(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation, "parent")
    assert record.parent is not None
    req = SecurityReqInfo(
        name=record.cloud_name,
        vpc_iid=records.iid_of(record.parent),
        rules=_rules(operation.params["rules"]),
        tags=operation.params["tags"],
    )
    try:
        info = cloud.security_group().create_security_group(req=req)
    except AlreadyExistsError:
        info = cloud.security_group().get_security_group(iid=IID(name_id=record.cloud_name))
    apply_security_group(record, info)
    return _answer(record)


def _run_rules(operation: Operation, cloud: CloudConnection, *, add: bool) -> dict[str, Any]:
    record = records.record_of(operation)
    handler = cloud.security_group()
    change = handler.add_rules if add else handler.remove_rules
    info = change(sg_iid=records.iid_of(record), rules=_rules(operation.params["rules"]))
    apply_security_group(record, info)
    return _answer(record)


def _delete_at_cloud(cloud: CloudConnection, iid: IID) -> None:
    cloud.security_group().delete_security_group(iid=iid)


def _cleanup_create(operation: Operation) -> None:
    lifecycle.drop_failed_create(operation, _delete_at_cloud)


register_action(Action(name="security_group.create", run=_run_create, cleanup=_cleanup_create, fields=FIELDS))
register_action(
    Action(
        name="security_group.delete",
        run=lifecycle.deleting(_delete_at_cloud),
        cleanup=lifecycle.restore_after_failed_change,
        fields=FIELDS,
    )
)
register_action(
    Action(name="security_group.add_rules", run=lambda op, cloud: _run_rules(op, cloud, add=True), fields=FIELDS)
)
register_action(
    Action(name="security_group.remove_rules", run=lambda op, cloud: _run_rules(op, cloud, add=False), fields=FIELDS)
)
