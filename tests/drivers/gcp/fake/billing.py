"""Cloud Billing Catalog SKUs (cloudbilling.services.skus), seeded from fixtures/billing_skus.json.

The fixture holds the pages of a services.skus.list answer for Compute Engine; the fake serves the
SKUs again, paged by the request's pageSize.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.drivers.gcp.fake.server import BILLING, ApiError, FakeGCP, Request

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "billing_skus.json"
COMPUTE_ENGINE = "6F81-5844-456A"


def recorded_pages() -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = json.loads(FIXTURE.read_text())
    return pages


def register(fake: FakeGCP) -> None:
    fake.catalogue["skus"] = {COMPUTE_ENGINE: [sku for page in recorded_pages() for sku in page["skus"]]}

    def list_skus(req: Request) -> dict[str, Any]:
        service = req.params["service"]
        skus = fake.catalogue["skus"].get(service)
        if skus is None:
            raise ApiError(404, f"Service services/{service} does not exist.", "notFound")
        currency = req.query.get("currencyCode", "USD")
        if currency != "USD":
            raise ApiError(400, f"The currency {currency} is not available in this fake.", "badRequest")
        answer = fake.page(skus, req, key="skus", size_param="pageSize", default_size=5000)
        answer.setdefault("nextPageToken", "")
        return answer

    fake.route(
        "GET",
        BILLING,
        "/services/(?P<service>[^/]+)/skus",
        list_skus,
        query=frozenset({"pageSize", "pageToken", "currencyCode", "startTime", "endTime"}),
    )
