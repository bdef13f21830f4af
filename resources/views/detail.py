"""A resource's page: its full information, its tags, and the actions its driver can do."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from connections.services import provider_get
from drivers.errors import DriverError
from resources import kinds, operations
from resources.inventory.listing import present_inventory_page
from resources.models import Resource
from resources.services import adoption, tags
from resources.services.actions import available_actions, start_action
from resources.services.adoption import resource_fetch
from resources.views.operations import OPERATION_FINISHED
from spiderweb.errors import InvalidInput, ServiceError


def _record(segment: str, conn: str, name: str) -> Resource:
    spec = kinds.by_segment(segment)
    record = (
        Resource.objects.select_related("connection")
        .filter(kind=spec.name, connection__name=conn, name=name)
        .order_by("-managed")
        .first()
        if spec
        else None
    )
    if record is None:
        raise Http404(f"no {segment} {name!r} in {conn!r}")
    return record


def _context(record: Resource, **extra: Any) -> dict[str, Any]:
    answer = present_inventory_page([record])[0]
    capabilities = provider_get(name=record.connection.provider).capabilities
    return {
        "record": record,
        "answer": answer,
        "segment": kinds.get(record.kind).segment,
        "info": json.dumps(answer, indent=2, ensure_ascii=False),
        "actions": available_actions(record, by_state=True),
        "taggable": record.managed and capabilities.supports("tag") and record.kind in capabilities.tag_kinds,
        **extra,
    }


# States a resource passes through on its own: while in one, the page looks again until it settles.
SETTLING = frozenset(
    {
        "Creating",
        "Suspending",
        "Resuming",
        "Rebooting",
        "Terminating",
        "Deleting",
        "Updating",
        "Pending",
        "Attaching",
        "Detaching",
    }
)


@require_GET
def resource_detail(request: HttpRequest, segment: str, conn: str, name: str) -> HttpResponse:
    record = _record(segment, conn, name)
    if request.GET.get("fetch") and record.managed:
        # The page asks while the resource is between states: read it from the cloud, not the record.
        # When the cloud cannot answer, the page keeps showing the record and the next look tries again.
        with contextlib.suppress(ServiceError, DriverError):
            record = resource_fetch(connection=record.connection, kind=record.kind, name=record.name)
    context = _context(record)
    status = str(context["answer"].get("status", ""))
    context["settling"] = record.managed and not record.missing_since and status in SETTLING
    return render(request, "dashboard/detail.html", context)


@require_POST
def tag_change(request: HttpRequest, segment: str, conn: str, name: str) -> HttpResponse:
    record = _record(segment, conn, name)
    key, value = request.POST.get("key", "").strip(), request.POST.get("value", "")
    error = ""
    try:
        if request.POST.get("remove"):
            operation = tags.tag_remove(
                connection=record.connection, user=request.user, kind=record.kind, name=record.name, key=key
            )
        else:
            if not key:
                raise ServiceError("a tag needs a key", field="key")
            operation = tags.tag_add(
                connection=record.connection,
                user=request.user,
                kind=record.kind,
                name=record.name,
                key=key,
                value=value,
            )
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
        operation = start_action(record, request.POST.get("action", ""), request.user)
    except (ServiceError, DriverError) as exc:  # a refusal (state, capability) is shown on the page
        message = exc.message if isinstance(exc, ServiceError) else str(exc)
        return render(request, "dashboard/detail.html#action_error", {"message": message})
    operation.refresh_from_db()  # without a broker it may be done already
    response = render(request, "dashboard/operations.html#row", {"operation": operation})
    if operation.finished:
        response.headers["HX-Trigger"] = OPERATION_FINISHED
    return response


@require_POST
def resource_adopt(request: HttpRequest, segment: str, conn: str, name: str) -> HttpResponse:
    """Register a discovered object, so that it is managed from here on under the name given."""
    record = _record(segment, conn, name)
    wanted = request.POST.get("name", "").strip() or record.name
    try:
        if record.managed or not kinds.get(record.kind).adoptable:
            raise InvalidInput(f"{record.name} cannot be registered on its own", field="name")
        operation = adoption.resource_register(
            connection=record.connection, user=request.user, kind=record.kind, name=wanted, system_id=record.system_id
        )
    except (ServiceError, DriverError) as exc:
        message = exc.message if isinstance(exc, ServiceError) else str(exc)
        return render(request, "dashboard/detail.html#action_error", {"message": message})
    operation = operations.operation_wait(operation=operation, timeout=settings.SPIDERWEB_OPERATION_WAIT_SECONDS)
    if operation.finished and not operation.error_message:
        return HttpResponseClientRedirect(reverse("resource-detail", args=[segment, conn, wanted]))
    return render(request, "dashboard/operations.html#row", {"operation": operation})
