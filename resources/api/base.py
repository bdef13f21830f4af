"""Shared pieces of the per-connection resource views."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django import forms
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from connections.models import Connection
from resources import kinds
from resources.api.serializers import OperationOut
from resources.filters import FlagField, query_values
from resources.selectors import answers_json, present, record_versions
from resources.services import adoption, records
from spiderweb.api import Pagination

ACCEPTED = OpenApiResponse(OperationOut, description="Still running, or `Prefer: respond-async` was sent.")
REFRESH = OpenApiParameter("refresh", bool, description="List at the cloud first and bring the records up to date.")
ASYNC_NOTE = (
    "Waits for the operation (bounded) and answers with the result; with `Prefer: respond-async` "
    "answers 202 at once with the operation and its `Location`."
)


def parse(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    incoming = serializer_class(data=request.data)
    incoming.is_valid(raise_exception=True)
    return dict(incoming.validated_data)


def answer_serializer(kind: str) -> type[Serializer]:
    """The serializer a kind's answers are rendered through: the one its schema shows."""
    out: type[Serializer] = kinds.resolve(kinds.get(kind).serializer)
    return out


class RefreshQuery(forms.Form):
    refresh = FlagField()


class ConnectionView(APIView):
    """A view under `connections/{conn}/`; `kind` is set per route."""

    kind: ClassVar[str] = ""

    def connection(self, conn: str) -> Connection:
        return records.connection_get(name=conn)

    def list_records(self, request: Request, conn: str) -> HttpResponse:
        """A page of records; item answers come pre-rendered (see `answers_json`), so the page is spliced."""
        if query_values(RefreshQuery, request.query_params)["refresh"]:
            adoption.resources_sync(connection=self.connection(conn), kind=self.kind)
        paginator = Pagination()
        versions = record_versions(connection_name=conn, kind=self.kind)
        rows = list(paginator.paginate_queryset(versions, request, view=self) or [])
        if not rows:
            self.connection(conn)  # an empty page of an unknown connection is a 404
        out = answer_serializer(self.kind)
        items = answers_json(
            connection_name=conn,
            kind=self.kind,
            rows=rows,
            load_connection=lambda: self.connection(conn),
            render=lambda answers: list(out(answers, many=True).data),
        )
        assert paginator.page is not None
        body = (
            f'{{"count":{paginator.page.paginator.count},"next":{json.dumps(paginator.get_next_link())},'
            f'"previous":{json.dumps(paginator.get_previous_link())},"results":[{",".join(items)}]}}'
        )
        return HttpResponse(body.encode("utf-8"), content_type="application/json")

    def fetch_record(self, conn: str, name: str) -> Response:
        connection = self.connection(conn)
        record = adoption.resource_fetch(connection=connection, kind=self.kind, name=name)
        return Response(answer_serializer(self.kind)(present(record, connection=connection)).data)
