"""On-demand Linux VM prices from the AWS Price List API (`pricing:GetProducts`).

Each answer item is a JSON document (as a string) holding one product (an instance type in a
region with an OS, tenancy and licence) and its terms; the on-demand term carries one price
dimension per unit. Only shared-tenancy Linux without pre-installed software counts as "the"
price of a spec, which is how the other drivers price theirs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.errors import NotFoundError
from drivers.types import PriceInfo

PAGE_SIZE = 100  # the API's maximum

# The product attributes that single out one price per instance type and region.
BASE_FILTERS = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
    "licenseModel": "No License required",
}

_UNITS = {"Hrs": "Hour", "Hours": "Hour", "Hour": "Hour"}


def parse_price_item(item: str | dict[str, Any]) -> list[PriceInfo]:
    """The on-demand prices in one `PriceList` item (zero-priced dimensions are left out)."""
    document: dict[str, Any] = json.loads(item) if isinstance(item, str) else item
    product = dict(document.get("product", {}))
    attributes = dict(product.get("attributes", {}))
    spec_name = str(attributes.get("instanceType", ""))
    region = str(attributes.get("regionCode", ""))
    if not spec_name or not region:
        return []
    prices: list[PriceInfo] = []
    for term in dict(dict(document.get("terms", {})).get("OnDemand", {})).values():
        for dimension in dict(term.get("priceDimensions", {})).values():
            for currency, amount in dict(dimension.get("pricePerUnit", {})).items():
                try:
                    value = Decimal(str(amount))
                except InvalidOperation:
                    continue
                if value <= 0:
                    continue
                prices.append(
                    PriceInfo(
                        spec_name=spec_name,
                        region=region,
                        hourly_price=value.normalize(),
                        unit=_UNITS.get(str(dimension.get("unit", "")), str(dimension.get("unit", ""))),
                        currency=str(currency),
                        price_type="OnDemand",
                        extra=_extra(attributes, product, term, dimension),
                    )
                )
    return prices


def _extra(
    attributes: dict[str, Any], product: dict[str, Any], term: dict[str, Any], dim: dict[str, Any]
) -> dict[str, str]:
    extra = {
        "sku": str(product.get("sku", "")),
        "operating_system": str(attributes.get("operatingSystem", "")),
        "tenancy": str(attributes.get("tenancy", "")),
        "vcpu": str(attributes.get("vcpu", "")),
        "memory": str(attributes.get("memory", "")),
        "effective_date": str(term.get("effectiveDate", "")),
        "description": str(dim.get("description", "")),
    }
    return {key: value for key, value in extra.items() if value}


def parse_price_list(items: Iterable[str | dict[str, Any]]) -> list[PriceInfo]:
    """Every price of a `PriceList`, one per spec (the first seen wins), sorted by spec name."""
    by_spec: dict[tuple[str, str], PriceInfo] = {}
    for item in items:
        for price in parse_price_item(item):
            by_spec.setdefault((price.spec_name, price.currency), price)
    return sorted(by_spec.values(), key=lambda price: (price.spec_name, price.currency))


class AWSPriceHandler:
    def __init__(self, clients: AWSClients) -> None:
        self._clients = clients

    def list_prices(self, *, region: str = "", spec_name: str = "") -> list[PriceInfo]:
        region_name = region or self._clients.region
        wanted = {**BASE_FILTERS, "regionCode": region_name}
        if spec_name:
            wanted["instanceType"] = spec_name
        pages = (
            self._clients.pricing()
            .get_paginator("get_products")
            .paginate(
                ServiceCode="AmazonEC2",
                Filters=[{"Type": "TERM_MATCH", "Field": key, "Value": value} for key, value in wanted.items()],
                FormatVersion="aws_v1",
                PaginationConfig={"PageSize": PAGE_SIZE},
            )
        )
        items: list[str] = []
        with translate(field="region" if region else ""):
            for page in pages:
                items.extend(page.get("PriceList", []))
        prices = parse_price_list(items)
        if spec_name and not prices:
            raise NotFoundError(f"No price for VM spec '{spec_name}' in {region_name}.", field="spec_name")
        return prices
