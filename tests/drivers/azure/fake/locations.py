"""The subscription's locations (Microsoft.Resources), with their availability zone mappings."""

from __future__ import annotations

import copy

from tests.drivers.azure.fake.server import FakeAzure, Request, Response, fixture, ok


def register(fake: FakeAzure) -> None:
    fake.locations = fixture("locations.json", subscription_id=fake.subscription_id)["value"]
    fake.arm("GET", "/subscriptions/{subscriptionId}/locations", _list)


def _list(fake: FakeAzure, request: Request) -> Response:
    # ARM answers every location in one page.
    return ok({"value": copy.deepcopy(fake.locations)})
