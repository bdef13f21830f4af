"""Regions: a cloud region, optionally narrowed to a zone, with the driver's optional region settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connections.models import Region
from connections.services.common import (
    check_values,
    clean_name,
    provider_get,
    refuse_if_used,
    refuse_provider_change,
    save,
    under,
    unique_name,
)
from drivers.interface import CloudDriver as DriverPlugin
from spiderweb.errors import InvalidInput, ServiceError


def _check_region(
    plugin: DriverPlugin, *, region: str, zone: str, options: Mapping[str, Any]
) -> tuple[str, str, dict[str, Any]]:
    place = {key: value for key, value in {"region": region, "zone": zone}.items() if value not in ("", None)}
    clean_place = check_values(plugin.region_fields, place, what="region", field_prefix="")
    clean_options = check_values(plugin.region_options, options, what="region options", field_prefix="options")
    return str(clean_place.get("region", "")), str(clean_place.get("zone", "")), clean_options


def region_create(
    *, name: str, provider: str, region: str, zone: str = "", options: Mapping[str, Any] | None = None
) -> Region:
    plugin = provider_get(name=provider)
    region, zone, clean_options = _check_region(plugin, region=region, zone=zone, options=options or {})
    with unique_name(Region, clean_name(name)):
        record = Region(name=name, provider=provider, region=region, zone=zone, options=clean_options)
        save(record)
    return record


def region_update(
    *,
    region: Region,
    name: str | None = None,
    provider: str | None = None,
    region_name: str | None = None,
    zone: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> Region:
    """Rename, move and re-option a region; every connection using it follows."""
    refuse_provider_change(region, provider)
    plugin = provider_get(name=region.provider)
    new_region, new_zone, new_options = _check_region(
        plugin,
        region=region.region if region_name is None else region_name,
        zone=region.zone if zone is None else zone,
        options=region.options if options is None else options,
    )
    new_name = clean_name(name) if name is not None else region.name
    with unique_name(Region, new_name, exclude_pk=region.pk):
        region.name, region.region, region.zone, region.options = new_name, new_region, new_zone, new_options
        save(region)
    return region


def region_delete(*, region: Region) -> None:
    refuse_if_used(region)
    region.delete()


@dataclass(frozen=True, slots=True, kw_only=True)
class NewRegion:
    """A region to register as part of a bigger registration."""

    name: str
    region: str
    zone: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)


def region_resolve(*, provider: str, region: str | NewRegion) -> Region:
    """`provider`'s region named `region`, or a new one registered from a `NewRegion`.

    Errors name `region` (no such region) or `region.<field>` (the new one was refused).
    """
    if isinstance(region, str):
        found = Region.objects.filter(name=region, provider=provider).first()
        if found is None:
            raise InvalidInput(f"no {provider} region named {region!r}", field="region")
        return found
    try:
        return region_create(
            name=region.name, provider=provider, region=region.region, zone=region.zone, options=region.options
        )
    except ServiceError as exc:
        raise under("region", exc) from None
