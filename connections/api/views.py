"""Registry API: providers, drivers, credentials, regions and connections, looked up by name.

Each view parses with an input serializer, calls one service and answers through the output
serializer its `extend_schema` declares, so an answer cannot drift from the schema. Every rule
lives in `connections.services`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from connections import selectors, services
from connections.api import serializers as s
from connections.models import CloudDriver, Connection, Credential, Region
from spiderweb.api import Pagination

IN_USE_NOTE = "refused while a connection uses it"
NAME = OpenApiParameter("name", str, OpenApiParameter.PATH, pattern=r"^[^/]+$", description="The registration's name.")
DRIVER_EXAMPLE = OpenApiExample("a driver", request_only=True, value={"name": "mock-driver01", "provider": "mock"})
CREDENTIAL_EXAMPLE = OpenApiExample(
    "a credential",
    request_only=True,
    value={"name": "mock-credential01", "provider": "mock", "values": {"MockName": "mock_name00"}},
)
REGION_EXAMPLE = OpenApiExample(
    "a region",
    request_only=True,
    value={
        "name": "mock-mars-z1",
        "provider": "mock",
        "region": "mars",
        "zone": "mars-z1",
        "options": {"latency_ms": 50},
    },
)
CONNECTION_EXAMPLE = OpenApiExample(
    "a connection",
    request_only=True,
    value={
        "name": "mock-mars-z1",
        "driver": "mock-driver01",
        "credential": "mock-credential01",
        "region": "mock-mars-z1",
    },
)


def parse(serializer_class: type[Serializer], request: Request, *, partial: bool = False) -> dict[str, Any]:
    incoming = serializer_class(data=request.data, partial=partial)
    incoming.is_valid(raise_exception=True)
    return dict(incoming.validated_data)


# What the registry's views share: a page of records, and the answer to a create. (A comment, not a
# docstring: drf-spectacular would show a docstring to API users as every operation's description.)
class RegistrationView(APIView):
    # Declared so that drf-spectacular documents the list answers as the pages they are.
    pagination_class = Pagination

    def page(self, request: Request, records: QuerySet[Any], out: type[Serializer]) -> Response:
        paginator = Pagination()
        rows = paginator.paginate_queryset(records, request, view=self)
        return paginator.get_paginated_response(out(rows, many=True).data)

    def created(self, request: Request, record: Any, out: type[Serializer]) -> Response:
        location = request.build_absolute_uri(f"{request.path}{record.name}/")
        return Response(out(record).data, status=status.HTTP_201_CREATED, headers={"Location": location})


# --- providers --------------------------------------------------------------------------------------


class ProviderCollection(APIView):
    """The catalogue of installed drivers: what each needs to register and what it can do."""

    @extend_schema(summary="List the installed providers", tags=["providers"], responses=s.ProviderOut(many=True))
    def get(self, request: Request) -> Response:
        return Response(s.ProviderOut(selectors.provider_catalogue(), many=True).data)


class ProviderItem(APIView):
    """One installed driver: what it needs to register and what it can do."""

    @extend_schema(
        summary="Get one provider's fields and capabilities",
        tags=["providers"],
        responses=s.ProviderOut,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, description="e.g. `mock`")],
    )
    def get(self, request: Request, name: str) -> Response:
        return Response(s.ProviderOut(selectors.provider_entry(name)).data)


# --- drivers ----------------------------------------------------------------------------------------


class DriverCollection(RegistrationView):
    """Driver records: which provider's software a connection loads."""

    @extend_schema(summary="List drivers", tags=["drivers"], responses=s.DriverOut(many=True))
    def get(self, request: Request) -> Response:
        return self.page(request, CloudDriver.objects.order_by("name"), s.DriverOut)

    @extend_schema(
        summary="Register a driver",
        tags=["drivers"],
        request=s.DriverIn,
        responses={201: s.DriverOut},
        examples=[DRIVER_EXAMPLE],
    )
    def post(self, request: Request) -> Response:
        return self.created(request, services.driver_create(**parse(s.DriverIn, request)), s.DriverOut)


