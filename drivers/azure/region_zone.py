"""Regions (the subscription's locations) and their availability zones.

One ARM call answers both: each location lists its `availabilityZoneMappings`, the logical zones
("1", "2", "3") this subscription sees and the physical zones they stand for. Logical locations
("asia", "global"...) group regions for billing and hold no resources, so they are left out.
"""

from __future__ import annotations

from typing import Any

from drivers.azure._session import AzureSession
from drivers.errors import NotFoundError
from drivers.types import RegionZoneInfo, ZoneInfo, ZoneStatus


def region_info(location: dict[str, Any]) -> RegionZoneInfo:
    metadata = dict(location.get("metadata") or {})
    paired = [str(pair.get("name", "")) for pair in metadata.get("pairedRegion") or []]
    zones = sorted(
        (
            ZoneInfo(
                name=str(mapping["logicalZone"]),
                display_name=str(mapping.get("physicalZone", "")),
                status=ZoneStatus.AVAILABLE,
            )
            for mapping in location.get("availabilityZoneMappings") or []
            if mapping.get("logicalZone")
        ),
        key=lambda zone: zone.name,
    )
    extra = {
        "regional_display_name": str(location.get("regionalDisplayName", "")),
        "geography": str(metadata.get("geography", "")),
        "geography_group": str(metadata.get("geographyGroup", "")),
        "physical_location": str(metadata.get("physicalLocation", "")),
        "region_category": str(metadata.get("regionCategory", "")),
        "paired_regions": ",".join(name for name in paired if name),
    }
    return RegionZoneInfo(
        name=str(location["name"]),
        display_name=str(location.get("displayName", "")),
        zones=tuple(zones),
        extra={key: value for key, value in extra.items() if value},
    )


def is_physical(location: dict[str, Any]) -> bool:
    region_type = dict(location.get("metadata") or {}).get("regionType", "Physical")
    return str(region_type).lower() == "physical"


class AzureRegionZoneHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    def list_region_zones(self) -> list[RegionZoneInfo]:
        regions = [region_info(location) for location in self._session.locations() if is_physical(location)]
        return sorted(regions, key=lambda region: region.name)

    def get_region_zone(self, *, name: str) -> RegionZoneInfo:
        for region in self.list_region_zones():
            if region.name == name:
                return region
        raise NotFoundError(f"Region '{name}' does not exist or is not available to this subscription.", field="name")
