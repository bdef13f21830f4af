"""Regions (CVM DescribeRegions) and their zones (CVM DescribeZones, one call per region)."""

from __future__ import annotations

from drivers.errors import NotFoundError
from drivers.tencent._session import TencentClients
from drivers.types import RegionZoneInfo, ZoneInfo, ZoneStatus


def zone_infos(clients: TencentClients, region: str) -> tuple[ZoneInfo, ...]:
    answer = clients.call("cvm", "DescribeZones", {}, region=region)
    return tuple(
        ZoneInfo(
            name=zone["Zone"],
            display_name=zone.get("ZoneName") or "",
            status=ZoneStatus.AVAILABLE if zone.get("ZoneState") == "AVAILABLE" else ZoneStatus.UNAVAILABLE,
            extra={"ZoneId": str(zone.get("ZoneId") or "")},
        )
        for zone in answer.get("ZoneSet") or []
    )


def available_zones(clients: TencentClients) -> list[str]:
    return [zone.name for zone in zone_infos(clients, clients.region) if zone.status == ZoneStatus.AVAILABLE]


class TencentRegionZoneHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients

    def _regions(self) -> list[dict[str, str]]:
        answer = self._clients.call("cvm", "DescribeRegions", {})
        return [region for region in answer.get("RegionSet") or [] if region.get("RegionState") == "AVAILABLE"]

    def list_region_zones(self) -> list[RegionZoneInfo]:
        return [self._info(region) for region in self._regions()]

    def get_region_zone(self, *, name: str) -> RegionZoneInfo:
        for region in self._regions():
            if region["Region"] == name:
                return self._info(region)
        raise NotFoundError(f"Region '{name}' does not exist in Tencent Cloud.")

    def _info(self, region: dict[str, str]) -> RegionZoneInfo:
        return RegionZoneInfo(
            name=region["Region"],
            display_name=region.get("RegionName") or "",
            zones=zone_infos(self._clients, region["Region"]),
        )
