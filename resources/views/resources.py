"""Resource pages: one kind across every connection, filtered, sorted and paginated."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from drivers import registry
from resources import kinds
from resources.filters import ResourceFilterSet
from resources.inventory.listing import inventory_records, present_inventory_page
from resources.views.bulk import bulk_actions
from spiderweb.errors import InvalidInput
from spiderweb.htmx import HtmxHttpRequest

PAGE_SIZE = 50
ORDERINGS = ("name", "connection", "region", "zone", "status", "-last_seen_at", "-created_at")


def _filled(query: QueryDict) -> QueryDict:
    """The query without its blank fields: the filter form sends every input, typed in or not."""
    kept = QueryDict(mutable=True)
    for key, values in query.lists():
        if filled := [value for value in values if value.strip()]:
            kept.setlist(key, filled)
    return kept


@require_GET
def resource_list(request: HtmxHttpRequest, segment: str) -> HttpResponse:
    spec = kinds.by_segment(segment)
    if spec is None:
        raise Http404(f"no resource kind {segment!r}")
    summary = spec.hook("summary")
    error = ""
    ordering = request.GET.get("ordering", "")
    try:
        query = _filled(request.GET)
        query.setlist("ordering", [ordering] if ordering in ORDERINGS else [])
        records = ResourceFilterSet(query, queryset=inventory_records(kind=spec.name)).qs
        page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
        items = [{**item, "detail": summary(item)} for item in present_inventory_page(list(page))]
    except InvalidInput as exc:
        error, page, items = exc.message, None, []
    context = {
        "segment": segment,
        "kinds": kinds.all_kinds(),
        "providers": registry.driver_names(),
        "items": items,
        "page": page,
        "error": error,
        "query": request.GET,
        "orderings": ORDERINGS,
        "ordering": ordering,
        "bulk_actions": bulk_actions(spec.name),
        "kind": spec,
    }
    template = "dashboard/resources.html#results" if request.htmx else "dashboard/resources.html"
    return render(request, template, context)
