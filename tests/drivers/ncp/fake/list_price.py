"""NCP's List Price API (NCP API guide, List Price > getProductPriceList:
`GET https://billingapi.apigw.ntruss.com/billing/v1/product/getProductPriceList`): the products of a
kind in a region with their `priceList`. Each VPC server spec's product has an hourly price (unit
USAGE_HOUR) and a monthly one; prices are answered in the currency asked for (USD here, KRW by default).
Classic server products are kind SVR ("Server"), their `productCode` the server product code that
`getServerProductList` answers; the Classic regions are KR, USWN and DEN in the fake.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.ncp.fake.classic import PRODUCTS
from tests.drivers.ncp.fake.server import Call, FakeNCP, ServiceError, code, listing
from tests.drivers.ncp.fake.vserver_meta import SPECS

HOURLY_USD = {
    "s2-g3": "0.0920",
    "c2-g3": "0.0680",
    "m4-g3": "0.3010",
    # Classic server products
    "SVR.VSVR.STAND.C002.M004.NET.SSD.B050.G002": "0.0740",
    "SVR.VSVR.STAND.C004.M008.NET.SSD.B050.G002": "0.1480",
    "SVR.VSVR.STAND.C004.M008.NET.SSD.B100.G002": "0.1560",
}


def _product(spec: dict[str, Any], region: str, currency: str, kind: str = "VSVR") -> dict[str, Any]:
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
        "productItemKind": code(kind, "Server (VPC)" if kind == "VSVR" else "Server"),
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
    if region not in ("KR", "SGN", "JPN", "USWN", "DEN"):
        raise ServiceError("1401", f"The regionCode {region!r} is invalid.")
    currency = call.get("payCurrencyCode", "KRW")
    kind = call.get("productItemKindCode")
    products = [_product(spec, region, currency) for spec in SPECS] if kind in ("", "VSVR") else []
    if kind in ("", "SVR"):
        classic = {p["productCode"]: p for ps in PRODUCTS.values() for p in ps}
        products += [
            _product(
                {
                    "serverSpecCode": number,
                    "serverProductCode": number,
                    "serverSpecDescription": p["productDescription"],
                    "cpuCount": p["cpuCount"],
                    "memorySize": p["memorySize"],
                },
                region,
                currency,
                "SVR",
            )
            for number, p in classic.items()
        ]
    return listing("productPriceList", products)


def register(fake: FakeNCP) -> None:
    params = ["regionCode", "productItemKindCode", "payCurrencyCode", "productCode", "pageNo", "pageSize"]
    fake.route("billing", "product/getProductPriceList", get_product_price_list, params)
