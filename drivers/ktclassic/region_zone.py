"""Regions and zones: `listZones`. KT Cloud has zones only; a zone's name starts with its region."""

from __future__ import annotations

from drivers.errors import NotFoundError
from drivers.ktclassic._client import KTClient
from drivers.ktclassic._common import REGION_LABELS, region_of_zone_name
from drivers.types import RegionZoneInfo, ZoneInfo, ZoneStatus


class KTRegionZoneHandler:
    def __init__(self, client: KTClient) -> None:
        self._client = client

    def list_region_zones(self) -> list[RegionZoneInfo]:
        regions: dict[str, list[ZoneInfo]] = {}
        for zone in self._client.listing("listZones", "zone"):
            name = str(zone.get("name", ""))
            status = (
                ZoneStatus.AVAILABLE if zone.get("allocationstate", "Enabled") == "Enabled" else ZoneStatus.UNAVAILABLE
            )
            info = ZoneInfo(
                name=str(zone.get("id", "")),
                display_name=name,
                status=status,
                extra={"network_type": str(zone.get("networktype", ""))},
            )
            regions.setdefault(region_of_zone_name(name), []).append(info)
        return [
            RegionZoneInfo(
                name=region,
                display_name=REGION_LABELS.get(region, region),
                zones=tuple(sorted(zones, key=lambda z: z.display_name)),
            )
            for region, zones in sorted(regions.items())
        ]

    def get_region_zone(self, *, name: str) -> RegionZoneInfo:
        for region in self.list_region_zones():
            if region.name == name:
                return region
        raise NotFoundError(f"KT Cloud has no region '{name}'.", field="region")
