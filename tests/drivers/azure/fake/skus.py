"""Compute resource SKUs (what sizes a location offers, with capabilities and restrictions), and the
older VM sizes list of a location derived from them."""

from __future__ import annotations

import copy
import re
from typing import Any

from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, fixture, ok

_LOCATION_FILTER = re.compile(r"^location eq '([a-z0-9]+)'$", re.IGNORECASE)


def register(fake: FakeAzure) -> None:
    fake.skus = fixture("resource_skus_koreacentral.json")["value"]
    fake.arm("GET", "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/skus", _skus)
    fake.arm("GET", "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/locations/{location}/vmSizes", _sizes)


def _in(location: str, sku: dict[str, Any]) -> bool:
    return location.lower() in {str(name).lower() for name in sku.get("locations") or []}


def _skus(fake: FakeAzure, request: Request) -> Response:
    items: list[dict[str, Any]] = copy.deepcopy(fake.skus)
    wanted = request.query.get("$filter", "")
    if wanted:
        match = _LOCATION_FILTER.match(wanted.strip())
        if match is None:
            return error(400, "InvalidParameter", f"The filter '{wanted}' is not supported: only location is.")
        items = [sku for sku in items if _in(match.group(1), sku)]
    return fake.page(request, items)


def _sizes(fake: FakeAzure, request: Request) -> Response:
    location = request.args["location"]
    sizes = []
    for sku in fake.skus:
        if sku.get("resourceType") != "virtualMachines" or not _in(location, sku):
            continue
        caps = {str(c["name"]): str(c["value"]) for c in sku.get("capabilities") or []}
        sizes.append(
            {
                "name": sku["name"],
                "numberOfCores": int(caps.get("vCPUs", "0")),
                "osDiskSizeInMB": int(caps.get("OSVhdSizeMB", "0")),
                "resourceDiskSizeInMB": int(caps.get("MaxResourceVolumeMB", "0")),
                "memoryInMB": int(float(caps.get("MemoryGB", "0")) * 1024),
                "maxDataDiskCount": int(caps.get("MaxDataDiskCount", "0")),
            }
        )
    return ok({"value": sizes})