class DriverItem(RegistrationView):
    """One driver record, by name."""

    @extend_schema(summary="Get a driver", tags=["drivers"], parameters=[NAME], responses=s.DriverOut)
    def get(self, request: Request, name: str) -> Response:
        return Response(s.DriverOut(services.registration_get(CloudDriver, name)).data)

    @extend_schema(
        summary="Replace a driver",
        tags=["drivers"],
        parameters=[NAME],
        request=s.DriverIn,
        responses=s.DriverOut,
        examples=[DRIVER_EXAMPLE],
    )
    def put(self, request: Request, name: str) -> Response:
        return self.change(request, name, partial=False)

    @extend_schema(
        summary="Change a driver", tags=["drivers"], parameters=[NAME], request=s.DriverIn, responses=s.DriverOut
    )
    def patch(self, request: Request, name: str) -> Response:
        return self.change(request, name, partial=True)

    def change(self, request: Request, name: str, *, partial: bool) -> Response:
        driver = services.registration_get(CloudDriver, name)
        data = parse(s.DriverIn, request, partial=partial)
        return Response(s.DriverOut(services.driver_update(driver=driver, **data)).data)

    @extend_schema(
        summary=f"Delete a driver ({IN_USE_NOTE})", tags=["drivers"], parameters=[NAME], responses={204: None}
    )
    def delete(self, request: Request, name: str) -> Response:
        services.driver_delete(driver=services.registration_get(CloudDriver, name))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- credentials ------------------------------------------------------------------------------------


class CredentialCollection(RegistrationView):
    """Credentials: a cloud account's keys. Values are stored encrypted and never shown again."""

    @extend_schema(summary="List credentials", tags=["credentials"], responses=s.CredentialOut(many=True))
    def get(self, request: Request) -> Response:
        return self.page(request, Credential.objects.order_by("name"), s.CredentialOut)

    @extend_schema(
        summary="Register a credential",
        tags=["credentials"],
        request=s.CredentialIn,
        responses={201: s.CredentialOut},
        examples=[CREDENTIAL_EXAMPLE],
    )
    def post(self, request: Request) -> Response:
        return self.created(request, services.credential_create(**parse(s.CredentialIn, request)), s.CredentialOut)


class CredentialItem(RegistrationView):
    """One credential, by name: its keys, never its values."""

    @extend_schema(summary="Get a credential", tags=["credentials"], parameters=[NAME], responses=s.CredentialOut)
    def get(self, request: Request, name: str) -> Response:
        return Response(s.CredentialOut(services.registration_get(Credential, name)).data)

    @extend_schema(
        summary="Replace a credential",
        tags=["credentials"],
        parameters=[NAME],
        request=s.CredentialIn,
        responses=s.CredentialOut,
        examples=[CREDENTIAL_EXAMPLE],
    )
    def put(self, request: Request, name: str) -> Response:
        return self.change(request, name, partial=False)

    @extend_schema(
        summary="Change a credential",
        tags=["credentials"],
        parameters=[NAME],
        request=s.CredentialIn,
        responses=s.CredentialOut,
    )
    def patch(self, request: Request, name: str) -> Response:
        return self.change(request, name, partial=True)

    def change(self, request: Request, name: str, *, partial: bool) -> Response:
        credential = services.registration_get(Credential, name)
        data = parse(s.CredentialIn, request, partial=partial)
        # PATCH changes only the keys it names; PUT replaces the whole set of values.
        credential = services.credential_update(credential=credential, merge_values=partial, **data)
        return Response(s.CredentialOut(credential).data)

    @extend_schema(
        summary=f"Delete a credential ({IN_USE_NOTE})", tags=["credentials"], parameters=[NAME], responses={204: None}
    )
    def delete(self, request: Request, name: str) -> Response:
        services.credential_delete(credential=services.registration_get(Credential, name))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- regions ----------------------------------------------------------------------------------------


class RegionCollection(RegistrationView):
    """Regions: a cloud region, optionally narrowed to one zone, with the driver's region options."""

    @extend_schema(summary="List regions", tags=["regions"], responses=s.RegionOut(many=True))
    def get(self, request: Request) -> Response:
        return self.page(request, Region.objects.order_by("name"), s.RegionOut)

    @extend_schema(
        summary="Register a region",
        tags=["regions"],
        request=s.RegionIn,
        responses={201: s.RegionOut},
        examples=[REGION_EXAMPLE],
    )
    def post(self, request: Request) -> Response:
        return self.created(request, services.region_create(**parse(s.RegionIn, request)), s.RegionOut)


