"""Catalogue pages: regions and zones, images, specs and prices across every connection."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from resources.catalogue.comparison import (
    catalogue_connections,
    image_catalogue,
    inventory_freshness,
    price_comparison,
    region_status,
    spec_catalogue,
)
from spiderweb.htmx import HtmxHttpRequest

PAGE_SIZE = 50


def _number(raw: str, cast: type) -> tuple[object | None, str]:
    if not raw.strip():
        return None, ""
    try:
        value = cast(raw)
    except ValueError:
        return None, f"{raw!r} is not a number"
    return (value, "") if value >= 0 else (None, "must not be negative")


def _requirement(query: QueryDict) -> tuple[dict[str, Any], dict[str, str]]:
    """min vCPU, min memory and GPU from the query, and a message per field that is not a valid number."""
    min_vcpu, vcpu_error = _number(query.get("min_vcpu", ""), int)
    min_memory, memory_error = _number(query.get("min_memory_gib", ""), float)
    gpu = {"yes": True, "no": False}.get(query.get("gpu", ""))
    errors = {field: text for field, text in (("min_vcpu", vcpu_error), ("min_memory_gib", memory_error)) if text}
    return {"min_vcpu": min_vcpu, "min_memory_gib": min_memory, "gpu": gpu}, errors


def _scope(request: HtmxHttpRequest) -> dict[str, Any]:
    """The connections the connection/provider/region filters choose, with the choices for those filters."""
    everything, chosen = catalogue_connections(
        connection=request.GET.get("connection", ""),
        provider=request.GET.get("provider", ""),
        region=request.GET.get("region", ""),
    )
    return {
        "chosen": chosen,
        "query": request.GET,
        "choices": {
            "connection": [each.name for each in everything],
            "provider": sorted({each.provider for each in everything}),
            "region": sorted({each.region.region for each in everything}),
        },
    }


def _page(request: HtmxHttpRequest, rows: list[Any]) -> dict[str, Any]:
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # The other filters, to carry over to the previous and next page links.
    keep = request.GET.copy()
    keep.pop("page", None)
    return {"page": page, "rows": list(page), "keep": keep.urlencode()}


def _render(request: HtmxHttpRequest, name: str, context: dict[str, Any]) -> HttpResponse:
    template = f"dashboard/{name}.html#results" if request.htmx else f"dashboard/{name}.html"
    return render(request, template, context)


@require_GET
def regions(request: HtmxHttpRequest) -> HttpResponse:
    scope = _scope(request)
    rows, failures = region_status(connections=scope["chosen"])
    freshness = inventory_freshness(connections=scope["chosen"])
    rows_with_freshness = [{"row": row, "freshness": freshness.get(row.connection)} for row in rows]
    return _render(request, "catalogue_regions", {**scope, "rows": rows_with_freshness, "failures": failures})


@require_GET
def images(request: HtmxHttpRequest) -> HttpResponse:
    scope = _scope(request)
    rows, failures = image_catalogue(
        connections=scope["chosen"], search=request.GET.get("search", ""), os=request.GET.get("os", "")
    )
    return _render(request, "catalogue_images", {**scope, **_page(request, rows), "failures": failures})


@require_GET
def specs(request: HtmxHttpRequest) -> HttpResponse:
    scope = _scope(request)
    requirement, errors = _requirement(request.GET)
    rows, failures = (
        ([], [])
        if errors
        else spec_catalogue(connections=scope["chosen"], search=request.GET.get("search", ""), **requirement)
    )
    return _render(
        request, "catalogue_specs", {**scope, **_page(request, rows), "failures": failures, "errors": errors}
    )


@require_GET
def prices(request: HtmxHttpRequest) -> HttpResponse:
    scope = _scope(request)
    requirement, errors = _requirement(request.GET)
    offers, failures = ([], []) if errors else price_comparison(connections=scope["chosen"], **requirement)
    context = {**scope, "offers": offers[:200], "total": len(offers), "failures": failures, "errors": errors}
    return _render(request, "prices", context)
