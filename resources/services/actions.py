"""What can be done to a resource, and starting it: the rules the dashboard's page and bulk actions follow."""

from __future__ import annotations

from typing import Any

from connections.services import provider_get
from resources import kinds
from resources.models import Kind, Operation, Resource
from resources.services import vm
from spiderweb.errors import InvalidInput

VM_ACTIONS = (("suspend", "Suspend"), ("resume", "Resume"), ("reboot", "Reboot"), ("terminate", "Terminate"))
# The VM states each control starts from; in any other, it is offered disabled with the reason.
VM_STARTS_FROM = {"suspend": {"Running"}, "resume": {"Suspended"}, "reboot": {"Running"}}


def available_actions(record: Resource, *, by_state: bool = False) -> list[dict[str, Any]]:
    """What can be done to the record, each enabled or disabled with the driver's reason.

    `by_state` also disables what the record's last known state forbids (a resource's page does;
    bulk actions leave that to the cloud, which may have moved on since the last read).
    """
    found = _offered(record)
    if by_state and record.kind == Kind.VM and record.status:
        for each in found:
            wanted = VM_STARTS_FROM.get(each["action"])
            if each["enabled"] and wanted and record.status not in wanted:
                each.update(enabled=False, reason=f"{record.name} is {record.status}")
    return found


def _offered(record: Resource) -> list[dict[str, Any]]:
    if not record.managed:
        return []
    capabilities = provider_get(name=record.connection.provider).capabilities
    if record.kind != Kind.VM:
        family = kinds.get(record.kind).family
        supported = capabilities.supports(family)
        return [
            {
                "action": "delete",
                "label": "Delete",
                "enabled": supported,
                "reason": "" if supported else capabilities.notes.get(family, "the driver cannot do it"),
            }
        ]
    found = []
    for action, label in VM_ACTIONS:
        supported = capabilities.supports("vm", action)
        reason = "" if supported else (capabilities.notes.get(f"vm.{action}") or "the driver cannot do it")
        found.append({"action": action, "label": label, "enabled": supported, "reason": reason})
    return found


def start_action(record: Resource, action: str, user: Any) -> Operation:
    """Start `action` on the record as an operation; a discovered record or a disabled action is refused.

    A VM's delete is its terminate, so one "delete" works across every kind.
    """
    if record.kind == Kind.VM and action == "delete":
        action = "terminate"
    if not record.managed:
        raise InvalidInput(
            f"{record.name} was discovered, not created by Spiderweb: it is not managed here", field="action"
        )
    offered = {each["action"]: each for each in available_actions(record)}
    if action not in offered:
        raise InvalidInput(f"unknown action {action!r}", field="action")
    if not offered[action]["enabled"]:
        raise InvalidInput(f"{offered[action]['label']} is not possible: {offered[action]['reason']}", field="action")
    if record.kind == Kind.VM and action == "terminate":
        return vm.vm_delete(connection=record.connection, user=user, name=record.name)
    if record.kind == Kind.VM:
        return vm.vm_control(connection=record.connection, user=user, name=record.name, action=action)
    operation: Operation = kinds.get(record.kind).hook("delete_service")(
        connection=record.connection, user=user, name=record.name
    )
    return operation
