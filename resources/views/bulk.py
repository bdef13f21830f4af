"""Bulk actions on a resource list: one operation per selected resource, refusals shown per resource."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from drivers.errors import DriverError
from resources import kinds
from resources.models import Kind, Resource
from resources.services.actions import VM_ACTIONS, start_action
from spiderweb.errors import ServiceError

# Far more than a page of the list; a guard against a hand-made request starting thousands of operations.
MAX_SELECTED = 200


def bulk_actions(kind: str) -> list[tuple[str, str]]:
    """The actions the list of `kind` offers for its selected rows."""
    return list(VM_ACTIONS) if kind == Kind.VM else [("delete", "Delete")]


def _selected(raw: list[str]) -> list[tuple[str, str]]:
    """`<connection>/<name>` values as pairs, in the order given, without repeats."""
    pairs: list[tuple[str, str]] = []
    for value in raw:
        conn, _, name = value.partition("/")
        if conn and name and (conn, name) not in pairs:
            pairs.append((conn, name))
    return pairs


def _records(kind: str, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Resource]:
    """One query for every selected record; a managed record wins over a discovered one of the same name."""
    wanted = Q()
    for conn, name in pairs:
        wanted |= Q(connection__name=conn, name=name)
    found: dict[tuple[str, str], Resource] = {}
    rows = Resource.objects.select_related("connection", "parent").filter(wanted, kind=kind).order_by("-managed")
    for record in rows:
        found.setdefault((record.connection.name, record.name), record)
    return found


@require_POST
def resource_bulk(request: HttpRequest, segment: str) -> HttpResponse:
    spec = kinds.by_segment(segment)
    if spec is None:
        raise Http404(f"no resource kind {segment!r}")
    kind = spec.name
    action = request.POST.get("action", "")
    pairs = _selected(request.POST.getlist("selected"))
    results: list[dict[str, Any]] = []
    if action not in dict(bulk_actions(kind)):
        results.append({"target": segment, "message": f"unknown action {action!r}"})
    elif not pairs:
        results.append({"target": segment, "message": "select at least one resource"})
    elif len(pairs) > MAX_SELECTED:
        results.append({"target": segment, "message": f"select at most {MAX_SELECTED} resources at once"})
    else:
        records = _records(kind, pairs)
        for conn, name in pairs:
            results.append(_start_one(records.get((conn, name)), conn, name, action, request.user))
    return render(request, "dashboard/resources.html#bulk_results", {"results": results})


def _start_one(record: Resource | None, conn: str, name: str, action: str, user: Any) -> dict[str, Any]:
    target = f"{conn}/{name}"
    if record is None:
        return {"target": target, "message": "no such resource"}
    try:
        operation = start_action(record, action, user)
    except ServiceError as exc:  # in use, invalid state, not possible with this driver: this one only
        return {"target": target, "message": exc.message, "code": exc.code}
    except DriverError as exc:
        return {"target": target, "message": str(exc), "code": exc.code}
    operation.refresh_from_db()  # without a broker it may be done already
    return {"target": target, "operation": operation}
