"""Catalogue pages: where is it cheapest?"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from resources.services.catalogue import price_comparison


def _number(raw: str, cast: type) -> tuple[object | None, str]:
    if not raw.strip():
        return None, ""
    try:
        value = cast(raw)
    except ValueError:
        return None, f"{raw!r} is not a number"
    return (value, "") if value >= 0 else (None, "must not be negative")


@require_GET
def prices(request: HttpRequest) -> HttpResponse:
    min_vcpu, vcpu_error = _number(request.GET.get("min_vcpu", ""), int)
    min_memory, memory_error = _number(request.GET.get("min_memory_gib", ""), float)
    gpu = {"yes": True, "no": False}.get(request.GET.get("gpu", ""))
    errors = {field: text for field, text in (("min_vcpu", vcpu_error), ("min_memory_gib", memory_error)) if text}
    offers, failures = ([], []) if errors else price_comparison(
        min_vcpu=min_vcpu, min_memory_gib=min_memory, gpu=gpu)  # type: ignore[arg-type]
    context = {"offers": offers[:200], "total": len(offers), "failures": failures, "errors": errors,
               "query": request.GET}
    template = "dashboard/prices.html#results" if request.htmx else "dashboard/prices.html"
    return render(request, template, context)
