"""The catalogue across connections: regions and zones, public images, VM specs and where each is cheapest.

Every listing comes from the per-connection meta cache (resources/services/meta.py); connections are
asked side by side so a slow region costs its own time only once, and a failing one is reported by
name while the others still answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from connections.models import Connection
from drivers.errors import DriverError
from resources.catalogue.meta import Item, meta_images, meta_prices, meta_region_zones, meta_specs
from resources.models import Freshness, RefreshOutcome
from resources.operations import WorkerPool
from spiderweb.errors import ServiceError

PARALLEL = 16

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Offer:
    connection: str
    provider: str
    region: str
    zone: str
    spec: str
    vcpu: int
    memory_gib: float
    gpus: str
    hourly_price: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class RegionRow:
    """A connection's region as its cloud reports it, with every zone and its status."""

    connection: str
    provider: str
    region: str
    zone: str
    display_name: str
    zones: list[dict[str, Any]]
    known: bool  # False when the cloud does not list the connection's region at all
    cached_at: str


@dataclass(frozen=True, slots=True)
class ImageRow:
    connection: str
    provider: str
    region: str
    name: str
    distribution: str
    platform: str
    architecture: str
    disk_size_gb: int
    status: str


@dataclass(frozen=True, slots=True)
class SpecRow:
    connection: str
    provider: str
    region: str
    zone: str
    name: str
    vcpu: int
    memory_gib: float
    gpus: str
    architecture: str
    hourly_price: Decimal | None
    currency: str


def catalogue_connections(
    *,
    connection: str = "",
    provider: str = "",
    region: str = "",
) -> tuple[list[Connection], list[Connection]]:
    """Every connection (for filter choices) and those matching the filters, in one query."""
    everything = list(Connection.objects.select_related("region", "credential").order_by("name"))
    chosen = [
        each
        for each in everything
        if (not connection or each.name == connection)
        and (not provider or each.provider == provider)
        and (not region or each.region.region == region)
    ]
    return everything, chosen


def fan_out(
    connections: Sequence[Connection],
    ask: Callable[[Connection], list[T]],
) -> tuple[list[T], list[dict[str, Any]]]:
    """`ask` of every connection side by side: the answers together, and the connections that failed with why."""

    def one(connection: Connection) -> tuple[Connection, list[T] | None, str]:
        try:
            return connection, ask(connection), ""
        except (DriverError, ServiceError) as exc:
            return connection, None, exc.message if isinstance(exc, ServiceError) else str(exc)

    found: list[T] = []
    failures: list[dict[str, Any]] = []
    with WorkerPool(name="catalogue", size=PARALLEL) as pool:
        for connection, answer, error in pool.map(one, connections):
            if answer is None:
                failures.append(
                    {
                        "connection": connection.name,
                        "provider": connection.provider,
                        "region": connection.region.region,
                        "zone": connection.region.zone,
                        "error": error,
                    }
                )
            else:
                found += answer
    return found, failures


def _gpus(spec: Item) -> str:
    return ", ".join(f"{g['count']}x {g['model']}" for g in spec.get("gpus", []))


def _offers(
    connection: Connection, min_vcpu: int | None, min_memory_gib: float | None, gpu: bool | None
) -> list[Offer]:
    specs = meta_specs(connection=connection, min_vcpu=min_vcpu, min_memory_gib=min_memory_gib, gpu=gpu).items
    prices = {item["spec_name"]: item for item in meta_prices(connection=connection).items}
    offers = []
    for spec in specs:
        price = prices.get(spec["name"])
        if price is None:
            continue  # a spec without a price cannot be compared
        offers.append(
            Offer(
                connection=connection.name,
                provider=connection.provider,
                region=connection.region.region,
                zone=connection.region.zone,
                spec=spec["name"],
                vcpu=spec["vcpu"],
                memory_gib=round(spec["memory_mib"] / 1024, 1),
                gpus=_gpus(spec),
                hourly_price=Decimal(price["hourly_price"]),
                currency=price.get("currency", "USD"),
            )
        )
    return offers


def price_comparison(
    *,
    min_vcpu: int | None = None,
    min_memory_gib: float | None = None,
    gpu: bool | None = None,
    connections: Sequence[Connection] | None = None,
) -> tuple[list[Offer], list[dict[str, Any]]]:
    """Every connection's matching specs with their hourly price, cheapest first, and the connections that failed."""
    if connections is None:
        connections = catalogue_connections()[1]
    offers, failures = fan_out(connections, lambda each: _offers(each, min_vcpu, min_memory_gib, gpu))
    offers.sort(key=lambda offer: (offer.hourly_price, offer.connection, offer.spec))
    return offers, failures