class RegionItem(RegistrationView):
    """One region, by name; changing it moves every connection that uses it."""

    @extend_schema(summary="Get a region", tags=["regions"], parameters=[NAME], responses=s.RegionOut)
    def get(self, request: Request, name: str) -> Response:
        return Response(s.RegionOut(services.registration_get(Region, name)).data)

    @extend_schema(
        summary="Replace a region",
        tags=["regions"],
        parameters=[NAME],
        request=s.RegionIn,
        responses=s.RegionOut,
        examples=[REGION_EXAMPLE],
    )
    def put(self, request: Request, name: str) -> Response:
        return self.change(request, name, partial=False)

    @extend_schema(
        summary="Change a region", tags=["regions"], parameters=[NAME], request=s.RegionIn, responses=s.RegionOut
    )
    def patch(self, request: Request, name: str) -> Response:
        return self.change(request, name, partial=True)

    def change(self, request: Request, name: str, *, partial: bool) -> Response:
        region = services.registration_get(Region, name)
        data = parse(s.RegionIn, request, partial=partial)
        # The body's `region` is the cloud's region; the service's `region` is the record.
        if "region" in data:
            data["region_name"] = data.pop("region")
        return Response(s.RegionOut(services.region_update(region=region, **data)).data)

    @extend_schema(
        summary=f"Delete a region ({IN_USE_NOTE})", tags=["regions"], parameters=[NAME], responses={204: None}
    )
    def delete(self, request: Request, name: str) -> Response:
        services.region_delete(region=services.registration_get(Region, name))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- connections ------------------------------------------------------------------------------------


class ConnectionCollection(RegistrationView):
    """Connections: driver + credential + region of one provider, the handle every resource call names."""

    @extend_schema(summary="List connections", tags=["connections"], responses=s.ConnectionOut(many=True))
    def get(self, request: Request) -> Response:
        return self.page(request, selectors.connection_list(), s.ConnectionOut)

    @extend_schema(
        summary="Register a connection",
        tags=["connections"],
        request=s.ConnectionIn,
        responses={201: s.ConnectionOut},
        examples=[CONNECTION_EXAMPLE],
    )
    def post(self, request: Request) -> Response:
        return self.created(request, services.connection_create(**parse(s.ConnectionIn, request)), s.ConnectionOut)


class ConnectionItem(RegistrationView):
    """One connection, by name."""

    @extend_schema(summary="Get a connection", tags=["connections"], parameters=[NAME], responses=s.ConnectionOut)
    def get(self, request: Request, name: str) -> Response:
        return Response(s.ConnectionOut(services.registration_get(Connection, name)).data)

    @extend_schema(
        summary="Replace a connection",
        tags=["connections"],
        parameters=[NAME],
        request=s.ConnectionIn,
        responses=s.ConnectionOut,
        examples=[CONNECTION_EXAMPLE],
    )
    def put(self, request: Request, name: str) -> Response:
        return self.change(request, name, partial=False)

    @extend_schema(
        summary="Change a connection",
        tags=["connections"],
        parameters=[NAME],
        request=s.ConnectionIn,
        responses=s.ConnectionOut,
    )
    def patch(self, request: Request, name: str) -> Response:
        return self.change(request, name, partial=True)

    def change(self, request: Request, name: str, *, partial: bool) -> Response:
        connection = services.registration_get(Connection, name)
        data = parse(s.ConnectionIn, request, partial=partial)
        return Response(s.ConnectionOut(services.connection_update(connection=connection, **data)).data)

    @extend_schema(
        summary="Delete a connection (the cloud resources stay; only the registration goes)",
        tags=["connections"],
        parameters=[NAME],
        responses={204: None},
    )
    def delete(self, request: Request, name: str) -> Response:
        services.connection_delete(connection=services.registration_get(Connection, name))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConnectionCapabilities(APIView):
    """What a connection's driver can do."""

    @extend_schema(
        summary="What this connection's driver can do, and which kinds take tags",
        tags=["connections"],
        parameters=[NAME],
        responses=s.CapabilitiesOut,
    )
    def get(self, request: Request, name: str) -> Response:
        connection = services.registration_get(Connection, name)
        return Response(s.CapabilitiesOut(selectors.connection_capabilities(connection=connection)).data)


class ConnectionVerify(APIView):
    """A live check of a connection: its driver opens it and authenticates."""

    @extend_schema(
        summary="Open the connection through its driver and authenticate",
        tags=["connections"],
        parameters=[NAME],
        request=None,
        responses=s.VerifyOut,
    )
    def post(self, request: Request, name: str) -> Response:
        result = services.connection_verify(connection=services.registration_get(Connection, name))
        return Response(s.VerifyOut({"ok": True, **asdict(result)}).data)
