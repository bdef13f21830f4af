"""Regions (`GET /regions`) and their zones (`GET /regions/{region}/zones`)."""

from __future__ import annotations

from typing import Any

from drivers.errors import NotFoundError
from drivers.ibm._errors import translate
from drivers.ibm._session import IBMClients, result
from drivers.types import RegionZoneInfo, ZoneInfo, ZoneStatus

# The VPC API names a region by its code only; the UI shows where it is.
LOCATIONS = {
    "au-syd": "Sydney",
    "br-sao": "São Paulo",
    "ca-mon": "Montreal",
    "ca-tor": "Toronto",
    "eu-de": "Frankfurt",
    "eu-es": "Madrid",
    "eu-gb": "London",
    "in-che": "Chennai",
    "in-mum": "Mumbai",
    "jp-osa": "Osaka",
    "jp-tok": "Tokyo",
    "us-east": "Washington DC",
    "us-south": "Dallas",
}


def zone_info(zone: dict[str, Any]) -> ZoneInfo:
    status = ZoneStatus.AVAILABLE if zone.get("status") == "available" else ZoneStatus.UNAVAILABLE
    extra = {"data_center": str(zone.get("data_center", "")), "universal_name": str(zone.get("universal_name", ""))}
    return ZoneInfo(
        name=str(zone["name"]),
        display_name=str(zone.get("data_center") or zone["name"]),
        status=status,
        extra={key: value for key, value in extra.items() if value},
    )


class IBMRegionZoneHandler:
    def __init__(self, clients: IBMClients) -> None:
        self._clients = clients

    def list_region_zones(self) -> list[RegionZoneInfo]:
        with translate():
            regions = result(self._clients.vpc.list_regions()).get("regions", [])
        return [self._with_zones(region) for region in sorted(regions, key=lambda r: str(r["name"]))]

    def get_region_zone(self, *, name: str) -> RegionZoneInfo:
        try:
            with translate(field="name"):
                region = result(self._clients.vpc.get_region(name=name))
        except NotFoundError as exc:
            raise NotFoundError(f"Region '{name}' does not exist in IBM Cloud VPC.", field="name") from exc
        return self._with_zones(region)

    def zones(self, region: str) -> list[ZoneInfo]:
        with translate(field="region"):
            zones = result(self._clients.vpc.list_region_zones(region_name=region)).get("zones", [])
        return sorted((zone_info(zone) for zone in zones), key=lambda z: z.name)

    def _with_zones(self, region: dict[str, Any]) -> RegionZoneInfo:
        name = str(region["name"])
        return RegionZoneInfo(
            name=name,
            display_name=LOCATIONS.get(name, name),
            zones=tuple(self.zones(name)),
            extra={"endpoint": str(region.get("endpoint", "")), "status": str(region.get("status", ""))},
        )


def first_available_zone(clients: IBMClients) -> str:
    """The connection's zone, else its region's first available zone."""
    if clients.zone:
        return clients.zone
    for zone in IBMRegionZoneHandler(clients).zones(clients.region):
        if zone.status == ZoneStatus.AVAILABLE:
            return zone.name
    raise NotFoundError(f"Region '{clients.region}' has no available zone.", field="region")
