"""Registry API: providers, drivers, credentials, regions and connections, looked up by name.

Views parse and render; every rule lives in `connections.services`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from connections import selectors, services
from connections.api import serializers as s
from connections.models import CloudDriver, Connection, Credential, Region


class ProviderViewSet(viewsets.ViewSet):
    """The catalogue of installed drivers: what each needs to register and what it can do."""

    lookup_field = "name"

    @extend_schema(summary="List the installed providers", tags=["providers"], responses=s.ProviderOut(many=True))
    def list(self, request: Request) -> Response:
        return Response(selectors.provider_catalogue())

    @extend_schema(summary="Get one provider's fields and capabilities", tags=["providers"], responses=s.ProviderOut,
                   parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, description="e.g. `mock`")])
    def retrieve(self, request: Request, name: str) -> Response:
        return Response(selectors.provider_entry(name))


class RegistrationViewSet(viewsets.GenericViewSet):
    """List, create, retrieve, update and delete one registration type, by name.

    Subclasses name the model and serializers and hand writes to their service through
    `create_record(data)`, `update_record(record, data, partial=...)` and `delete_record(record)`.
    """

    model: ClassVar[type[Model]]
    input_serializer: ClassVar[type[Serializer]]
    output_serializer: ClassVar[type[Serializer]]
    lookup_field = "name"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self) -> QuerySet[Any]:
        return self.model.objects.order_by("name")

    def get_serializer_class(self) -> type[Serializer]:
        return self.output_serializer

    def get_record(self, name: str) -> Any:
        return services.registration_get(self.model, name)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.output_serializer(page, many=True).data)

    def retrieve(self, request: Request, name: str) -> Response:
        return Response(self.output_serializer(self.get_record(name)).data)

    def create(self, request: Request) -> Response:
        incoming = self.input_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        record = self.create_record(dict(incoming.validated_data))
        location = request.build_absolute_uri(f"{request.path}{record.name}/")
        return Response(self.output_serializer(record).data, status=status.HTTP_201_CREATED,
                        headers={"Location": location})

    def update(self, request: Request, name: str) -> Response:
        return self._update(request, name, partial=False)

    def partial_update(self, request: Request, name: str) -> Response:
        return self._update(request, name, partial=True)

    def _update(self, request: Request, name: str, *, partial: bool) -> Response:
        record = self.get_record(name)
        incoming = self.input_serializer(data=request.data, partial=partial)
        incoming.is_valid(raise_exception=True)
        record = self.update_record(record, dict(incoming.validated_data), partial=partial)
        return Response(self.output_serializer(record).data)

    def destroy(self, request: Request, name: str) -> Response:
        self.delete_record(self.get_record(name))
        return Response(status=status.HTTP_204_NO_CONTENT)


def registration_schema(name: str, input_serializer: type[Serializer], output_serializer: type[Serializer],
                        example: dict[str, Any], *, delete_note: str) -> Any:
    examples = [OpenApiExample(f"a {name}", value=example, request_only=True)]
    tags = [f"{name}s"]
    return extend_schema_view(
        list=extend_schema(summary=f"List {name}s", tags=tags, responses=output_serializer(many=True)),
        create=extend_schema(summary=f"Register a {name}", tags=tags, request=input_serializer,
                             responses={201: output_serializer}, examples=examples),
        retrieve=extend_schema(summary=f"Get a {name}", tags=tags, responses=output_serializer),
        update=extend_schema(summary=f"Replace a {name}", tags=tags, request=input_serializer,
                             responses=output_serializer, examples=examples),
        partial_update=extend_schema(summary=f"Change a {name}", tags=tags, request=input_serializer,
                                     responses=output_serializer),
        destroy=extend_schema(summary=f"Delete a {name} ({delete_note})", tags=tags, responses={204: None}),
    )


IN_USE_NOTE = "refused while a connection uses it"


@registration_schema("driver", s.DriverIn, s.DriverOut, {"name": "mock-driver01", "provider": "mock"},
                     delete_note=IN_USE_NOTE)
class DriverViewSet(RegistrationViewSet):
    model = CloudDriver
    input_serializer = s.DriverIn
    output_serializer = s.DriverOut

    def create_record(self, data: dict[str, Any]) -> Any:
        return services.driver_create(**data)

    def update_record(self, record: Any, data: dict[str, Any], *, partial: bool) -> Any:
        return services.driver_update(driver=record, **data)

    def delete_record(self, record: Any) -> None:
        services.driver_delete(driver=record)


@registration_schema("credential", s.CredentialIn, s.CredentialOut,
                     {"name": "mock-credential01", "provider": "mock", "values": {"MockName": "mock_name00"}},
                     delete_note=IN_USE_NOTE)
class CredentialViewSet(RegistrationViewSet):
    model = Credential
    input_serializer = s.CredentialIn
    output_serializer = s.CredentialOut

    def create_record(self, data: dict[str, Any]) -> Any:
        return services.credential_create(**data)

    def update_record(self, record: Any, data: dict[str, Any], *, partial: bool) -> Any:
        # PATCH changes only the keys it names; PUT replaces the whole set of values.
        return services.credential_update(credential=record, merge_values=partial, **data)

    def delete_record(self, record: Any) -> None:
        services.credential_delete(credential=record)


@registration_schema("region", s.RegionIn, s.RegionOut,
                     {"name": "mock-mars-z1", "provider": "mock", "region": "mars", "zone": "mars-z1",
                      "options": {"latency_ms": 50}}, delete_note=IN_USE_NOTE)
class RegionViewSet(RegistrationViewSet):
    model = Region
    input_serializer = s.RegionIn
    output_serializer = s.RegionOut

    def create_record(self, data: dict[str, Any]) -> Any:
        return services.region_create(**data)

    def update_record(self, record: Any, data: dict[str, Any], *, partial: bool) -> Any:
        if "region" in data:
            data["region_name"] = data.pop("region")
        return services.region_update(region=record, **data)

    def delete_record(self, record: Any) -> None:
        services.region_delete(region=record)


@registration_schema("connection", s.ConnectionIn, s.ConnectionOut,
                     {"name": "mock-mars-z1", "driver": "mock-driver01", "credential": "mock-credential01",
                      "region": "mock-mars-z1"},
                     delete_note="the cloud resources stay; only the registration goes")
class ConnectionViewSet(RegistrationViewSet):
    model = Connection
    input_serializer = s.ConnectionIn
    output_serializer = s.ConnectionOut

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.connection_list()

    def get_record(self, name: str) -> Any:
        return services.registration_get(Connection, name)

    def create_record(self, data: dict[str, Any]) -> Any:
        return services.connection_create(**data)

    def update_record(self, record: Any, data: dict[str, Any], *, partial: bool) -> Any:
        return services.connection_update(connection=record, **data)

    def delete_record(self, record: Any) -> None:
        services.connection_delete(connection=record)

    @extend_schema(summary="What this connection's driver can do, and which kinds take tags", tags=["connections"],
                   responses=s.CapabilitiesOut)
    @action(detail=True, methods=["get"])
    def capabilities(self, request: Request, name: str) -> Response:
        return Response(selectors.connection_capabilities(connection=self.get_record(name)))

    @extend_schema(summary="Open the connection through its driver and authenticate", tags=["connections"],
                   request=None, responses=s.VerifyOut)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, name: str) -> Response:
        result = services.connection_verify(connection=self.get_record(name))
        return Response(s.VerifyOut({"ok": True, **asdict(result)}).data)
