"""Bulk discovery: ask a cloud which regions and zones a credential reaches, and register the picked ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction

from connections import crypto, selectors
from connections.models import Connection, Credential, Region
from connections.services.common import cloud_failures, free_name, provider_get, refuse_all
from connections.services.connection import connection_create
from connections.services.credential import NewCredential, credential_resolve, credential_values
from connections.services.driver import driver_for_provider
from connections.services.region import region_create
from drivers.types import ConnectionInfo, RegionZoneInfo
from spiderweb.errors import InvalidInput, Misconfigured, ServiceError


class Place(NamedTuple):
    """A region and one of its zones; `zone` is empty for a region that has none."""

    region: str
    zone: str

    @property
    def label(self) -> str:
        return f"{self.region} / {self.zone}" if self.zone else self.region


@dataclass
class PlacesReport:
    """What a bulk registration did: connections created, places skipped as already there, and refusals."""

    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    offered: list[Place] = field(default_factory=list)  # every place the cloud offered, as asked this time


def region_zones_discover(*, credential: Credential, region: str) -> list[RegionZoneInfo]:
    """Ask the cloud, with `credential`, which regions and zones it offers (through `region`'s endpoint).

    A refusal comes as `CloudFailure`, in the provider's own words.
    """
    plugin = provider_get(name=credential.provider, field="credential")
    try:
        values = credential_values(credential=credential)
    except crypto.CredentialKeyError as exc:
        raise Misconfigured(f"credential {credential.name!r}: {exc}", field="credential") from None
    info = ConnectionInfo(
        name=f"discover-{credential.name}", provider=credential.provider, credential=values, region=region
    )
    with cloud_failures():
        cloud = plugin.connect(info)
        try:
            return cloud.region_zone().list_region_zones()
        finally:
            cloud.close()


def places_offered(*, credential: Credential, bootstrap: str) -> list[Place]:
    """Every zone of every region the cloud offers `credential`; a region without zones is a place of its own."""
    places: list[Place] = []
    for region in region_zones_discover(credential=credential, region=bootstrap):
        places.extend(Place(region.name, zone.name) for zone in region.zones)
        if not region.zones:
            places.append(Place(region.name, ""))
    return places


def places_discover(
    *, provider: str, credential: str | NewCredential, bootstrap: str
) -> tuple[Credential, list[Place]]:
    """The places the cloud offers through `bootstrap`; a new credential is kept only when the cloud accepted it.

    Refusals name `provider`, `credential` or `credential.<field>` and `bootstrap` in one pass; the
    cloud's own refusal comes afterwards as `CloudFailure`.
    """
    provider_get(name=provider)
    errors: list[ServiceError] = []
    if not bootstrap.strip():
        errors.append(InvalidInput("Name a region to ask the cloud through.", field="bootstrap"))
    with transaction.atomic():
        found: Credential | None = None
        try:
            found = credential_resolve(provider=provider, credential=credential)
        except ServiceError as exc:
            errors.append(exc)
        refuse_all(errors)
        assert found is not None
        # Raised inside the block, the cloud's refusal also rolls back a credential made just now.
        return found, places_offered(credential=found, bootstrap=bootstrap.strip())


def places_register(*, credential: Credential, bootstrap: str, places: Sequence[Place]) -> PlacesReport:
    """A region and a connection for each place the cloud (asked again) still offers.

    Each is named `<provider>-<zone or region>` (with a suffix when taken) and reuses an existing
    region record of the same place. A place already connected through `credential` is skipped; a
    place that fails is rolled back to its savepoint and reported, the others stay.
    """
    if not places:
        raise InvalidInput("Pick at least one region or zone.", field="places")
    report = PlacesReport(offered=places_offered(credential=credential, bootstrap=bootstrap))
    offered = set(report.offered)
    provider = credential.provider
    with transaction.atomic():
        driver = driver_for_provider(provider=provider)
        existing = selectors.places_connected(credential=credential)
        for place in places:
            if place not in offered:
                report.failed.append((place.label, "the cloud does not offer it"))
                continue
            if place in existing:
                report.skipped.append(place.label)
                continue
            try:
                with transaction.atomic():
                    connection = _place_register(place, credential=credential, driver=driver.name)
            except ServiceError as exc:
                report.failed.append((place.label, exc.message))
                continue
            existing.add(place)
            report.created.append(connection.name)
    return report


def _place_register(place: Place, *, credential: Credential, driver: str) -> Connection:
    provider = credential.provider
    handle = f"{provider}-{place.zone or place.region}"
    region = (
        Region.objects.filter(provider=provider, region=place.region, zone=place.zone, options={})
        .order_by("pk")
        .first()
    )
    if region is None:
        region = region_create(name=free_name(Region, handle), provider=provider, region=place.region, zone=place.zone)
    return connection_create(
        name=free_name(Connection, handle), driver=driver, credential=credential.name, region=region.name
    )
