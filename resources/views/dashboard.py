"""The overview dashboard: counts and freshness of every kind on every connection, and a refresh with progress."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from resources.inventory_selectors import inventory_summary
from resources.models import Operation
from resources.services.inventory import inventory_refresh


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 90:
        return f"{round(seconds)} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} d"


def _matrix(hide_empty: bool) -> dict[str, Any]:
    """The summary flattened into table rows: provider → region → zone → connection, a cell per kind."""
    summary = inventory_summary(hide_empty=hide_empty)
    kinds = summary["kinds"]
    providers = []
    for provider in summary["providers"]:
        rows = []
        for region in provider["regions"]:
            for zone in region["zones"]:
                for connection in zone["connections"]:
                    cells = []
                    for kind in kinds:
                        fresh = connection["freshness"][kind]
                        cells.append({
                            "kind": kind,
                            "count": connection["counts"][kind],
                            "missing": connection["missing"][kind],
                            "outcome": fresh["outcome"],
                            "stale": fresh["stale"],
                            "age": _age(fresh["age_seconds"]),
                            "error": fresh["error_message"],
                        })
                    rows.append({"region": region["region"], "zone": zone["zone"] or "—",
                                 "name": connection["name"], "total": connection["resources"], "cells": cells})
        providers.append({"name": provider["provider"], "totals": provider["totals"], "rows": rows})
    return {"kinds": kinds, "providers": providers, "totals": summary["totals"], "hide_empty": hide_empty}


def _hide_empty(request: HttpRequest) -> bool:
    return request.GET.get("hide_empty", "") in {"1", "true", "on"}


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    context = _matrix(_hide_empty(request))
    if request.htmx:
        return render(request, "dashboard/overview.html#matrix", context)
    running = Operation.objects.filter(action="inventory.refresh", state__in=["pending", "running"]).first()
    return render(request, "dashboard/overview.html", {**context, "running": running})


@require_POST
def refresh_start(request: HttpRequest) -> HttpResponse:
    operation = inventory_refresh(user=request.user)
    return render(request, "dashboard/overview.html#progress", {"operation": operation})


@require_GET
def refresh_progress(request: HttpRequest, operation_id: str) -> HttpResponse:
    operation = get_object_or_404(Operation, pk=operation_id, action="inventory.refresh")
    context = {"operation": operation, **_matrix(_hide_empty(request)), "update_matrix": True}
    response = render(request, "dashboard/overview.html#progress", context)
    if operation.finished:
        # Stop polling: this answer already carries the final matrix.
        return HttpResponseStopPolling(response.content)
    return response
