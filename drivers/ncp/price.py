"""On-demand prices of the VPC platform's server specs from NCP's List Price API
(`GET https://billingapi.apigw.ntruss.com/billing/v1/product/getProductPriceList`, signed like every
call): the products of kind VSVR (Server (VPC)) of a region, each with its `priceList`. A spec's price
is the product whose code is the spec's `serverProductCode`, and its hourly price the entry charged
per hour of use (unit USAGE_HOUR); prices are asked for in USD.

On Classic the specs are server products (`getServerProductList`, per image), and their prices the List
Price API's products of kind SVR (Server), whose `productCode` is the server product's code, which is
the Classic spec's name.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from drivers.ncp._client import NCPClient
from drivers.ncp._common import code, rows
from drivers.ncp.meta import CLASSIC, NCPVMSpecHandler
from drivers.types import PriceInfo

BILLING = "https://billingapi.apigw.ntruss.com"
CURRENCY = "USD"


def _hourly(product: dict[str, Any]) -> tuple[Decimal, dict[str, Any]] | None:
    for price in product.get("priceList") or []:
        if code(price.get("unit")) != "USAGE_HOUR":
            continue
        try:
            value = Decimal(str(price.get("price")))
        except InvalidOperation:
            continue
        if value > 0:
            return value, dict(price)
    return None


class NCPPriceHandler:
    kind = "VSVR"  # the List Price API's product kind of the platform's servers

    def __init__(self, client: NCPClient, host: str = BILLING) -> None:
        self._client = client
        self._host = host

    def _specs(self, region: str) -> dict[str, str]:
        """Product code -> spec name."""
        specs = rows(
            self._client.call("vserver", "getServerSpecList", {"regionCode": region}, region=False), "serverSpecList"
        )
        return {str(s["serverProductCode"]): str(s["serverSpecCode"]) for s in specs}

    def list_prices(self, *, region: str = "", spec_name: str = "") -> list[PriceInfo]:
        region = region or self._client.region
        wanted = self._specs(region)
        if spec_name:
            wanted = {product: spec for product, spec in wanted.items() if spec == spec_name}
        params = {"regionCode": region, "productItemKindCode": self.kind, "payCurrencyCode": CURRENCY}
        answer = self._client.call(
            "billing", "product/getProductPriceList", params, region=False, host=self._host, version="v1"
        )
        prices = []
        for product in rows(answer, "productPriceList"):
            spec = wanted.get(str(product.get("productCode")))
            hourly = _hourly(product) if spec else None
            if spec is None or hourly is None:
                continue
            value, entry = hourly
            prices.append(
                PriceInfo(
                    spec_name=spec,
                    region=region,
                    hourly_price=value,
                    currency=code(entry.get("payCurrency")) or CURRENCY,
                    extra={"productCode": str(product["productCode"]), "priceNo": str(entry.get("priceNo", ""))},
                )
            )
        return prices


class NCPClassicPriceHandler(NCPPriceHandler):
    kind = "SVR"

    def _specs(self, region: str) -> dict[str, str]:
        # Classic server products are listed for the connection's region; their codes name the specs.
        return {spec.name: spec.name for spec in NCPVMSpecHandler(self._client, CLASSIC).list_specs()}
