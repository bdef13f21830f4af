"""The Azure Retail Prices API (prices.azure.com): unauthenticated, OData `$filter` of `field eq 'value'`
conditions joined by `and`, pages linked by `NextPageLink` ($skip)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tests.drivers.azure.fake.server import FakeAzure, Request, Response, fixture, ok

HOST = "prices.azure.com"
RECORDED = (
    "retail_prices_koreacentral_page1.json",
    "retail_prices_koreacentral_page2.json",
    "retail_prices_koreasouth.json",
)
_CONDITION = re.compile(r"^(\w+) eq '((?:[^']|'')*)'$")
# The filter says priceType where the items say type.
_FIELDS = {"priceType": "type"}


def register(fake: FakeAzure) -> None:
    fake.prices = [item for name in RECORDED for item in fixture(name)["Items"]]
    fake.prices_page_size = 4  # the API's is 1000
    fake.route(HOST, "GET", "/api/retail/prices", _prices)


def _bad_request(message: str) -> Response:
    return ok({"Error": {"Code": "BadRequest", "Message": message}}, status=400)


def _conditions(odata_filter: str) -> list[tuple[str, str]] | None:
    conditions = []
    for part in re.split(r"\s+and\s+", odata_filter.strip()) if odata_filter.strip() else []:
        match = _CONDITION.match(part.strip())
        if match is None:
            return None
        conditions.append((_FIELDS.get(match.group(1), match.group(1)), match.group(2).replace("''", "'")))
    return conditions


def _prices(fake: FakeAzure, request: Request) -> Response:
    conditions = _conditions(request.query.get("$filter", ""))
    if conditions is None:
        return _bad_request("Invalid OData parameters supplied")
    items: list[dict[str, Any]] = [
        item for item in fake.prices if all(str(item.get(name, "")) == value for name, value in conditions)
    ]
    try:
        skip = int(request.query.get("$skip", "0"))
    except ValueError:
        return _bad_request("Invalid OData parameters supplied")
    page = items[skip : skip + fake.prices_page_size]
    next_link = None
    if skip + len(page) < len(items):
        parts = urlsplit(request.url)
        query = [(key, value) for key, value in parse_qsl(parts.query) if key != "$skip"]
        query.append(("$skip", str(skip + len(page))))
        next_link = urlunsplit(parts._replace(netloc=f"{HOST}:443", query=urlencode(query)))
    return ok(
        {
            "BillingCurrency": "USD",
            "CustomerEntityId": "Default",
            "CustomerEntityType": "Retail",
            "Items": page,
            "NextPageLink": next_link,
            "Count": len(page),
        }
    )
