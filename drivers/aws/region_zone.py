"""Regions (`DescribeRegions`) and their availability zones (`DescribeAvailabilityZones`)."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import botocore.session

from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.errors import NotFoundError
from drivers.types import RegionZoneInfo, ZoneInfo, ZoneStatus

MAX_PARALLEL = 8


@functools.cache
def _region_descriptions() -> dict[str, str]:
    """Region name -> "US East (N. Virginia)", from the endpoint data botocore ships (no call)."""
    data: dict[str, Any] = botocore.session.get_session().get_data("endpoints")
    return {
        name: str(region.get("description", ""))
        for partition in data.get("partitions", [])
        for name, region in partition.get("regions", {}).items()
    }


def zone_info(zone: dict[str, Any]) -> ZoneInfo:
    available = zone.get("State") == "available"
    return ZoneInfo(
        name=str(zone["ZoneName"]),
        display_name=str(zone.get("ZoneId", "")),
        status=ZoneStatus.AVAILABLE if available else ZoneStatus.UNAVAILABLE,
        extra={"zone_type": str(zone.get("ZoneType", "")), "state": str(zone.get("State", ""))},
    )


class AWSRegionZoneHandler:
    def __init__(self, clients: AWSClients) -> None:
        self._clients = clients

    def list_region_zones(self) -> list[RegionZoneInfo]:
        names = self.region_names()
        # One DescribeAvailabilityZones per region: asked side by side, the answer takes one round trip.
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(names) or 1)) as pool:
            return list(pool.map(self._region, names))

    def get_region_zone(self, *, name: str) -> RegionZoneInfo:
        if name not in self.region_names():
            raise NotFoundError(f"Region '{name}' does not exist or is not enabled for this account.", field="name")
        return self._region(name)

    def zones(self, region: str = "") -> list[ZoneInfo]:
        """The zones of `region` (default: the connection's), sorted by name."""
        with translate():
            answer = self._clients.ec2(region).describe_availability_zones()
        zones = [zone_info(dict(zone)) for zone in answer.get("AvailabilityZones", [])]
        return sorted(zones, key=lambda zone: zone.name)

    def region_names(self) -> list[str]:
        with translate():
            answer = self._clients.ec2().describe_regions()
        return sorted(str(region["RegionName"]) for region in answer.get("Regions", []))

    def _region(self, name: str) -> RegionZoneInfo:
        return RegionZoneInfo(
            name=name, display_name=_region_descriptions().get(name, ""), zones=tuple(self.zones(name))
        )
