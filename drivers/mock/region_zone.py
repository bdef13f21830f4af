"""Regions and zones of the mock cloud (a fixed catalogue)."""

from __future__ import annotations

from drivers.mock import _catalogue
from drivers.mock._context import Context
from drivers.types import RegionZoneInfo


class MockRegionZoneHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def list_region_zones(self) -> list[RegionZoneInfo]:
        self._cx.enter()
        return list(_catalogue.REGIONS)

    def get_region_zone(self, *, name: str) -> RegionZoneInfo:
        self._cx.enter()
        return _catalogue.region(name)
