"""A resource's page: its full information, its tags, and the actions its driver can do."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from connections.services import provider_get
from drivers.errors import DriverError
from resources.api.inventory import SEGMENTS
from resources.inventory_selectors import present_inventory_page
from resources.models import Kind, Resource
from resources.services import cluster, disk, key_pair, my_image, nlb, operations, security_group, tags, vm, vpc
from spiderweb.errors import ServiceError

VM_ACTIONS = (("suspend", "Suspend"), ("resume", "Resume"), ("reboot", "Reboot"), ("terminate", "Terminate"))


def _record(segment: str, conn: str, name: str) -> Resource:
    kind = SEGMENTS.get(segment)
    record = Resource.objects.select_related("connection").filter(
        kind=kind, connection__name=conn, name=name).order_by("-managed").first() if kind else None
    if record is None:
        raise Http404(f"no {segment} {name!r} in {conn!r}")
    return record


DELETES = {
    Kind.VPC: vpc.vpc_delete, Kind.SECURITY_GROUP: security_group.security_group_delete,
    Kind.KEY_PAIR: key_pair.key_pair_delete, Kind.DISK: disk.disk_delete, Kind.MY_IMAGE: my_image.my_image_delete,
    Kind.NLB: nlb.nlb_delete, Kind.CLUSTER: cluster.cluster_delete,
}


def _actions(record: Resource) -> list[dict[str, Any]]:
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


def _start(record: Resource, action: str, user: Any) -> Any:
    if record.kind == Kind.VM and action == "terminate":
        return vm.vm_delete(connection=record.connection, user=user, name=record.name)
    if record.kind == Kind.VM and action in dict(VM_ACTIONS):
        return vm.vm_control(connection=record.connection, user=user, name=record.name, action=action)
    if action == "delete" and record.kind == Kind.SUBNET and record.parent is not None:
        return vpc.subnet_remove(connection=record.connection, user=user, vpc_name=record.parent.name,
                                 subnet_name=record.name)
    if action == "delete" and record.kind in DELETES:
        return DELETES[record.kind](connection=record.connection, user=user, name=record.name)
    raise ServiceError(f"unknown action {action!r}", field="action")


def _context(record: Resource, **extra: Any) -> dict[str, Any]:
    answer = present_inventory_page([record])[0]
    capabilities = provider_get(name=record.connection.provider).capabilities
    return {"record": record, "answer": answer, "segment": next(s for s, k in SEGMENTS.items() if k == record.kind),
            "info": json.dumps(answer, indent=2, ensure_ascii=False), "actions": _actions(record),
            "taggable": record.managed and capabilities.supports("tag") and record.kind in capabilities.tag_kinds,
            **extra}


@require_GET
def resource_detail(request: HttpRequest, segment: str, conn: str, name: str) -> HttpResponse:
    return render(request, "dashboard/detail.html", _context(_record(segment, conn, name)))


@require_POST
def tag_change(request: HttpRequest, segment: str, conn: str, name: str) -> HttpResponse:
    record = _record(segment, conn, name)
    key, value = request.POST.get("key", "").strip(), request.POST.get("value", "")
    error = ""
    try:
        if request.POST.get("remove"):
            operation = tags.tag_remove(connection=record.connection, user=request.user, kind=record.kind,
                                        name=record.name, key=key)
        else:
            if not key:
                raise ServiceError("a tag needs a key", field="key")
            operation = tags.tag_add(connection=record.connection, user=request.user, kind=record.kind,
                                     name=record.name, key=key, value=value)
        operation = operations.operation_wait(operation=operation, timeout=settings.SPIDERWEB_OPERATION_WAIT_SECONDS)
        if operation.error_message:
            error = operation.error_message
    except ServiceError as exc:
        error = exc.message
    record.refresh_from_db()
    return render(request, "dashboard/detail.html#tags", _context(record, tag_error=error))


@require_POST
def resource_action(request: HttpRequest, segment: str, conn: str, name: str) -> HttpResponse:
    record = _record(segment, conn, name)
    try:
        operation = _start(record, request.POST.get("action", ""), request.user)
    except (ServiceError, DriverError) as exc:  # a refusal (state, capability) is shown on the page
        message = exc.message if isinstance(exc, ServiceError) else str(exc)
        return render(request, "dashboard/detail.html#action_error", {"message": message})
    operation.refresh_from_db()  # without a broker it may be done already
    return render(request, "dashboard/operations.html#row", {"operation": operation})
