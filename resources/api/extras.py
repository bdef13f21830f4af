"""Tags, AnyCall and VM metrics of one connection."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from connections.api.serializers import StrictSerializer
from resources.api import serializers as s
from resources.api.base import ACCEPTED, ASYNC_NOTE, ConnectionView, parse
from resources.api.operations import operation_response
from resources.services import anycall, destroy, monitoring, tags
from spiderweb.errors import InvalidInput
from spiderweb.schema import SpiderwebSchema


class TagIn(StrictSerializer):
    key = serializers.CharField(max_length=128)
    value = serializers.CharField(max_length=256, allow_blank=True, default="")


class AnyCallIn(StrictSerializer):
    fid = serializers.CharField(max_length=100, help_text="The function id; `providers/` lists each driver's.")
    params = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, default=dict)


class ResourceTags(ConnectionView):
    @extend_schema(summary="A resource's tags, read from the cloud", tags=["tags"], responses=s.TagsOut)
    def get(self, request: Request, conn: str, name: str, subnet: str = "") -> Response:
        # Subnets are addressed under their VPC: `name` is then the VPC and `subnet` the resource.
        return Response(tags.tags_list(connection=self.connection(conn), kind=self.kind, name=subnet or name))

    @extend_schema(
        summary="Add (or change) a tag",
        description=ASYNC_NOTE + " A kind the driver cannot tag: 501.",
        tags=["tags"],
        request=TagIn,
        responses={200: s.TagsOut, 202: ACCEPTED},
        examples=[OpenApiExample("a tag", request_only=True, value={"key": "team", "value": "web"})],
    )
    def post(self, request: Request, conn: str, name: str, subnet: str = "") -> Response:
        data = parse(TagIn, request)
        operation = tags.tag_add(
            connection=self.connection(conn),
            user=request.user,
            kind=self.kind,
            name=subnet or name,
            key=data["key"],
            value=data["value"],
        )
        return operation_response(request, s.TagsOut, operation)


class _OneTagSchema(SpiderwebSchema):
    """`…/tags/` and `…/tags/{key}/` would otherwise get the same operation id."""

    def get_operation_id(self) -> str:
        return f"{super().get_operation_id()}_by_key"


class ResourceTag(ConnectionView):
    schema = _OneTagSchema()

    @extend_schema(summary="One tag's value", tags=["tags"], responses=s.TagOut)
    def get(self, request: Request, conn: str, name: str, key: str, subnet: str = "") -> Response:
        return Response(tags.tag_get(connection=self.connection(conn), kind=self.kind, name=subnet or name, key=key))

    @extend_schema(
        summary="Remove a tag", description=ASYNC_NOTE, tags=["tags"], responses={200: s.TagsOut, 202: ACCEPTED}
    )
    def delete(self, request: Request, conn: str, name: str, key: str, subnet: str = "") -> Response:
        operation = tags.tag_remove(
            connection=self.connection(conn), user=request.user, kind=self.kind, name=subnet or name, key=key
        )
        return operation_response(request, s.TagsOut, operation)


class TagSearch(ConnectionView):
    @extend_schema(
        summary="Resources whose tag key or value contains a keyword",
        tags=["tags"],
        parameters=[OpenApiParameter("keyword", str, required=True), OpenApiParameter("kind", str)],
        responses=s.TagMatchOut(many=True),
    )
    def get(self, request: Request, conn: str) -> Response:
        keyword = request.query_params.get("keyword", "")
        if not keyword:
            raise InvalidInput("keyword is required", field="keyword")
        return Response(
            tags.tags_find(connection=self.connection(conn), keyword=keyword, kind=request.query_params.get("kind", ""))
        )


class AnyCall(ConnectionView):
    @extend_schema(
        summary="Call a driver-specific function by id",
        description=ASYNC_NOTE + " An unknown fid is a 400 listing the driver's.",
        tags=["anycall"],
        request=AnyCallIn,
        responses={200: s.AnyCallOut, 202: ACCEPTED},
        examples=[
            OpenApiExample("count VPCs", request_only=True, value={"fid": "countAll", "params": {"rsType": "vpc"}})
        ],
    )
    def post(self, request: Request, conn: str) -> Response:
        data = parse(AnyCallIn, request)
        operation = anycall.anycall(
            connection=self.connection(conn), user=request.user, fid=data["fid"], params=data["params"]
        )
        return operation_response(request, s.AnyCallOut, operation)


class VMMetrics(ConnectionView):
    @extend_schema(
        summary="A VM metric as a time series",
        tags=["vms"],
        parameters=[
            OpenApiParameter("metric", str, enum=list(monitoring.METRICS), required=True),
            OpenApiParameter("interval", int, description="Minutes between samples (default 1)."),
            OpenApiParameter("period", int, description="Hours back from now (default 1)."),
        ],
        responses=s.MetricOut,
    )
    def get(self, request: Request, conn: str, name: str) -> Response:
        params = request.query_params
        return Response(
            monitoring.vm_metrics(
                connection=self.connection(conn),
                name=name,
                metric=params.get("metric", ""),
                interval_minutes=_integer(params.get("interval", "1"), "interval"),
                period_hours=_integer(params.get("period", "1"), "period"),
            )
        )


def _integer(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a whole number", field=field) from None


class Destroy(ConnectionView):
    @extend_schema(
        summary="Delete every managed resource of the connection, dependants first",
        description=ASYNC_NOTE + " The answer lists what was deleted and what remained, with why.",
        tags=["connections"],
        request=None,
        responses={200: s.DestroyOut, 202: ACCEPTED},
    )
    def post(self, request: Request, conn: str) -> Response:
        operation = destroy.connection_destroy(connection=self.connection(conn), user=request.user)
        return operation_response(request, s.DestroyOut, operation)
