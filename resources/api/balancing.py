"""Network load balancers."""

from __future__ import annotations

from typing import ClassVar

from django.http import HttpResponse
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from resources.api import serializers as s
from resources.api.base import ACCEPTED, ASYNC_NOTE, REFRESH, ConnectionView, parse
from resources.api.operations import operation_response
from resources.models import Kind
from resources.services import nlb
from spiderweb.api import page_of

NLB_EXAMPLE = OpenApiExample(
    "a public TCP balancer in front of two VMs",
    request_only=True,
    value={
        "name": "nlb-01",
        "vpc": "vpc-01",
        "type": "PUBLIC",
        "scope": "REGION",
        "listener": {"protocol": "TCP", "port": 80},
        "vm_group": {"protocol": "TCP", "port": 8080, "vms": ["vm-01", "vm-02"]},
        "health_checker": {"protocol": "TCP", "port": 8080, "interval_s": 10, "timeout_s": 5, "threshold": 3},
    },
)


class NLBCollection(ConnectionView):
    kind = Kind.NLB

    @extend_schema(
        summary="List network load balancers", tags=["nlbs"], parameters=[REFRESH], responses=page_of(s.NLBOut)
    )
    def get(self, request: Request, conn: str) -> HttpResponse:
        return self.list_records(request, conn)

    @extend_schema(
        summary="Create a network load balancer",
        description=ASYNC_NOTE,
        tags=["nlbs"],
        request=s.NLBIn,
        responses={201: s.NLBOut, 202: ACCEPTED},
        examples=[NLB_EXAMPLE],
    )
    def post(self, request: Request, conn: str) -> Response:
        data = parse(s.NLBIn, request)
        data["nlb_type"] = data.pop("type")
        operation = nlb.nlb_create(connection=self.connection(conn), user=request.user, **data)
        return operation_response(request, s.NLBOut, operation, success_status=status.HTTP_201_CREATED)


class NLBItem(ConnectionView):
    kind = Kind.NLB

    @extend_schema(summary="Get a network load balancer (read from the cloud)", tags=["nlbs"], responses=s.NLBOut)
    def get(self, request: Request, conn: str, name: str) -> Response:
        return self.fetch_record(conn, name)

    @extend_schema(
        summary="Delete a network load balancer",
        description=ASYNC_NOTE,
        tags=["nlbs"],
        responses={200: s.DeletedOut, 202: ACCEPTED},
    )
    def delete(self, request: Request, conn: str, name: str) -> Response:
        return operation_response(
            request, s.DeletedOut, nlb.nlb_delete(connection=self.connection(conn), user=request.user, name=name)
        )


class NLBVMs(ConnectionView):
    @extend_schema(
        summary="Add VMs to the balancer's group",
        description=ASYNC_NOTE,
        tags=["nlbs"],
        request=s.NLBVMsIn,
        responses={200: s.NLBOut, 202: ACCEPTED},
        examples=[OpenApiExample("one more VM", request_only=True, value={"vms": ["vm-03"]})],
    )
    def post(self, request: Request, conn: str, name: str) -> Response:
        data = parse(s.NLBVMsIn, request)
        return operation_response(
            request,
            s.NLBOut,
            nlb.nlb_vms_change(
                connection=self.connection(conn), user=request.user, name=name, vms=data["vms"], add=True
            ),
        )

    @extend_schema(
        summary="Remove VMs from the balancer's group",
        description=ASYNC_NOTE,
        tags=["nlbs"],
        request=s.NLBVMsIn,
        responses={200: s.NLBOut, 202: ACCEPTED},
    )
    def delete(self, request: Request, conn: str, name: str) -> Response:
        data = parse(s.NLBVMsIn, request)
        return operation_response(
            request,
            s.NLBOut,
            nlb.nlb_vms_change(
                connection=self.connection(conn), user=request.user, name=name, vms=data["vms"], add=False
            ),
        )


class NLBPart(ConnectionView):
    """PUT one part of a balancer: its listener, VM group (protocol and port) or health checker."""

    part: ClassVar[str] = ""
    serializer: ClassVar[type[Serializer]] = s.ListenerIn

    def put(self, request: Request, conn: str, name: str) -> Response:
        data = parse(self.serializer, request)
        return operation_response(
            request,
            s.NLBOut,
            nlb.nlb_change(connection=self.connection(conn), user=request.user, name=name, part=self.part, values=data),
        )


def _part_view(part: str, serializer: type[Serializer]) -> type[NLBPart]:
    view = type(f"NLB{part.title().replace('_', '')}", (NLBPart,), {"part": part, "serializer": serializer})
    return extend_schema(
        methods=["PUT"],
        summary=f"Change the balancer's {part.replace('_', ' ')}",
        description=ASYNC_NOTE,
        tags=["nlbs"],
        request=serializer,
        responses={200: s.NLBOut, 202: ACCEPTED},
    )(view)


NLBListener = _part_view("listener", s.ListenerIn)
NLBVMGroup = _part_view("vm_group", s.VMGroupChangeIn)
NLBHealthChecker = _part_view("health_checker", s.HealthCheckerIn)


class NLBHealth(ConnectionView):
    @extend_schema(summary="Health of each VM behind the balancer", tags=["nlbs"], responses=s.NLBHealthOut)
    def get(self, request: Request, conn: str, name: str) -> Response:
        return Response(nlb.nlb_health(connection=self.connection(conn), name=name))


# Mounted under `connections/{conn}/nlbs/` by the kind registry (see resources.api.urls).
NLB_ROUTES: list[URLPattern] = [
    path("", NLBCollection.as_view(), name="nlb-list"),
    path("<str:name>/", NLBItem.as_view(), name="nlb-detail"),
    path("<str:name>/vms/", NLBVMs.as_view(), name="nlb-vms"),
    path("<str:name>/listener/", NLBListener.as_view(), name="nlb-listener"),
    path("<str:name>/vm-group/", NLBVMGroup.as_view(), name="nlb-vm-group"),
    path("<str:name>/health-checker/", NLBHealthChecker.as_view(), name="nlb-health-checker"),
    path("<str:name>/health/", NLBHealth.as_view(), name="nlb-health"),
]
