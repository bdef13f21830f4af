"""Regions from the token's service catalogue, zones from Nova's availability zones."""

from __future__ import annotations

from drivers.errors import NotFoundError
from drivers.openstack._errors import translate
from drivers.openstack._session import Clouds
from drivers.types import RegionZoneInfo, ZoneInfo, ZoneStatus


class OpenStackRegionZoneHandler:
    def __init__(self, clouds: Clouds) -> None:
        self._c = clouds

    def _region(self, name: str) -> RegionZoneInfo:
        with translate():
            zones = list(self._c.conn(name).compute.availability_zones())
        return RegionZoneInfo(
            name=name,
            display_name=name,
            zones=tuple(
                ZoneInfo(
                    name=str(zone.name),
                    display_name=str(zone.name),
                    status=ZoneStatus.AVAILABLE if (zone.state or {}).get("available") else ZoneStatus.UNAVAILABLE,
                )
                for zone in zones
            ),
        )

    def list_region_zones(self) -> list[RegionZoneInfo]:
        return [self._region(name) for name in self._c.catalog_regions()]

    def get_region_zone(self, *, name: str) -> RegionZoneInfo:
        if name not in self._c.catalog_regions():
            raise NotFoundError(f"Region '{name}' is not in this cloud's service catalogue.", field="name")
        return self._region(name)