def _region_rows(connection: Connection) -> list[RegionRow]:
    listing = meta_region_zones(connection=connection)
    wanted = connection.region.region
    region = next((item for item in listing.items if wanted in (item["name"], item["system_id"])), None)
    zones = [
        {
            "name": zone["name"],
            "display_name": zone.get("display_name", ""),
            "status": zone.get("status", ""),
            "current": zone["name"] == connection.region.zone,
        }
        for zone in (region or {}).get("zones", [])
    ]
    return [
        RegionRow(
            connection=connection.name,
            provider=connection.provider,
            region=wanted,
            zone=connection.region.zone,
            display_name=(region or {}).get("display_name", ""),
            zones=zones,
            known=region is not None,
            cached_at=listing.cached_at,
        )
    ]


def region_status(*, connections: Sequence[Connection]) -> tuple[list[RegionRow], list[dict[str, Any]]]:
    """Each connection's region and zones with the status its cloud reports, and the connections that failed."""
    rows, failures = fan_out(connections, _region_rows)
    rows.sort(key=lambda row: (row.provider, row.region, row.connection))
    return rows, failures


def inventory_freshness(*, connections: Sequence[Connection]) -> dict[str, dict[str, Any]]:
    """Per connection name: Spiderweb's last successful inventory listing and its latest failure, one query."""
    names = {each.pk: each.name for each in connections}
    found: dict[str, dict[str, Any]] = {}
    rows = Freshness.objects.filter(connection_id__in=names).values(
        "connection_id", "kind", "outcome", "last_success_at", "last_attempt_at", "error_message"
    )
    for row in rows:
        entry = found.setdefault(names[row["connection_id"]], {"last_success_at": None, "failure": None})
        if row["last_success_at"] and (
            entry["last_success_at"] is None or row["last_success_at"] > entry["last_success_at"]
        ):
            entry["last_success_at"] = row["last_success_at"]
        failure = entry["failure"]
        if row["outcome"] == RefreshOutcome.FAILED and (
            failure is None or row["last_attempt_at"] > failure["last_attempt_at"]
        ):
            entry["failure"] = row
    return found


def image_catalogue(
    *,
    connections: Sequence[Connection],
    search: str = "",
    os: str = "",
) -> tuple[list[ImageRow], list[dict[str, Any]]]:
    """Public images of every connection whose name or OS contains `search` and whose OS contains `os`."""
    search, os = search.strip().lower(), os.strip().lower()

    def ask(connection: Connection) -> list[ImageRow]:
        found = []
        for item in meta_images(connection=connection).items:
            system = f"{item['os_distribution']} {item['os_platform']}".lower()
            if (search and search not in item["name"].lower() and search not in system) or os not in system:
                continue
            found.append(
                ImageRow(
                    connection=connection.name,
                    provider=connection.provider,
                    region=connection.region.region,
                    name=item["name"],
                    distribution=item["os_distribution"],
                    platform=item["os_platform"],
                    architecture=item["os_architecture"],
                    disk_size_gb=item.get("os_disk_size_gb", 0),
                    status=item.get("status", ""),
                )
            )
        return found

    rows, failures = fan_out(connections, ask)
    rows.sort(key=lambda row: (row.name, row.connection))
    return rows, failures


def _zone_prices(connection: Connection) -> dict[str, Item]:
    """Per spec, the price in the connection's zone, else its cheapest; none when the cloud gives no prices."""
    try:
        items = meta_prices(connection=connection).items
    except (DriverError, ServiceError):
        return {}  # specs are still worth listing without their price
    prices: dict[str, Item] = {}
    for item in items:  # cheapest first, so the first one seen is the cheapest
        if item["spec_name"] not in prices or item.get("zone") == connection.region.zone:
            prices[item["spec_name"]] = item
    return prices


def spec_catalogue(
    *,
    connections: Sequence[Connection],
    search: str = "",
    min_vcpu: int | None = None,
    min_memory_gib: float | None = None,
    gpu: bool | None = None,
) -> tuple[list[SpecRow], list[dict[str, Any]]]:
    """VM specs of every connection matching the requirement, each with its hourly price when known."""
    search = search.strip().lower()

    def ask(connection: Connection) -> list[SpecRow]:
        specs = meta_specs(connection=connection, min_vcpu=min_vcpu, min_memory_gib=min_memory_gib, gpu=gpu).items
        prices = _zone_prices(connection)
        found = []
        for spec in specs:
            if search and search not in spec["name"].lower():
                continue
            price = prices.get(spec["name"])
            found.append(
                SpecRow(
                    connection=connection.name,
                    provider=connection.provider,
                    region=connection.region.region,
                    zone=connection.region.zone,
                    name=spec["name"],
                    vcpu=spec["vcpu"],
                    memory_gib=round(spec["memory_mib"] / 1024, 1),
                    gpus=_gpus(spec),
                    architecture=spec.get("architecture", ""),
                    hourly_price=Decimal(price["hourly_price"]) if price else None,
                    currency=price.get("currency", "USD") if price else "",
                )
            )
        return found

    rows, failures = fan_out(connections, ask)
    rows.sort(key=lambda row: (row.vcpu, row.memory_gib, row.name, row.connection))
    return rows, failures
