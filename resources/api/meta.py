"""Meta information of one connection: region-zones, images, specs and prices.

Views parse the query string, call one `resources.catalogue.meta` function and render through the
output serializers below (which are also what the OpenAPI schema shows). Every answer says in the
`X-Spiderweb-Cache` header whether it came from the cache (`hit`) or from the cloud (`miss`); lists
also carry `cached_at`, when the cloud gave the answer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from connections.models import Connection
from connections.services import registration_get
from resources.catalogue import meta
from resources.filters import FlagField, NumberField, TextField, WholeNumberField, query_values
from spiderweb.api import Pagination, page_of
from spiderweb.errors import InvalidInput

CACHE_HEADER = "X-Spiderweb-Cache"
TAGS = ["meta"]

# --- output serializers -------------------------------------------------------------------------------


def _strings() -> serializers.DictField:
    return serializers.DictField(child=serializers.CharField())


class ZoneOut(serializers.Serializer):
    name = serializers.CharField()
    display_name = serializers.CharField()
    status = serializers.CharField(help_text="Available, Unavailable or StatusNotSupported")
    tags = _strings()
    extra = _strings()


class RegionZoneOut(serializers.Serializer):
    name = serializers.CharField()
    system_id = serializers.CharField()
    display_name = serializers.CharField()
    zones = ZoneOut(many=True)
    tags = _strings()
    extra = _strings()


class IIDOut(serializers.Serializer):
    name_id = serializers.CharField()
    system_id = serializers.CharField()


class ImageOut(serializers.Serializer):
    name = serializers.CharField()
    system_id = serializers.CharField()
    iid = IIDOut()
    os_architecture = serializers.CharField(help_text="e.g. x86_64, arm64")
    os_platform = serializers.CharField(help_text="e.g. Linux/UNIX, Windows")
    os_distribution = serializers.CharField(help_text='e.g. "Ubuntu 22.04 LTS"')
    os_disk_type = serializers.CharField()
    os_disk_size_gb = serializers.IntegerField()
    status = serializers.CharField(help_text="Available, Unavailable or Deprecated")
    tags = _strings()
    extra = _strings()


class GpuOut(serializers.Serializer):
    count = serializers.IntegerField()
    manufacturer = serializers.CharField()
    model = serializers.CharField()
    memory_mib = serializers.IntegerField()
    tags = _strings()
    extra = _strings()


class SpecOut(serializers.Serializer):
    name = serializers.CharField()
    system_id = serializers.CharField()
    region = serializers.CharField()
    vcpu = serializers.IntegerField()
    memory_mib = serializers.IntegerField()
    architecture = serializers.CharField()
    clock_ghz = serializers.FloatField(allow_null=True)
    gpus = GpuOut(many=True)
    disk_size_gb = serializers.IntegerField(help_text="local instance storage; 0 means network disks only")
    tags = _strings()
    extra = _strings()


class PriceOut(serializers.Serializer):
    name = serializers.CharField(help_text="the VM spec's name")
    system_id = serializers.CharField()
    spec_name = serializers.CharField()
    region = serializers.CharField()
    zone = serializers.CharField()
    hourly_price = serializers.CharField(help_text='exact decimal, as a string (e.g. "0.1766")')
    unit = serializers.CharField()
    currency = serializers.CharField()
    price_type = serializers.CharField()
    tags = _strings()
    extra = _strings()


def _page_of(item: type[serializers.Serializer], name: str) -> serializers.Serializer:
    cached_at = serializers.DateTimeField(help_text="when the cloud gave this list")
    return page_of(item, name=name, extra={"cached_at": cached_at})


# --- query parameters ---------------------------------------------------------------------------------


class CacheQuery(forms.Form):
    refresh = FlagField()


class ImageQuery(CacheQuery):
    distribution = TextField()
    os = TextField()
    architecture = TextField()
    platform = TextField()


class SpecQuery(CacheQuery):
    min_vcpu = WholeNumberField()
    max_vcpu = WholeNumberField()
    min_memory_gib = NumberField(number=float, what="a number")
    gpu = FlagField()
    architecture = TextField()


class PriceQuery(CacheQuery):
    spec = TextField()
    max_hourly_price = NumberField(number=Decimal, what="a decimal number")


def _param(name: str, kind: OpenApiTypes, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description)


CONN = OpenApiParameter("conn", OpenApiTypes.STR, OpenApiParameter.PATH, description="The connection's name.")
REFRESH = _param("refresh", OpenApiTypes.BOOL, "true: ask the cloud now, bypassing and re-filling the cache.")
PAGE = [
    _param("page", OpenApiTypes.INT, "Page number, from 1."),
    _param("page_size", OpenApiTypes.INT, f"Items per page (at most {Pagination.max_page_size})."),
]
LIST_PARAMS = [CONN, REFRESH, *PAGE]


def _detail_params(what: str) -> list[OpenApiParameter]:
    name = OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, description=f"The {what}.")
    return [CONN, name, REFRESH]


CACHE_NOTE = "Answered from a per-connection cache; the `X-Spiderweb-Cache` header says `hit` or `miss`."


# --- rendering ----------------------------------------------------------------------------------------


def _connection(conn: str) -> Connection:
    return registration_get(Connection, conn)


def _list_response(request: Request, result: meta.MetaList, out: type[serializers.Serializer]) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(result.items, request)
    response = paginator.get_paginated_response(out(page, many=True).data)
    response.data["cached_at"] = result.cached_at
    response[CACHE_HEADER] = "hit" if result.hit else "miss"
    return response


def _item_response(result: meta.MetaItem, out: type[serializers.Serializer]) -> Response:
    return Response(out(result.item).data, headers={CACHE_HEADER: "hit" if result.hit else "miss"})


# --- views ----------------------------------------------------------------------------------------------


def _schema(operation_id: str, summary: str, parameters: list[OpenApiParameter], responses: Any) -> Any:
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=CACHE_NOTE,
        tags=TAGS,
        parameters=parameters,
        responses=responses,
    )


class RegionZoneList(APIView):
    @_schema(
        "meta_region_zones_list",
        "List the cloud's regions and their zones",
        LIST_PARAMS,
        _page_of(RegionZoneOut, "RegionZone"),
    )
    def get(self, request: Request, conn: str) -> Response:
        query = query_values(CacheQuery, request.query_params)
        result = meta.meta_region_zones(connection=_connection(conn), refresh=bool(query["refresh"]))
        return _list_response(request, result, RegionZoneOut)


class RegionZoneDetail(APIView):
    @_schema(
        "meta_region_zones_retrieve", "Get one region and its zones", _detail_params("region's name"), RegionZoneOut
    )
    def get(self, request: Request, conn: str, name: str) -> Response:
        query = query_values(CacheQuery, request.query_params)
        result = meta.meta_region_zone_get(connection=_connection(conn), name=name, refresh=bool(query["refresh"]))
        return _item_response(result, RegionZoneOut)


IMAGE_FILTERS = [
    _param("distribution", OpenApiTypes.STR, 'Substring of the OS distribution, any case (e.g. "ubuntu").'),
    _param("os", OpenApiTypes.STR, "Another name for `distribution`."),
    _param("architecture", OpenApiTypes.STR, "OS architecture, any case (e.g. x86_64, arm64)."),
    _param("platform", OpenApiTypes.STR, 'Substring of the OS platform, any case (e.g. "linux", "windows").'),
]


class ImageList(APIView):
    @_schema("meta_images_list", "List the public images", [*LIST_PARAMS, *IMAGE_FILTERS], _page_of(ImageOut, "Image"))
    def get(self, request: Request, conn: str) -> Response:
        query = query_values(ImageQuery, request.query_params)
        distribution, os_name = query["distribution"], query["os"]
        if distribution and os_name and distribution != os_name:
            raise InvalidInput("os is another name for distribution: give one of them", field="os")
        result = meta.meta_images(
            connection=_connection(conn),
            refresh=bool(query["refresh"]),
            distribution=distribution or os_name,
            architecture=query["architecture"],
            platform=query["platform"],
        )
        return _list_response(request, result, ImageOut)


class ImageDetail(APIView):
    @_schema("meta_images_retrieve", "Get one public image", _detail_params("image's name or system id"), ImageOut)
    def get(self, request: Request, conn: str, name: str) -> Response:
        query = query_values(CacheQuery, request.query_params)
        result = meta.meta_image_get(connection=_connection(conn), name=name, refresh=bool(query["refresh"]))
        return _item_response(result, ImageOut)


SPEC_FILTERS = [
    _param("min_vcpu", OpenApiTypes.INT, "At least this many vCPUs."),
    _param("max_vcpu", OpenApiTypes.INT, "At most this many vCPUs."),
    _param("min_memory_gib", OpenApiTypes.FLOAT, "At least this much memory, in GiB (e.g. 7.5)."),
    _param("gpu", OpenApiTypes.BOOL, "true: only specs with GPUs; false: only specs without."),
    _param("architecture", OpenApiTypes.STR, "CPU architecture, any case (e.g. x86_64, arm64)."),
]


class SpecList(APIView):
    @_schema(
        "meta_specs_list",
        "List the VM specs of the connection's region",
        [*LIST_PARAMS, *SPEC_FILTERS],
        _page_of(SpecOut, "Spec"),
    )
    def get(self, request: Request, conn: str) -> Response:
        query = query_values(SpecQuery, request.query_params)
        result = meta.meta_specs(
            connection=_connection(conn),
            refresh=bool(query["refresh"]),
            min_vcpu=query["min_vcpu"],
            max_vcpu=query["max_vcpu"],
            min_memory_gib=query["min_memory_gib"],
            gpu=query["gpu"],
            architecture=query["architecture"],
        )
        return _list_response(request, result, SpecOut)


class SpecDetail(APIView):
    @_schema("meta_specs_retrieve", "Get one VM spec", _detail_params("spec's name or system id"), SpecOut)
    def get(self, request: Request, conn: str, name: str) -> Response:
        query = query_values(CacheQuery, request.query_params)
        result = meta.meta_spec_get(connection=_connection(conn), name=name, refresh=bool(query["refresh"]))
        return _item_response(result, SpecOut)


PRICE_FILTERS = [
    _param("spec", OpenApiTypes.STR, "Only this VM spec's prices."),
    _param("max_hourly_price", OpenApiTypes.DECIMAL, "At most this price per hour (e.g. 0.25)."),
]


class PriceList(APIView):
    @_schema(
        "meta_prices_list",
        "List on-demand VM prices of the connection's region, cheapest first",
        [*LIST_PARAMS, *PRICE_FILTERS],
        _page_of(PriceOut, "Price"),
    )
    def get(self, request: Request, conn: str) -> Response:
        query = query_values(PriceQuery, request.query_params)
        result = meta.meta_prices(
            connection=_connection(conn),
            refresh=bool(query["refresh"]),
            spec=query["spec"],
            max_hourly_price=query["max_hourly_price"],
        )
        return _list_response(request, result, PriceOut)


urlpatterns: list[URLPattern] = [
    path("region-zones/", RegionZoneList.as_view(), name="meta-region-zone-list"),
    path("region-zones/<str:name>/", RegionZoneDetail.as_view(), name="meta-region-zone-detail"),
    path("images/", ImageList.as_view(), name="meta-image-list"),
    # Some clouds' image ids are paths (GCP: projects/…/global/images/…), so the name may hold slashes.
    path("images/<path:name>/", ImageDetail.as_view(), name="meta-image-detail"),
    path("specs/", SpecList.as_view(), name="meta-spec-list"),
    path("specs/<str:name>/", SpecDetail.as_view(), name="meta-spec-detail"),
    path("prices/", PriceList.as_view(), name="meta-price-list"),
]
