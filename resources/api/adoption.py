"""Register existing cloud objects, unregister records, and compare records with the cloud."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from resources import kinds
from resources.api import serializers as s
from resources.api.base import ACCEPTED, ASYNC_NOTE, ConnectionView, answer_serializer, parse
from resources.api.operations import operation_response
from resources.services import adoption

REGISTER_EXAMPLE = OpenApiExample(
    "adopt an object", request_only=True, value={"name": "legacy-vpc", "system_id": "vpc-0a1b2c3d"}
)


class Register(ConnectionView):
    """Answers with the registered object in its kind's shape; `register_view` documents each kind's."""

    def post(self, request: Request, conn: str) -> Response:
        data = parse(s.RegisterIn, request)
        operation = adoption.resource_register(
            connection=self.connection(conn),
            user=request.user,
            kind=self.kind,
            name=data["name"],
            system_id=data["system_id"],
        )
        out = answer_serializer(self.kind)
        return operation_response(request, out, operation, success_status=status.HTTP_201_CREATED)


def register_view(spec: kinds.KindSpec) -> type[Register]:
    """`{segment}/register/` of one kind, documented with that kind's answer."""
    view = type(
        f"Register{kinds.resolve(spec.serializer).__name__.removesuffix('Out')}",
        (Register,),
        {"kind": spec.name, "__doc__": Register.__doc__},
    )
    return extend_schema(
        methods=["POST"],
        summary=f"Register an existing {spec.noun} under a name (after checking it exists)",
        description=ASYNC_NOTE,
        request=s.RegisterIn,
        responses={201: answer_serializer(spec.name), 202: ACCEPTED},
        examples=[REGISTER_EXAMPLE],
    )(view)


class Unregister(ConnectionView):
    @extend_schema(
        summary="Unregister: forget the record, keep the cloud object", request=None, responses={200: s.UnregisteredOut}
    )
    def post(self, request: Request, conn: str, name: str) -> Response:
        operation = adoption.resource_unregister(
            connection=self.connection(conn), user=request.user, kind=self.kind, name=name
        )
        return Response(s.UnregisteredOut(operation.result).data)


class Reconcile(ConnectionView):
    @extend_schema(
        summary="Compare records with the cloud: managed, only in Spiderweb, only at the cloud",
        responses=s.ReconcileOut,
    )
    def get(self, request: Request, conn: str) -> Response:
        return Response(s.ReconcileOut(adoption.reconcile(connection=self.connection(conn), kind=self.kind)).data)
