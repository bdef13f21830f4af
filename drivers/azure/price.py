"""On-demand Linux VM prices from the Azure Retail Prices API (no credential needed).

The API answers meters: one per VM size, region, operating system and kind of capacity (regular,
Spot, Low Priority), in pages of up to 1000 items linked by `NextPageLink`. "The" price of a spec
is the pay-as-you-go hourly price of the Linux meter of regular capacity, which is how the other
drivers price theirs; Windows meters (the product name ends in "Windows") add the licence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest

from drivers.azure._errors import translate
from drivers.azure._session import RETAIL_PRICES_ENDPOINT, AzureSession
from drivers.errors import InvalidRequestError, NotFoundError, ProviderError
from drivers.types import PriceInfo

PRICES_PATH = "/api/retail/prices"
API_VERSION = "2023-01-01-preview"
MAX_PAGES = 50  # a region's VM meters fill a few pages; more means the filter went wrong

_REGION = re.compile(r"^[a-z0-9]+$")
_NOT_REGULAR = ("spot", "low priority")


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def is_linux_on_demand(item: dict[str, Any]) -> bool:
    """A pay-as-you-go hourly Linux meter of regular capacity."""
    if item.get("type") != "Consumption" or item.get("unitOfMeasure") != "1 Hour" or not item.get("armSkuName"):
        return False
    if "windows" in str(item.get("productName", "")).lower():
        return False
    names = f"{item.get('skuName', '')} {item.get('meterName', '')}".lower()
    return not any(word in names for word in _NOT_REGULAR)


def price_info(item: dict[str, Any], *, region: str) -> PriceInfo | None:
    price = _decimal(item.get("retailPrice"))
    if price is None or price <= 0:
        return None
    extra = {
        "meter_name": str(item.get("meterName", "")),
        "meter_id": str(item.get("meterId", "")),
        "product_name": str(item.get("productName", "")),
        "sku_name": str(item.get("skuName", "")),
        "location": str(item.get("location", "")),
        "effective_start_date": str(item.get("effectiveStartDate", "")),
    }
    return PriceInfo(
        spec_name=str(item["armSkuName"]),
        region=region,
        hourly_price=price.normalize(),
        unit="Hour",
        currency=str(item.get("currencyCode") or "USD"),
        price_type="OnDemand",
        extra={key: value for key, value in extra.items() if value},
    )


def parse_prices(items: Iterable[dict[str, Any]], *, region: str) -> list[PriceInfo]:
    """One price per spec and currency, sorted by spec name. Where a size has several regular Linux
    meters, the primary meter region's and then the most recent one wins."""
    chosen: dict[tuple[str, str], tuple[tuple[bool, str], PriceInfo]] = {}
    for item in items:
        if not is_linux_on_demand(item):
            continue
        price = price_info(item, region=region)
        if price is None:
            continue
        rank = (bool(item.get("isPrimaryMeterRegion", True)), str(item.get("effectiveStartDate", "")))
        key = (price.spec_name, price.currency)
        if key not in chosen or rank > chosen[key][0]:
            chosen[key] = (rank, price)
    return sorted((price for _, price in chosen.values()), key=lambda price: (price.spec_name, price.currency))


def _quoted(value: str) -> str:
    """An OData string literal (a quote is doubled)."""
    return "'" + value.replace("'", "''") + "'"


class AzurePriceHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    def list_prices(self, *, region: str = "", spec_name: str = "") -> list[PriceInfo]:
        region_name = region or self._session.region
        if not _REGION.match(region_name):
            raise InvalidRequestError(
                f"Region {region_name!r} is not an Azure location name (e.g. koreacentral).", field="region"
            )
        conditions = [
            "serviceName eq 'Virtual Machines'",
            "priceType eq 'Consumption'",
            f"armRegionName eq {_quoted(region_name)}",
        ]
        if spec_name:
            conditions.append(f"armSkuName eq {_quoted(spec_name)}")
        prices = parse_prices(self._items(" and ".join(conditions)), region=region_name)
        if spec_name and not prices:
            raise NotFoundError(f"No price for VM spec '{spec_name}' in {region_name}.", field="spec_name")
        return prices

    def _items(self, odata_filter: str) -> list[dict[str, Any]]:
        client = self._session.prices()
        items: list[dict[str, Any]] = []
        request = HttpRequest(
            "GET",
            f"{RETAIL_PRICES_ENDPOINT}{PRICES_PATH}",
            params={"api-version": API_VERSION, "$filter": odata_filter},
        )
        for _ in range(MAX_PAGES):
            with translate():
                response = client.send_request(request)
                if response.status_code != 200:
                    raise HttpResponseError(response=response)
            try:
                # Prices are money: read them as decimals, never through binary floats.
                body: dict[str, Any] = json.loads(response.text(), parse_float=Decimal)
            except ValueError as exc:
                raise ProviderError("The Azure Retail Prices API answered with something unreadable.") from exc
            items.extend(body.get("Items") or [])
            next_link = body.get("NextPageLink")
            if not next_link:
                return items
            request = HttpRequest("GET", str(next_link))
        raise ProviderError(f"The Azure Retail Prices API kept paging past {MAX_PAGES} pages.")
