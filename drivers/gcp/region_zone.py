"""Regions (`regions.list`) and their zones (`zones.list`): two calls for the whole catalogue."""

from __future__ import annotations

from collections.abc import Iterable

from google.cloud.compute_v1.types import compute

from drivers.errors import InvalidRequestError, NotFoundError
from drivers.gcp._common import last_segment
from drivers.gcp._errors import translate
from drivers.gcp._session import CALL, PAGE_SIZE, GCPClients
from drivers.types import RegionZoneInfo, ZoneInfo, ZoneStatus

# Compute Engine describes a region by its name only; the UI shows where it is.
LOCATIONS: dict[str, str] = {
    "africa-south1": "Johannesburg",
    "asia-east1": "Taiwan",
    "asia-east2": "Hong Kong",
    "asia-northeast1": "Tokyo",
    "asia-northeast2": "Osaka",
    "asia-northeast3": "Seoul",
    "asia-south1": "Mumbai",
    "asia-south2": "Delhi",
    "asia-southeast1": "Singapore",
    "asia-southeast2": "Jakarta",
    "australia-southeast1": "Sydney",
    "australia-southeast2": "Melbourne",
    "europe-central2": "Warsaw",
    "europe-north1": "Finland",
    "europe-southwest1": "Madrid",
    "europe-west1": "Belgium",
    "europe-west2": "London",
    "europe-west3": "Frankfurt",
    "europe-west4": "Netherlands",
    "europe-west6": "Zurich",
    "europe-west8": "Milan",
    "europe-west9": "Paris",
    "europe-west10": "Berlin",
    "europe-west12": "Turin",
    "me-central1": "Doha",
    "me-central2": "Dammam",
    "me-west1": "Tel Aviv",
    "northamerica-northeast1": "Montréal",
    "northamerica-northeast2": "Toronto",
    "southamerica-east1": "São Paulo",
    "southamerica-west1": "Santiago",
    "us-central1": "Iowa",
    "us-east1": "South Carolina",
    "us-east4": "Northern Virginia",
    "us-east5": "Columbus",
    "us-south1": "Dallas",
    "us-west1": "Oregon",
    "us-west2": "Los Angeles",
    "us-west3": "Salt Lake City",
    "us-west4": "Las Vegas",
}


def zone_info(zone: compute.Zone) -> ZoneInfo:
    deprecated = zone.deprecated.state if "deprecated" in zone else ""
    up = zone.status == "UP" and not deprecated
    extra = {"status": zone.status, "deprecated": deprecated, "id": str(zone.id) if zone.id else ""}
    return ZoneInfo(
        name=zone.name,
        display_name=zone.description if zone.description != zone.name else "",
        status=ZoneStatus.AVAILABLE if up else ZoneStatus.UNAVAILABLE,
        extra={key: value for key, value in extra.items() if value},
    )


def region_info(region: compute.Region, zones: Iterable[compute.Zone]) -> RegionZoneInfo:
    own = sorted((zone_info(zone) for zone in zones if last_segment(zone.region) == region.name), key=_by_name)
    extra = {"status": region.status, "id": str(region.id) if region.id else ""}
    return RegionZoneInfo(
        name=region.name,
        display_name=LOCATIONS.get(region.name, ""),
        zones=tuple(own),
        extra={key: value for key, value in extra.items() if value},
    )


def _by_name(zone: ZoneInfo) -> str:
    return zone.name


class GCPRegionZoneHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients

    def list_region_zones(self) -> list[RegionZoneInfo]:
        clients = self._clients
        request = compute.ListRegionsRequest(project=clients.project, max_results=PAGE_SIZE)
        with translate():
            regions = list(clients.regions().list(request=request, **CALL))
        zones = clients.all_zones()
        return sorted((region_info(region, zones) for region in regions), key=lambda info: info.name)

    def get_region_zone(self, *, name: str) -> RegionZoneInfo:
        clients = self._clients
        try:
            with translate(field="name"):
                region = clients.regions().get(project=clients.project, region=name, **CALL)
        except InvalidRequestError as exc:
            # A malformed region name names no region; to the caller that is the same as an unknown one.
            raise NotFoundError(
                f"Region '{name}' does not exist.", provider_message=exc.provider_message, field="name"
            ) from exc
        return region_info(region, clients.all_zones())
