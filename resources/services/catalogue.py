"""The price comparison: the specs every connection offers for a requirement, cheapest first."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connections.models import Connection
from drivers.errors import DriverError
from resources.services.meta import meta_prices, meta_specs
from spiderweb.errors import ServiceError

PARALLEL = 16


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


def _offers(connection: Connection, min_vcpu: int | None, min_memory_gib: float | None,
            gpu: bool | None) -> list[Offer]:
    specs = meta_specs(connection=connection, min_vcpu=min_vcpu, min_memory_gib=min_memory_gib, gpu=gpu).items
    prices = {item["spec_name"]: item for item in meta_prices(connection=connection).items}
    offers = []
    for spec in specs:
        price = prices.get(spec["name"])
        if price is None:
            continue  # a spec without a price cannot be compared
        gpus = ", ".join(f"{g['count']}x {g['model']}" for g in spec.get("gpus", []))
        offers.append(Offer(connection=connection.name, provider=connection.provider,
                            region=connection.region.region, zone=connection.region.zone, spec=spec["name"],
                            vcpu=spec["vcpu"], memory_gib=round(spec["memory_mib"] / 1024, 1), gpus=gpus,
                            hourly_price=Decimal(price["hourly_price"]), currency=price.get("currency", "USD")))
    return offers


def price_comparison(*, min_vcpu: int | None = None, min_memory_gib: float | None = None,
                     gpu: bool | None = None) -> tuple[list[Offer], list[dict[str, Any]]]:
    """Every connection's matching specs with their hourly price, cheapest first, and the connections that failed.

    Meta information comes from the per-connection cache; connections are asked side by side so a
    slow region costs its own time only once.
    """
    connections = list(Connection.objects.select_related("region", "credential").order_by("name"))

    def ask(connection: Connection) -> tuple[Connection, list[Offer] | None, str]:
        try:
            return connection, _offers(connection, min_vcpu, min_memory_gib, gpu), ""
        except (DriverError, ServiceError) as exc:
            return connection, None, str(exc)

    offers: list[Offer] = []
    failures: list[dict[str, Any]] = []
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        for connection, found, error in pool.map(ask, connections):
            if found is None:
                failures.append({"connection": connection.name, "error": error})
            else:
                offers += found
    offers.sort(key=lambda offer: (offer.hourly_price, offer.connection, offer.spec))
    return offers, failures
