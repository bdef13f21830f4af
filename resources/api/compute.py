"""VMs: create, read, status, control, terminate."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from resources.api import serializers as s
from resources.api.base import ACCEPTED, ASYNC_NOTE, REFRESH, ConnectionView, parse
from resources.api.extras import VMMetrics
from resources.api.operations import operation_response
from resources.models import Kind
from resources.services import vm
from spiderweb.api import page_of

VM_EXAMPLE = OpenApiExample(
    "a VM",
    request_only=True,
    value={
        "name": "vm-01",
        "image": "mock-vmimage-01",
        "spec": "mock-vmspec-01",
        "vpc": "vpc-01",
        "subnet": "subnet-01",
        "security_groups": ["sg-01"],
        "key_pair": "keypair-01",
        "root_disk_size_gb": 50,
        "tags": {"team": "web"},
    },
)
ACTION_EXAMPLE = OpenApiExample("suspend", request_only=True, value={"action": "suspend"})


class VMCollection(ConnectionView):
    kind = Kind.VM

    @extend_schema(summary="List VMs", tags=["vms"], parameters=[REFRESH], responses=page_of(s.VMOut))
    def get(self, request: Request, conn: str) -> HttpResponse:
        return self.list_records(request, conn)

    @extend_schema(
        summary="Start a VM",
        description=ASYNC_NOTE,
        tags=["vms"],
        request=s.VMIn,
        responses={201: s.VMOut, 202: ACCEPTED},
        examples=[VM_EXAMPLE],
    )
    def post(self, request: Request, conn: str) -> Response:
        data = parse(s.VMIn, request)
        operation = vm.vm_create(connection=self.connection(conn), user=request.user, spec=vm.VMSpec(**data))
        return operation_response(request, s.VMOut, operation, success_status=status.HTTP_201_CREATED)


class VMItem(ConnectionView):
    kind = Kind.VM

    @extend_schema(summary="Get a VM (read from the cloud)", tags=["vms"], responses=s.VMOut)
    def get(self, request: Request, conn: str, name: str) -> Response:
        return self.fetch_record(conn, name)

    @extend_schema(
        summary="Terminate a VM", description=ASYNC_NOTE, tags=["vms"], responses={200: s.TerminatedOut, 202: ACCEPTED}
    )
    def delete(self, request: Request, conn: str, name: str) -> Response:
        operation = vm.vm_delete(connection=self.connection(conn), user=request.user, name=name)
        return operation_response(request, s.TerminatedOut, operation)


class VMStatusView(ConnectionView):
    kind = Kind.VM

    @extend_schema(summary="A VM's status, asked of the cloud now", tags=["vms"], responses=s.VMStatusOut)
    def get(self, request: Request, conn: str, name: str) -> Response:
        return Response(vm.vm_status(connection=self.connection(conn), name=name))


class VMActions(ConnectionView):
    kind = Kind.VM

    @extend_schema(
        summary="Suspend, resume or reboot a VM (answers the transitional status)",
        description=ASYNC_NOTE + " An action the VM's state forbids answers 409.",
        tags=["vms"],
        request=s.VMActionIn,
        responses={200: s.VMActionOut, 202: ACCEPTED},
        examples=[ACTION_EXAMPLE],
    )
    def post(self, request: Request, conn: str, name: str) -> Response:
        data = parse(s.VMActionIn, request)
        operation = vm.vm_control(connection=self.connection(conn), user=request.user, name=name, action=data["action"])
        return operation_response(request, s.VMActionOut, operation)


# Mounted under `connections/{conn}/vms/` by the kind registry (see resources.api.urls).
VM_ROUTES: list[URLPattern] = [
    path("", VMCollection.as_view(), name="vm-list"),
    path("<str:name>/", VMItem.as_view(), name="vm-detail"),
    path("<str:name>/status/", VMStatusView.as_view(), name="vm-status"),
    path("<str:name>/actions/", VMActions.as_view(), name="vm-actions"),
    path("<str:name>/metrics/", VMMetrics.as_view(), name="vm-metrics"),
]
