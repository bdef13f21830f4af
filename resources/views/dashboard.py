"""The overview dashboard: counts and freshness of every kind on every connection, and a refresh with progress."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from resources.inventory.refresh import inventory_refresh
from resources.inventory.summary import inventory_summary
from resources.models import Operation
from spiderweb.htmx import HtmxHttpRequest


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


def _cell(kind: str, count: int, missing: int, fresh: dict[str, Any]) -> SafeString:
    """One matrix cell as HTML, built here because 1,800 cells through the template engine were most of
    the page's time."""
    outcome, stale, age = fresh["outcome"], fresh["stale"], _age(fresh["age_seconds"])
    badge: str = age
    if outcome == "failed":
        title = f"{kind}: failed: {fresh['error_message']}"
        badge = format_html('<span class="badge bad">{}</span>', "failed")
    elif outcome == "never":
        title = f"{kind}: never listed"
    else:
        title = f"{kind}: listed {age} ago"
        if stale:
            badge = format_html('<span class="badge warn">{}</span>', age)
    gone: str = ""
    if missing:
        title += f"; {missing} missing at the cloud"
        gone = format_html('<sup class="bad">\N{MINUS SIGN}{}</sup>', missing)
    return format_html(
        '<td class="num cell {}{}" title="{}">{}{}<small class="age">{}</small></td>',
        outcome,
        " stale" if stale else "",
        title,
        count,
        gone,
        badge,
    )


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
                    cells = [
                        _cell(
                            kind, connection["counts"][kind], connection["missing"][kind], connection["freshness"][kind]
                        )
                        for kind in kinds
                    ]
                    rows.append(
                        {
                            "region": region["region"],
                            "zone": zone["zone"] or "—",
                            "name": connection["name"],
                            "total": connection["resources"],
                            "cells": cells,
                        }
                    )
        providers.append({"name": provider["provider"], "totals": provider["totals"], "rows": rows})
    return {"kinds": kinds, "providers": providers, "totals": summary["totals"], "hide_empty": hide_empty}


def _hide_empty(request: HtmxHttpRequest) -> bool:
    return request.GET.get("hide_empty", "") in {"1", "true", "on"}


@require_GET
def overview(request: HtmxHttpRequest) -> HttpResponse:
    context = _matrix(_hide_empty(request))
    if request.htmx:
        return render(request, "dashboard/overview.html#matrix", context)
    running = Operation.objects.filter(action="inventory.refresh", state__in=["pending", "running"]).first()
    return render(request, "dashboard/overview.html", {**context, "running": running})


@require_POST
def refresh_start(request: HtmxHttpRequest) -> HttpResponse:
    operation = inventory_refresh(user=request.user)
    return render(request, "dashboard/overview.html#progress", {"operation": operation})


@require_GET
def refresh_progress(request: HtmxHttpRequest, operation_id: str) -> HttpResponse:
    operation = get_object_or_404(Operation, pk=operation_id, action="inventory.refresh")
    context = {"operation": operation, **_matrix(_hide_empty(request)), "update_matrix": True}
    response = render(request, "dashboard/overview.html#progress", context)
    if operation.finished:
        # Stop polling: this answer already carries the final matrix.
        return HttpResponseStopPolling(response.content)
    return response
