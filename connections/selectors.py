"""Reads of the connection registry with real logic (joins, the provider catalogue)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from connections.models import Connection, Credential
from drivers import registry
from drivers.capabilities import FAMILIES
from drivers.interface import CloudDriver as DriverPlugin
from spiderweb.errors import NotFound


def connection_list() -> QuerySet[Connection]:
    return Connection.objects.select_related("driver", "credential", "region").order_by("name")


def provider_catalogue_entry(plugin: DriverPlugin) -> dict[str, Any]:
    return {
        "name": plugin.name,
        "label": plugin.label,
        "credential_fields": [spec.to_dict() for spec in plugin.credential_fields],
        "region_fields": [spec.to_dict() for spec in plugin.region_fields],
        "region_options": [spec.to_dict() for spec in plugin.region_options],
        "capabilities": plugin.capabilities.to_dict(),
    }


def provider_entry(name: str) -> dict[str, Any]:
    try:
        plugin = registry.get_driver(name)
    except registry.UnknownDriverError:
        installed = ", ".join(registry.driver_names())
        raise NotFound(f"no installed provider named {name!r}; installed: {installed}") from None
    return provider_catalogue_entry(plugin)


def provider_catalogue() -> list[dict[str, Any]]:
    """Every installed driver, as the catalogue the API and the registration forms are built from."""
    return [provider_catalogue_entry(plugin) for plugin in registry.all_drivers()]


def connection_capabilities(*, connection: Connection) -> dict[str, Any]:
    plugin = registry.get_driver(connection.provider)
    return {"connection": connection.name, "provider": plugin.name, **plugin.capabilities.to_dict()}


def places_connected(*, credential: Credential) -> set[tuple[str, str]]:
    """(region, zone) pairs that already have a connection through `credential`."""
    return set(Connection.objects.filter(credential=credential).values_list("region__region", "region__zone"))


def capability_families() -> dict[str, str]:
    """Every handler family a driver may offer, with what it manages, in the order the UI lists them."""
    return dict(FAMILIES)
