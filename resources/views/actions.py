"""What can be done to a resource from the dashboard, and starting it: shared by its page and bulk actions."""

from __future__ import annotations

from typing import Any

from connections.services import provider_get
from resources.models import Kind, Operation, Resource
from resources.services import cluster, disk, key_pair, my_image, nlb, security_group, vm, vpc
from spiderweb.errors import InvalidInput, ServiceError

VM_ACTIONS = (("suspend", "Suspend"), ("resume", "Resume"), ("reboot", "Reboot"), ("terminate", "Terminate"))

DELETES = {
    Kind.VPC: vpc.vpc_delete, Kind.SECURITY_GROUP: security_group.security_group_delete,
    Kind.KEY_PAIR: key_pair.key_pair_delete, Kind.DISK: disk.disk_delete, Kind.MY_IMAGE: my_image.my_image_delete,
    Kind.NLB: nlb.nlb_delete, Kind.CLUSTER: cluster.cluster_delete,
}


def available_actions(record: Resource) -> list[dict[str, Any]]:
    """What can be done to the record, each enabled or disabled with the driver's reason."""
    if not record.managed:
        return []
    capabilities = provider_get(name=record.connection.provider).capabilities
    if record.kind != Kind.VM:
        family = Kind.VPC if record.kind == Kind.SUBNET else record.kind
        supported = capabilities.supports(family)
        return [{"action": "delete", "label": "Delete", "enabled": supported,
                 "reason": "" if supported else capabilities.notes.get(family, "the driver cannot do it")}]
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
        raise InvalidInput(f"{record.name} was discovered, not created by Spiderweb: it is not managed here",
                           field="action")
    offered = {each["action"]: each for each in available_actions(record)}
    if action not in offered:
        raise InvalidInput(f"unknown action {action!r}", field="action")
    if not offered[action]["enabled"]:
        raise InvalidInput(f"{offered[action]['label']} is not possible: {offered[action]['reason']}", field="action")
    if record.kind == Kind.VM and action == "terminate":
        return vm.vm_delete(connection=record.connection, user=user, name=record.name)
    if record.kind == Kind.VM:
        return vm.vm_control(connection=record.connection, user=user, name=record.name, action=action)
    if record.kind == Kind.SUBNET:
        if record.parent is None:
            raise ServiceError(f"subnet {record.name} has no known VPC", field="action")
        return vpc.subnet_remove(connection=record.connection, user=user, vpc_name=record.parent.name,
                                 subnet_name=record.name)
    return DELETES[record.kind](connection=record.connection, user=user, name=record.name)
