"""On-demand (postpaid by hour) prices of the instance types of a region.

The whole region's list comes from CVM DescribeZoneInstanceConfigInfos, whose `Price.UnitPriceDiscount`
is the account's hourly price of each type in each zone (one call). Asking for one spec asks CVM
InquiryPriceRunInstances, per zone selling it, for the price of launching it (with the region's first
public Linux image and its default system disk): the figure the account would actually be billed.
Tencent bills the China site in CNY and the international site in USD; the connection's `currency`
option says which the account uses.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drivers.errors import NotFoundError
from drivers.tencent._session import TencentClients
from drivers.tencent.vm_spec import quota_items
from drivers.types import PriceInfo


def _decimal(price: dict[str, Any]) -> Decimal:
    value = price.get("UnitPriceDiscount")
    if value is None:
        value = price.get("UnitPrice")
    return Decimal(str(value or 0))


class TencentPriceHandler:
    def __init__(self, clients: TencentClients, *, currency: str) -> None:
        self._clients = clients
        self._currency = currency

    def list_prices(self, *, region: str = "", spec_name: str = "") -> list[PriceInfo]:
        region = region or self._clients.region
        items = quota_items(self._clients, region=region, spec_name=spec_name)
        if spec_name:
            if not items:
                raise NotFoundError(f"Instance type '{spec_name}' is not sold in region {region}.")
            image_id = self._linux_image(region)
            return [self._inquire(region, item["Zone"], spec_name, image_id) for item in items]
        return [
            PriceInfo(
                spec_name=item["InstanceType"],
                region=region,
                zone=item["Zone"],
                hourly_price=_decimal(item.get("Price") or {}),
                currency=self._currency,
                extra={"ChargeUnit": str((item.get("Price") or {}).get("ChargeUnit") or "HOUR")},
            )
            for item in items
            if _decimal(item.get("Price") or {}) > 0
        ]

    def _linux_image(self, region: str) -> str:
        filters = [{"Name": "image-type", "Values": ["PUBLIC_IMAGE"]}]
        answer = self._clients.call("cvm", "DescribeImages", {"Filters": filters, "Limit": 100}, region=region)
        for image in answer.get("ImageSet") or []:
            if str(image.get("Platform") or "").lower() != "windows":
                return str(image["ImageId"])
        raise NotFoundError(f"Region {region} offers no public Linux image to price a launch with.")

    def _inquire(self, region: str, zone: str, spec_name: str, image_id: str) -> PriceInfo:
        answer = self._clients.call(
            "cvm",
            "InquiryPriceRunInstances",
            {
                "Placement": {"Zone": zone},
                "ImageId": image_id,
                "InstanceChargeType": "POSTPAID_BY_HOUR",
                "InstanceType": spec_name,
            },
            region=region,
        )
        instance_price = (answer.get("Price") or {}).get("InstancePrice") or {}
        return PriceInfo(
            spec_name=spec_name,
            region=region,
            zone=zone,
            hourly_price=_decimal(instance_price),
            currency=self._currency,
            extra={"ChargeUnit": str(instance_price.get("ChargeUnit") or "HOUR"), "ImageId": image_id},
        )
