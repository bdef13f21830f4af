"""The connection list, grouped provider → region → zone, with test and delete in place."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from connections import selectors, services
from connections.models import Connection
from connections.views.common import can_manage, staff_for_posts
from spiderweb.errors import InUse, ServiceError
from spiderweb.htmx import HtmxHttpRequest

PAGE_SIZE = 50


def _grouped(connections: list[Connection]) -> list[tuple[str, list[tuple[str, list[Connection]]]]]:
    return [
        (provider, [(region, list(items)) for region, items in groupby(group, key=lambda c: c.region.region)])
        for provider, group in groupby(connections, key=lambda c: c.provider)
    ]


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    search, provider = request.GET.get("search", "").strip(), request.GET.get("provider", "")
    records = selectors.connection_list().order_by("provider", "region__region", "region__zone", "name")
    if search:
        records = records.filter(
            Q(name__icontains=search)
            | Q(region__region__icontains=search)
            | Q(region__zone__icontains=search)
            | Q(credential__name__icontains=search)
        )
    if provider:
        records = records.filter(provider=provider)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "grouped": _grouped(list(page)),
        "page": page,
        "query": request.GET,
        "manage": can_manage(request),
        "providers": list(Connection.objects.order_by("provider").values_list("provider", flat=True).distinct()),
        "highlight": request.GET.get("highlight", ""),
    }
    template = "connections/list.html#results" if request.htmx else "connections/list.html"
    return render(request, template, context)


def _connection(name: str) -> Connection:
    return get_object_or_404(selectors.connection_list(), name=name)


@require_POST
@staff_for_posts
def verify(request: HtmxHttpRequest, name: str) -> HttpResponse:
    connection = _connection(name)
    context: dict[str, Any] = {"connection": connection, "manage": True}
    try:
        context["elapsed_ms"] = services.connection_check(connection=connection).elapsed_ms
    except ServiceError as exc:
        context["verify_error"] = exc.message
    return render(request, "connections/list.html#verify", context)


@require_POST
@staff_for_posts
def delete(request: HtmxHttpRequest, name: str) -> HttpResponse:
    connection = _connection(name)
    try:
        services.connection_delete(connection=connection)
    except InUse as exc:
        # Shown on the row the person clicked, with what still depends on it; nothing moves.
        context = {
            "connection": connection,
            "manage": True,
            "delete_error": exc.message,
            "blockers": exc.details.get("resources", []),
        }
        return render(request, "connections/list.html#row", context)
    if request.htmx:
        return render(request, "connections/list.html#deleted", {"name": name})
    messages.success(request, f"Connection {name} deleted.")
    return redirect("home")
