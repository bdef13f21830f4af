"""Marketplace VM images (Microsoft.Compute): the versions of a publisher's offer SKU, and one version.

The recorded catalogue (one region's) is offered in every location; ids and locations follow the
location asked for.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, fixture, ok

SKU = (
    "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/locations/{location}/publishers/{publisher}"
    "/artifacttypes/vmimage/offers/{offer}/skus/{sku}"
)


def register(fake: FakeAzure) -> None:
    recorded: dict[str, Any] = fixture("vm_images_koreacentral.json", subscription_id=fake.subscription_id)
    # Keys are "publisher:offer:sku"; marketplace names are case-insensitive.
    fake.images = {key.lower(): value for key, value in recorded.items()}
    fake.arm("GET", SKU + "/versions", _versions)
    fake.arm("GET", SKU + "/versions/{version}", _version)


def _placed(item: dict[str, Any], location: str, version: str = "") -> dict[str, Any]:
    item = copy.deepcopy(item)
    item["location"] = location
    item["id"] = re.sub(r"/Locations/[^/]+/", f"/Locations/{location}/", str(item["id"]))
    if version:
        item["name"] = version
        item["id"] = re.sub(r"/Versions/[^/]+$", f"/Versions/{version}", str(item["id"]))
    return item


def _entry(fake: FakeAzure, request: Request) -> dict[str, Any] | None:
    args = request.args
    entry: dict[str, Any] | None = fake.images.get(f"{args['publisher']}:{args['offer']}:{args['sku']}".lower())
    return entry


def _not_found() -> Response:
    return error(404, "NotFound", "Artifact: VMImage was not found.")


def _versions(fake: FakeAzure, request: Request) -> Response:
    entry = _entry(fake, request)
    if entry is None:
        return _not_found()
    # This list is a bare JSON array, not ARM's usual {"value": [...]}.
    return ok([_placed(item, request.args["location"]) for item in entry["versions"]])


def _version(fake: FakeAzure, request: Request) -> Response:
    entry = _entry(fake, request)
    version = request.args["version"]
    if entry is None or version not in {item["name"] for item in entry["versions"]}:
        return _not_found()
    return ok(_placed(entry["image"], request.args["location"], version))
