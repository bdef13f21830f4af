"""`connections/{name}/verify/` opens the connection through its driver: ok, or the provider's error."""

from __future__ import annotations

import time

import pytest

from tests.factories import make_connection

pytestmark = pytest.mark.django_db


def verify(api, name: str):  # type: ignore[no-untyped-def]
    return api.post(f"/api/v1/connections/{name}/verify/")


def test_verify_ok(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="ok-conn", tenant=mock_tenant, region="venus", zone="venus-z2")
    response = verify(api, "ok-conn")
    assert response.status_code == 200
    assert response.json() | {"elapsed_ms": 0} == {
        "ok": True,
        "connection": "ok-conn",
        "provider": "mock",
        "region": "venus",
        "zone": "venus-z2",
        "elapsed_ms": 0,
    }


def test_verify_of_a_down_region_reports_unreachable(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="down-conn", tenant=mock_tenant, options={"down": True})
    response = verify(api, "down-conn")
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "unreachable"
    assert "mars" in error["message"]


def test_verify_of_a_throttled_region_is_429_with_the_hint(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="busy-conn", tenant=mock_tenant, options={"throttle_rate": 1})
    response = verify(api, "busy-conn")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert response.json()["error"]["retry_after"] > 0


def test_verify_of_a_failing_region_is_502_with_the_provider_message(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="flaky-conn", tenant=mock_tenant, options={"failure_rate": 1})
    response = verify(api, "flaky-conn")
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "provider_error"
    assert response.json()["error"]["message"]


def test_verify_waits_for_a_slow_region(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="slow-conn", tenant=mock_tenant, options={"latency_ms": 300})
    started = time.monotonic()
    response = verify(api, "slow-conn")
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3
    assert response.json()["elapsed_ms"] >= 300


def test_verify_of_a_region_the_cloud_lacks_fails_naming_it(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="pluto-conn", tenant=mock_tenant, region="pluto", zone="")
    response = verify(api, "pluto-conn")
    assert 400 <= response.status_code < 500
    assert "pluto" in response.json()["error"]["message"]


def test_verify_of_an_unknown_connection_is_404(api) -> None:  # type: ignore[no-untyped-def]
    response = verify(api, "nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_capabilities_of_a_connection_follow_its_driver(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    from drivers.registry import get_driver

    make_connection(name="caps", tenant=mock_tenant)
    body = api.get("/api/v1/connections/caps/capabilities/").json()
    assert body["connection"] == "caps" and body["provider"] == "mock"
    assert body == {"connection": "caps", "provider": "mock", **get_driver("mock").capabilities.to_dict()}
    assert body["vm"] is True and isinstance(body["tag_kinds"], list)
    assert api.get("/api/v1/connections/nope/capabilities/").status_code == 404
