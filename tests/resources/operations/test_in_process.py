"""The embedded mode (no broker): operations run on threads of the web process, still asynchronously."""

from __future__ import annotations

import time

import pytest

from resources.models import Operation
from tests.factories import make_connection
from tests.resources.flow import finish
from tests.resources.helpers import VPC_BODY, post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_broker(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SPIDERWEB_BROKER_URL = ""


def test_an_async_request_answers_at_once_and_the_operation_finishes(api, mock_tenant, no_broker) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant, options={"latency_ms": 600}).name
    started = time.monotonic()
    accepted = post(api, conn, "vpcs/", VPC_BODY, wait=False)
    assert time.monotonic() - started < 0.5
    assert accepted.status_code == 202
    operation = finish(api, accepted)
    assert operation["state"] == "succeeded"
    assert operation["result"]["name"] == "vpc-01"


def test_waiting_requests_and_parallel_operations(api, mock_tenant, no_broker) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant, options={"latency_ms": 400}).name
    started = time.monotonic()
    accepted = [
        post(api, conn, "vpcs/", {"name": f"vpc-{i}", "ipv4_cidr": f"10.{i}.0.0/16"}, wait=False) for i in range(4)
    ]
    results = [finish(api, response) for response in accepted]
    assert [r["state"] for r in results] == ["succeeded"] * 4
    assert time.monotonic() - started < 4 * 0.4  # side by side, not one after another
    waited = post(api, conn, "vpcs/", {"name": "vpc-w", "ipv4_cidr": "10.9.0.0/16"})
    assert waited.status_code == 201
    assert Operation.objects.filter(state="succeeded").count() == 5
