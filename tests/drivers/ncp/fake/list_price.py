"""NCP's List Price API (NCP API guide, List Price > getProductPriceList:
`GET https://billingapi.apigw.ntruss.com/billing/v1/product/getProductPriceList`): the products of a
kind in a region with their `priceList`. Each VPC server spec's product has an hourly price (unit
USAGE_HOUR) and a monthly one; prices are answered in the currency asked for (USD here, KRW by default).
"""

from __future__ import annotations

from typing import Any

from tests.drivers.ncp.fake.server import Call, FakeNCP, ServiceError, code, listing
from tests.drivers.ncp.fake.vserver_meta import SPECS

HOURLY_USD = {"s2-g3": "0.0920", "c2-g3": "0.0680", "m4-g3": "0.3010"}


def _product(spec: dict[str, Any], region: str, currency: str) -> dict[str, Any]:
    hourly = HOURLY_USD[spec["serverSpecCode"]]
    rate = 1 if currency == "USD" else 1400

    def price(number: str, unit: str, value: float) -> dict[str, Any]:
        return {
            "priceNo": number,
            "priceType": code("MTRAT", "Metering rate"),
            "region": {"regionNo": "1", "regionCode": region, "regionName": "Korea"},
            "chargingUnitType": code("HOUR" if unit == "USAGE_HOUR" else "MONTH"),
            "ratingUnitType": code("HOUR" if unit == "USAGE_HOUR" else "MONTH"),
            "chargingUnitBasicValue": "1",
            "productRatingType": code("SVR"),
            "unit": code(unit),
            "price": value,
            "conditionType": code("NULL"),
            "conditionPrice": 0.0,
            "priceDescription": "",
            "meteringUnit": code(unit),
            "payCurrency": code(currency),
            "periodUnitList": [],
        }

    return {
        "productItemKind": code("VSVR", "Server (VPC)"),
        "productItemKindDetail": code("STAND"),
        "productCode": spec["serverProductCode"],
        "productName": spec["serverSpecDescription"],
        "productDescription": spec["serverSpecDescription"],
        "productType": code("STAND"),
        "cpuCount": spec["cpuCount"],
        "memorySize": spec["memorySize"],
        "priceList": [
            price(f"{spec['serverSpecCode']}-h", "USAGE_HOUR", float(hourly) * rate),
            price(f"{spec['serverSpecCode']}-m", "USAGE_MONTH", round(float(hourly) * rate * 720 * 0.9, 2)),
        ],
    }


def get_product_price_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    region = call.require("regionCode")
    if region not in ("KR", "SGN", "JPN"):
        raise ServiceError("1401", f"The regionCode {region!r} is invalid.")
    currency = call.get("payCurrencyCode", "KRW")
    products = [_product(spec, region, currency) for spec in SPECS]
    if call.get("productItemKindCode") not in ("", "VSVR"):
        products = []
    return listing("productPriceList", products)


def register(fake: FakeNCP) -> None:
    params = ["regionCode", "productItemKindCode", "payCurrencyCode", "productCode", "pageNo", "pageSize"]
    fake.route("billing", "product/getProductPriceList", get_product_price_list, params)
