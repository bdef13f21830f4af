"""What every mock handler works with: the tenant, the region, the faults and the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from drivers.errors import InvalidRequestError
from drivers.mock import _catalogue
from drivers.mock._faults import Faults
from drivers.mock._store import Doc, Store
from drivers.types import RegionZoneInfo, ZoneStatus

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    tenant: str
    region: str
    zone: str
    faults: Faults
    store: Store
    settle_seconds: float
    cluster_settle_seconds: float = 0.0  # creating or upgrading a managed Kubernetes cluster

    def enter(self) -> RegionZoneInfo:
        """Start a cloud call: injected faults first, then the connection's region and zone.

        Every public handler method calls this once, before reading or writing anything.
        """
        self.faults.apply(region=self.region)
        region = _catalogue.check_region(self.region)
        if self.zone and self.zone not in {zone.name for zone in region.zones}:
            raise InvalidRequestError(
                f"Zone '{self.zone}' is not in region '{self.region}' "
                f"(zones: {', '.join(zone.name for zone in region.zones)}).",
                field="zone",
            )
        return region

    def read(self) -> Doc:
        return self.store.read(self.tenant, self.region)

    def update(self, change: Callable[[Doc], T]) -> T:
        return self.store.update(self.tenant, self.region, change)

    def check_zone(self, zone: str, *, field: str) -> str:
        """The zone a new resource goes to: the one asked for, else the connection's, else the
        region's first available one. An unknown or unavailable zone is refused."""
        region = _catalogue.region(self.region)
        statuses = {info.name: info.status for info in region.zones}
        chosen = zone or self.zone
        if not chosen:
            return next(name for name, status in statuses.items() if status == ZoneStatus.AVAILABLE)
        if chosen not in statuses:
            raise InvalidRequestError(
                f"Zone '{chosen}' is not in region '{self.region}' (zones: {', '.join(statuses)}).", field=field
            )
        if statuses[chosen] != ZoneStatus.AVAILABLE:
            raise InvalidRequestError(f"Zone '{chosen}' is {statuses[chosen]}; choose another zone.", field=field)
        return chosen
