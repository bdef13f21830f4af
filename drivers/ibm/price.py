"""Prices: the on-demand hourly price of each instance profile, from IBM's Global Catalog.

The VPC API has no price inquiry. The Global Catalog holds the `is.instance` service with one plan per
instance profile (named after it), one deployment per region under each plan, and each deployment's
pricing: metrics with amounts per country and currency, and prices per quantity tier. A profile's
hourly price is the first-tier USA price in USD of its instance-hours metric (the metric charged
per hour); a profile with no deployment, or no such metric, in the region has no price rather than a
guessed one. Reading every plan takes two calls per profile, so asking for one spec is much cheaper.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from drivers.errors import InvalidRequestError
from drivers.ibm._common import REGION
from drivers.ibm._errors import translate
from drivers.ibm._session import IBMClients, result
from drivers.types import PriceInfo

INSTANCE_SERVICE = "is.instance"
CATALOG_PAGE = 50
COUNTRY, CURRENCY = "USA", "USD"


def hourly_price(pricing: dict[str, Any]) -> tuple[Decimal, dict[str, str]] | None:
    """The first-tier USD price of the metric charged per instance hour, and what it was read from."""
    for metric in pricing.get("metrics") or []:
        unit = str(metric.get("charge_unit_name") or metric.get("charge_unit") or "").upper()
        if "HOUR" not in unit:
            continue
        for amount in metric.get("amounts") or []:
            if amount.get("country") != COUNTRY or amount.get("currency") != CURRENCY:
                continue
            tiers = sorted(amount.get("prices") or [], key=lambda tier: int(tier.get("quantity_tier", 0)))
            if not tiers:
                continue
            try:
                price = Decimal(str(tiers[0]["price"]))
            except (InvalidOperation, KeyError):
                continue
            if price > 0:
                return price, {"metric_id": str(metric.get("metric_id", "")), "charge_unit": unit}
    return None


class IBMPriceHandler:
    def __init__(self, clients: IBMClients) -> None:
        self._clients = clients

    def list_prices(self, *, region: str = "", spec_name: str = "") -> list[PriceInfo]:
        region = region or self._clients.region
        if not REGION.fullmatch(region):
            raise InvalidRequestError(f"{region!r} is not an IBM Cloud region name such as us-south.", field="region")
        prices: list[PriceInfo] = []
        for plan in self._children(INSTANCE_SERVICE, "plan"):
            if spec_name and plan.get("name") != spec_name:
                continue
            deployment = next(
                (
                    entry
                    for entry in self._children(str(plan["id"]), "deployment")
                    if ((entry.get("metadata") or {}).get("deployment") or {}).get("location") == region
                ),
                None,
            )
            if deployment is None:
                continue
            with translate():
                pricing = result(self._clients.catalog.get_pricing(id=str(deployment["id"])))
            found = hourly_price(pricing)
            if found is None:
                continue
            price, source = found
            prices.append(
                PriceInfo(
                    spec_name=str(plan["name"]),
                    region=region,
                    hourly_price=price,
                    currency=CURRENCY,
                    extra={**source, "deployment": str(deployment["id"])},
                )
            )
        return prices

    def _children(self, parent: str, kind: str) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            with translate():
                page = result(
                    self._clients.catalog.get_child_objects(id=parent, kind=kind, offset=offset, limit=CATALOG_PAGE)
                )
            resources = page.get("resources") or []
            yield from resources
            offset += len(resources)
            if not resources or offset >= int(page.get("count") or 0):
                return
