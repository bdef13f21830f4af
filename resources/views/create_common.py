"""Pieces every create form shares: the connection picker, row parsing, API-identical validation, submitting.

A form posts to its own page with an `intent`: `refresh` (the connection or a parent changed: fill the
dependent choices again), `more:<rows>` (one more row), `review` (the VM wizard) or nothing (create).
Field errors are kept flat, keyed like the API's error `field` with dots (`subnets.0.ipv4_cidr`), so the
serializer's errors, a service's ServiceError and a failed operation land next to the same input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from rest_framework.serializers import Serializer

from connections.models import Connection
from drivers.errors import DriverError
from resources import operations
from resources.models import Kind, Lifecycle, Operation, OperationState, Resource
from spiderweb.errors import ServiceError
from spiderweb.htmx import HtmxHttpRequest

Errors = dict[str, str]
GENERAL = "general"  # an error that names no field


def connections_all() -> list[Connection]:
    return list(Connection.objects.select_related("region").order_by("name"))


def connection_chosen(data: Mapping[str, Any], choices: list[Connection]) -> Connection | None:
    """The connection named in the form; with none named the first one, so a fresh form already has its choices."""
    wanted = data.get("connection", "")
    if not wanted:
        return choices[0] if choices else None
    return next((each for each in choices if each.name == wanted), None)


def connection_errors(context: Mapping[str, Any]) -> Errors:
    return {} if context["connection"] else {"connection": "Choose one of the registered connections."}


def ready_records(connection: Connection | None, kind: str, *, parent: Resource | None = None) -> list[Resource]:
    """Managed, ready records a new resource may refer to (what `records.reference` accepts)."""
    if connection is None:
        return []
    found = Resource.objects.filter(connection=connection, kind=kind, managed=True, lifecycle=Lifecycle.READY)
    if kind == Kind.SUBNET:
        found = found.filter(parent=parent) if parent is not None else found.none()
    return list(found.order_by("name"))


def record_named(records: Iterable[Resource], name: str) -> Resource | None:
    return next((each for each in records if each.name == name), None)


def intent(request: HtmxHttpRequest) -> str:
    return request.POST.get("intent", "") if request.method == "POST" else ""


def rows(
    data: Mapping[str, Any],
    prefix: str,
    fields: tuple[str, ...],
    *,
    required: tuple[str, ...],
    extra: int = 0,
    at_least: int = 1,
) -> list[dict[str, str]]:
    """The `prefix-N-field` rows of the form, blank rows (all `required` fields empty) dropped.

    Rows are renumbered, so row N of the page is item N of the API body and its errors line up.
    """
    count = _int(data.get(f"{prefix}_rows"), default=at_least)
    found = []
    for index in range(min(count, 50)):
        row = {field: str(data.get(f"{prefix}-{index}-{field}", "")).strip() for field in fields}
        if any(row[field] for field in required):
            found.append(row)
    blank = dict.fromkeys(fields, "")
    return found + [dict(blank) for _ in range(max(at_least - len(found), 0) + extra)]


def more_rows(request: HtmxHttpRequest, prefix: str) -> int:
    return 1 if intent(request) == f"more:{prefix}" else 0


def filled(row: Mapping[str, str], required: tuple[str, ...]) -> bool:
    return any(row[field] for field in required)


def _int(value: Any, *, default: int) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return default


def without_blanks(values: Mapping[str, Any], *optional: str) -> dict[str, Any]:
    """Drop empty optional inputs so the serializer applies the API's defaults to them."""
    return {key: value for key, value in values.items() if not (key in optional and value in ("", None))}


def flat_errors(detail: Any, prefix: str = "") -> Errors:
    """DRF's nested error detail as {"a.0.b": "first message"}."""
    found: Errors = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            found.update(flat_errors(value, f"{prefix}.{name}".strip(".") if name else prefix))
    elif isinstance(detail, list) and detail and all(isinstance(each, str) for each in detail):
        found[prefix or GENERAL] = str(detail[0])
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if value:
                found.update(flat_errors(value, f"{prefix}.{index}".strip(".")))
    elif detail:
        found[prefix or GENERAL] = str(detail)
    return found


def field_key(field: str) -> str:
    """The API's `subnets[1].zone` as this module's `subnets.1.zone`."""
    return re.sub(r"\[(\d+)\]", r".\1", field or "").strip(".") or GENERAL


def validate(serializer_class: type[Serializer], data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, Errors]:
    incoming = serializer_class(data=dict(data))
    if incoming.is_valid():
        return dict(incoming.validated_data), {}
    return None, flat_errors(incoming.errors)


def scoped(errors: Errors, prefix: str) -> Errors:
    """The errors under `prefix.` with that prefix removed (one row's, one part's)."""
    start = f"{prefix}."
    return {key[len(start) :]: value for key, value in errors.items() if key.startswith(start)}


def top_level(errors: Errors, *row_prefixes: str) -> Errors:
    """Errors to show beside plain inputs: `security_groups.1` shows at `security_groups`; row errors stay in rows."""
    found: Errors = {}
    for key, value in errors.items():
        head = key.split(".", 1)[0]
        if "." in key and head in row_prefixes:
            continue
        found.setdefault(head, value)
    return found


def row_context(values: list[dict[str, str]], errors: Errors, prefix: str) -> list[dict[str, Any]]:
    return [
        {"index": index, "values": row, "errors": scoped(errors, f"{prefix}.{index}")}
        for index, row in enumerate(values)
    ]


def submit(
    request: HtmxHttpRequest,
    *,
    segment: str,
    start: Callable[[], Operation],
    form: Callable[[Errors, Operation | None], HttpResponse],
    long: bool = False,
) -> HttpResponse:
    """Start the operation; show its failure on the form, else go to its progress page.

    Short work is waited for (bounded), so a refused request comes back to the form with the cloud's
    message beside the field; long work (a cluster) is not waited for and shows progress instead.
    """
    try:
        operation = start()
    except ServiceError as exc:
        return form({field_key(exc.field): exc.message}, None)
    except DriverError as exc:
        return form({field_key(exc.field): str(exc)}, None)
    timeout = 0 if long else settings.SPIDERWEB_OPERATION_WAIT_SECONDS
    operation = operations.operation_wait(operation=operation, timeout=timeout)
    if operation.state == OperationState.FAILED:
        return form({field_key(operation.error_field): operation.error_message}, operation)
    return redirect(reverse("resource-create-done", args=[segment, operation.pk]))


PARTIAL_OF_INTENT = {"refresh": "fields", "review": "review"}


def render_form(request: HtmxHttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or only the part htmx asked for: choices refilled, or the VM wizard's review."""
    part = PARTIAL_OF_INTENT.get(intent(request)) if request.htmx else None
    return render(request, f"{template}#{part}" if part else template, context)


def base_context(request: HtmxHttpRequest, segment: str, title: str) -> dict[str, Any]:
    data = request.POST if request.method == "POST" else request.GET
    choices = connections_all()
    return {
        "segment": segment,
        "title": title,
        "connections": choices,
        "connection": connection_chosen(data, choices),
        "values": data,
    }
