"""`POST inventory/refresh/`: start a refresh of the inventory, as an operation with progress."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from connections.api.serializers import StrictSerializer
from resources.api.base import ACCEPTED, ASYNC_NOTE, parse
from resources.api.operations import operation_response
from resources.api.serializers import RefreshResultOut
from resources.inventory.refresh import inventory_kinds, inventory_refresh


class RefreshIn(StrictSerializer):
    connections = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        help_text="Connection names; empty or absent: every connection.",
    )
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=list(inventory_kinds())),
        required=False,
        default=list,
        help_text="Kinds to list; empty or absent: every kind.",
    )


class InventoryRefresh(APIView):
    @extend_schema(
        summary="Refresh the inventory: list every (connection, kind) in scope at the cloud, side by side",
        description=ASYNC_NOTE + " The operation counts progress (`progress.done` of `progress.total`, "
        "`progress.failed`); its result lists each failed (connection, kind) with the cloud's error.",
        tags=["inventory"],
        request=RefreshIn,
        responses={200: RefreshResultOut, 202: ACCEPTED},
        examples=[
            OpenApiExample(
                "two connections, VMs only",
                request_only=True,
                value={"connections": ["mock-mars-z1", "mock-venus-z2"], "kinds": ["vm"]},
            ),
            OpenApiExample("everything", request_only=True, value={}),
        ],
    )
    def post(self, request: Request) -> Response:
        data = parse(RefreshIn, request)
        operation = inventory_refresh(user=request.user, connections=data["connections"], kinds=data["kinds"])
        return operation_response(request, RefreshResultOut, operation)
