"""How a mutation answers: wait for its operation (bounded) or hand back the operation at once.

`Prefer: respond-async` → 202 with the operation and its `Location`. Otherwise the request waits
up to SPIDERWEB_OPERATION_WAIT_SECONDS: success answers with the resource, failure with the
operation's error under its status, and a timeout falls back to 202.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from resources import operations
from resources.api.serializers import OperationOut
from resources.filters import OperationFilterSet
from resources.models import Operation, OperationState
from resources.selectors import operation_list
from spiderweb.api import Pagination, error_body, page_of, status_for_code
from spiderweb.errors import NotFound


def prefers_async(request: Request) -> bool:
    return "respond-async" in request.headers.get("Prefer", "").lower()


def present_operation(operation: Operation, request: Request, *, reveal_secret: bool = False) -> dict[str, Any]:
    error = None
    if operation.state == OperationState.FAILED:
        error = {"code": operation.error_code, "message": operation.error_message, "field": operation.error_field}
    result = dict(operation.result or {})
    if reveal_secret and operation.state == OperationState.SUCCEEDED:
        result.update(operations.operation_take_secret(operation=operation))
    return {
        "id": str(operation.pk),
        "url": request.build_absolute_uri(reverse("operation-detail", args=[operation.pk])),
        "action": operation.action,
        "state": operation.state,
        "connection": operation.connection_name,
        "target_kind": operation.target_kind,
        "target_name": operation.target_name,
        "user": operation.user.get_username() if operation.user else None,
        "attempts": operation.attempts,
        "progress": {
            "total": operation.progress_total,
            "done": operation.progress_done,
            "failed": operation.progress_failed,
        },
        "created_at": operation.created_at,
        "started_at": operation.started_at,
        "finished_at": operation.finished_at,
        "duration_ms": operation.duration_ms,
        "error": error,
        "result": result,
    }


def rendered_operation(operation: Operation, request: Request, *, reveal_secret: bool = False) -> dict[str, Any]:
    """The operation's answer, through the serializer the schema shows for it."""
    return dict(OperationOut(present_operation(operation, request, reveal_secret=reveal_secret)).data)


def accepted(operation: Operation, request: Request) -> Response:
    body = rendered_operation(operation, request)
    return Response(
        body,
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": body["url"], "Preference-Applied": "respond-async"}
        if prefers_async(request)
        else {"Location": body["url"]},
    )


def operation_response(
    request: Request, out: type[Serializer], operation: Operation, *, success_status: int = status.HTTP_200_OK
) -> Response:
    """The mutation's answer: `out` renders a success (the serializer its schema declares), the
    operation itself answers a wait that timed out, and its error a failure."""
    if prefers_async(request):
        return accepted(operation, request)
    operation = operations.operation_wait(operation=operation, timeout=settings.SPIDERWEB_OPERATION_WAIT_SECONDS)
    if not operation.finished:
        return accepted(operation, request)
    headers = {"X-Spiderweb-Operation": str(operation.pk)}
    if operation.state == OperationState.FAILED:
        extra: dict[str, Any] = {"operation": str(operation.pk)}
        if operation.result.get("retry_after"):
            extra["retry_after"] = operation.result["retry_after"]
        return Response(
            error_body(operation.error_code, operation.error_message, operation.error_field, **extra),
            status=status_for_code(operation.error_code),
            headers=headers,
        )
    body = dict(operation.result)
    body.update(operations.operation_take_secret(operation=operation))
    return Response(out(body).data, status=success_status, headers=headers)


class OperationList(APIView):
    """Recent operations, newest first."""

    @extend_schema(
        summary="List operations",
        tags=["operations"],
        responses=page_of(OperationOut),
        parameters=[
            OpenApiParameter("state", str, enum=[s.value for s in OperationState]),
            OpenApiParameter("connection", str),
            OpenApiParameter("action", str),
            OpenApiParameter("target_kind", str),
            OpenApiParameter("target_name", str),
        ],
    )
    def get(self, request: Request) -> Response:
        operations_found = OperationFilterSet(request.query_params, queryset=operation_list()).qs
        paginator = Pagination()
        page: list[Operation] = paginator.paginate_queryset(operations_found, request, view=self) or []
        return paginator.get_paginated_response(
            OperationOut([present_operation(op, request) for op in page], many=True).data
        )


class OperationDetail(APIView):
    @extend_schema(
        summary="Get an operation (a create's one-time secret is shown on the first read)",
        tags=["operations"],
        responses=OperationOut,
    )
    def get(self, request: Request, operation_id: str) -> Response:
        operation = Operation.objects.select_related("user").filter(pk=operation_id).first()
        if operation is None:
            raise NotFound(f"no operation {operation_id}")
        if not operation.finished and operations.operations_sweep(only=operation):
            operation.refresh_from_db()
        return Response(rendered_operation(operation, request, reveal_secret=True))
