"""The operations page: recent operations with state, duration, who and error; running ones update live."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseStopPolling

from resources.models import Operation, OperationState
from resources.selectors import operation_list

PAGE_SIZE = 50
# Sent when an operation row shows its end, so what the operation changed (a status) can reload itself.
OPERATION_FINISHED = "operation-finished"


@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    queryset = operation_list()
    state = request.GET.get("state", "")
    if state in OperationState.values:
        queryset = queryset.filter(state=state)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dashboard/operations.html", {"page": page, "state": state, "states": OperationState.values})


@require_GET
def operation_row(request: HttpRequest, operation_id: str) -> HttpResponse:
    operation = get_object_or_404(Operation.objects.select_related("user"), pk=operation_id)
    response = render(request, "dashboard/operations.html#row", {"operation": operation})
    if not operation.finished:
        return response
    finished = HttpResponseStopPolling(response.content)
    finished.headers["HX-Trigger"] = OPERATION_FINISHED
    return finished
