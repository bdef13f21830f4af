"""Read API across all connections: `inventory/summary/` and `inventory/{kind}/`.

The views only parse the query string; `resources.inventory` does the reading. The
`refresh/` action lives in `resources.api.inventory_refresh` and is routed ahead of these.
"""

from __future__ import annotations

from typing import ClassVar

from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from resources import kinds
from resources.filters import ORDER_FIELDS, ResourceFilterSet, summary_scope
from resources.inventory.listing import inventory_records, present_inventory_page
from resources.inventory.summary import inventory_summary
from resources.models import RefreshOutcome
from spiderweb.api import Pagination, page_of
from spiderweb.errors import NotFound

# --- documentation of the answers -------------------------------------------------------------------


def _repeatable(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, str, many=True, explode=True, description=f"{description} Repeat the parameter or give a comma list."
    )


SCOPE_PARAMETERS = [
    _repeatable("provider", "Only connections of these providers (e.g. `mock`); an unknown provider is a 400."),
    _repeatable("connection", "Only these connections, by name; an unknown connection is a 400."),
]
LIST_PARAMETERS = [
    *SCOPE_PARAMETERS,
    _repeatable("region", "Only records in these regions."),
    _repeatable("zone", "Only records in these zones (a record without a zone of its own is in its connection's)."),
    _repeatable("status", "Only records with this cloud status (exact, case-insensitive), e.g. `Running`."),
    OpenApiParameter(
        "tag",
        str,
        many=True,
        explode=True,
        description="`key` (the tag is set) or `key=value`; repeat for several, all must match.",
    ),
    OpenApiParameter(
        "managed",
        bool,
        description="`true`: created or registered through Spiderweb; `false`: only discovered at the cloud.",
    ),
    OpenApiParameter("missing", bool, description="`true`: only records gone at the cloud; `false`: only present."),
    OpenApiParameter("search", str, description="Name contains (case-insensitive)."),
    OpenApiParameter(
        "ordering",
        str,
        many=True,
        explode=False,
        enum=[f"{sign}{name}" for name in ORDER_FIELDS for sign in ("", "-")],
        description="Comma list; `-` for descending. Ties are broken by connection, then name (the default).",
    ),
    OpenApiParameter("page", OpenApiTypes.INT),
    OpenApiParameter("page_size", OpenApiTypes.INT),
]


class FreshnessOut(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[outcome.value for outcome in RefreshOutcome])
    last_success_at = serializers.DateTimeField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    age_seconds = serializers.FloatField(allow_null=True, help_text="Since the last success.")
    stale = serializers.BooleanField(
        help_text="Never refreshed, or the last success is older than `stale_after_seconds`."
    )
    duration_ms = serializers.IntegerField(allow_null=True)
    error_code = serializers.CharField()
    error_message = serializers.CharField()


def _by_kind(help_text: str) -> serializers.DictField:
    return serializers.DictField(child=serializers.IntegerField(), help_text=help_text)


class SummaryConnectionOut(serializers.Serializer):
    name = serializers.CharField()
    resources = serializers.IntegerField(help_text="Records present at the cloud, all kinds.")
    counts = _by_kind("Kind → records present at the cloud (managed and discovered).")
    missing = _by_kind("Kind → records gone at the cloud.")
    freshness = serializers.DictField(child=FreshnessOut(), help_text="Kind → freshness of its listing.")


class SummaryZoneOut(serializers.Serializer):
    zone = serializers.CharField()
    connections = SummaryConnectionOut(many=True)


class SummaryRegionOut(serializers.Serializer):
    region = serializers.CharField()
    zones = SummaryZoneOut(many=True)


class SummaryProviderTotalsOut(serializers.Serializer):
    connections = serializers.IntegerField()
    resources = serializers.IntegerField()
    missing = serializers.IntegerField()
    by_kind = _by_kind("Kind → records present at the cloud.")


class SummaryTotalsOut(SummaryProviderTotalsOut):
    stale = serializers.IntegerField(help_text="(connection, kind) cells that are stale.")
    failed = serializers.IntegerField(help_text="(connection, kind) cells whose last refresh failed.")


class SummaryProviderOut(serializers.Serializer):
    provider = serializers.CharField()
    totals = SummaryProviderTotalsOut()
    regions = SummaryRegionOut(many=True)


class SummaryOut(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    kinds = serializers.ListField(child=serializers.CharField())
    stale_after_seconds = serializers.IntegerField()
    totals = SummaryTotalsOut()
    providers = SummaryProviderOut(many=True)


class _Provider(serializers.Serializer):
    provider = serializers.CharField(help_text="The connection's provider.")


def _inventory_item(spec: kinds.KindSpec) -> type[serializers.Serializer]:
    """The kind's per-connection answer, plus the connection's provider."""
    out = kinds.resolve(spec.serializer)
    return type(f"Inventory{out.__name__}", (out, _Provider), {"__module__": __name__})


# --- views ------------------------------------------------------------------------------------------


class InventorySummary(APIView):
    @extend_schema(
        summary="Counts per (connection, kind) with freshness, grouped by provider, region and zone",
        tags=["inventory"],
        responses=SummaryOut,
        parameters=[
            *SCOPE_PARAMETERS,
            OpenApiParameter("hide_empty", bool, description="Leave out connections without records."),
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(SummaryOut(inventory_summary(**summary_scope(request.query_params))).data)


class InventoryList(APIView):
    """Records of one kind on every connection, managed and discovered; `kind` is set per route."""

    kind: ClassVar[str] = ""
    item: ClassVar[type[serializers.Serializer]] = serializers.Serializer

    def get(self, request: Request) -> Response:
        records = ResourceFilterSet(request.query_params, queryset=inventory_records(kind=self.kind)).qs
        paginator = Pagination()
        page = list(paginator.paginate_queryset(records, request, view=self) or [])
        return paginator.get_paginated_response(self.item(present_inventory_page(page), many=True).data)


def _list_view(spec: kinds.KindSpec) -> type[InventoryList]:
    item = _inventory_item(spec)
    view = type(
        f"{item.__name__.removesuffix('Out')}List",
        (InventoryList,),
        {"kind": spec.name, "item": item, "__doc__": InventoryList.__doc__},
    )
    return extend_schema_view(
        get=extend_schema(
            summary=f"List {spec.plural} across all connections",
            tags=["inventory"],
            parameters=LIST_PARAMETERS,
            responses=page_of(item, name=item.__name__.removesuffix("Out")),
            operation_id=f"v1_inventory_{spec.segment.replace('-', '_')}_list",
        )
    )(view)


class UnknownKind(APIView):
    """Answers an unknown `inventory/{kind}/` in the API's error format rather than Django's HTML 404."""

    @extend_schema(exclude=True)
    def get(self, request: Request, segment: str) -> Response:
        known = ", ".join(spec.segment for spec in kinds.all_kinds())
        raise NotFound(f"no inventory of {segment!r}; kinds: {known}")


urlpatterns: list[URLPattern] = [
    path("summary/", InventorySummary.as_view(), name="inventory-summary"),
    *(
        path(f"{spec.segment}/", _list_view(spec).as_view(), name=f"inventory-{spec.segment}")
        for spec in kinds.all_kinds()
    ),
    path("<str:segment>/", UnknownKind.as_view(), name="inventory-unknown"),
]
