"""The create page of each kind, and the progress page a created resource lands on."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from resources import kinds
from resources.models import Operation
from spiderweb.htmx import HtmxHttpRequest


@require_http_methods(["GET", "POST"])
def resource_create(request: HtmxHttpRequest, segment: str) -> HttpResponse:
    spec = kinds.by_segment(segment)
    if spec is None or not spec.create_page:
        raise Http404(f"no resource kind {segment!r} to create")
    response: HttpResponse = spec.hook("create_page")(request)
    return response


@require_GET
def create_done(request: HtmxHttpRequest, segment: str, operation_id: str) -> HttpResponse:
    """The create's operation row (it polls while running) and the way to the new resource."""
    if kinds.by_segment(segment) is None:
        raise Http404(f"no resource kind {segment!r}")
    operation = get_object_or_404(Operation.objects.select_related("user"), pk=operation_id)
    offer_key = (
        operation.action == "key_pair.create"
        and operation.user_id == request.user.pk
        and (not operation.finished or bool(operation.sealed_secret))
    )
    return render(
        request, "dashboard/create/result.html", {"operation": operation, "segment": segment, "key_download": offer_key}
    )
