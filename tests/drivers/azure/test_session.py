"""The session: one token and one client each per connection, no SDK retries, bounded timeouts, bounded
waits on long-running operations, and nothing reaching past the fake."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from azure.core.polling import LROPoller
from azure.core.rest import HttpRequest

from drivers.azure import AzureConnection, AzureDriver
from drivers.azure._session import CONNECT_TIMEOUT, READ_TIMEOUT, AzureSession
from drivers.errors import InvalidStateError, NotFoundError, ProviderError, TransientError
from tests.drivers.azure.fake import FakeAzure, Request, Response, UnknownRequest, error, ok, resource_groups

WIDGET = "/subscriptions/{subscriptionId}/resourceGroups/{group}/providers/Microsoft.Fake/widgets/{name}"


def _session(conn: AzureConnection) -> AzureSession:
    return conn._session


def test_clients_are_made_once_per_connection_and_released_on_close(azure: AzureConnection) -> None:
    session = _session(azure)
    assert session.compute() is session.compute()
    assert session.network() is session.network()
    assert session.resources() is session.resources()
    assert session.prices() is session.prices()
    assert set(session._clients) == {"compute", "network", "resources", "prices"}
    azure.close()
    assert session._clients == {}


def test_one_token_serves_every_call_of_a_connection(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    azure.region_zone().list_region_zones()
    azure.vm_spec().list_specs()
    azure.image().list_images()
    assert len(fake_azure.requests("POST", "/token")) == 1
    assert len(fake_azure.requests("GET", "openid-configuration")) == 1
    # Instance discovery is off: the authority is the fixed public one.
    assert not fake_azure.requests("GET", "/common/discovery/instance")


def test_the_sdk_does_not_retry(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    fake_azure.inject("GET", "/locations", error(503, "ServiceUnavailable", "Try again later."), times=5)
    with pytest.raises(ProviderError):
        azure.region_zone().list_region_zones()
    assert len(fake_azure.requests("GET", "/locations")) == 1


def test_the_token_request_is_not_retried_either(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    fake_azure.inject("POST", "/token", raises=requests.ConnectionError("connection refused"), times=5)
    with pytest.raises(Exception):  # noqa: B017 - which error is test_errors' business
        azure.region_zone().list_region_zones()
    assert len(fake_azure.requests("POST", "/token")) == 1


def test_every_call_has_bounded_timeouts(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    azure.region_zone().list_region_zones()
    azure.price().list_prices()
    assert fake_azure.calls
    for call in fake_azure.calls:
        assert call.timeout == (CONNECT_TIMEOUT, READ_TIMEOUT), call.url


def test_a_request_the_fake_does_not_know_fails_loudly(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    path = f"/subscriptions/{fake_azure.subscription_id}/providers/Microsoft.Nothing/things"
    with pytest.raises(UnknownRequest):
        list(_session(azure).arm_list(path, api_version="2024-01-01"))
    assert fake_azure.unknown == [f"GET https://management.azure.com{path}?api-version=2024-01-01"]
    fake_azure.unknown.clear()  # seen; the fixture would fail the test otherwise


def test_an_unknown_request_fails_the_test_even_when_swallowed() -> None:
    fake = FakeAzure()
    with (
        pytest.raises(UnknownRequest, match=r"unknown\.invalid"),
        fake.running(),
        contextlib.suppress(UnknownRequest),
    ):
        requests.get("https://unknown.invalid/", timeout=1)


def test_arm_refuses_a_request_without_api_version(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    url = f"https://management.azure.com/subscriptions/{fake_azure.subscription_id}/locations"
    response = _session(azure).resources().send_request(HttpRequest("GET", url))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MissingApiVersionParameter"


# --- long-running operations ------------------------------------------------------------------------


def _widgets(fake: FakeAzure) -> None:
    """A made-up resource type whose create is a long-running operation, as most ARM creates are."""

    def put(fake: FakeAzure, request: Request) -> Response:
        body: dict[str, Any] = {
            "id": request.path,
            "name": request.args["name"],
            "type": "Microsoft.Fake/widgets",
            "location": "koreacentral",
            "properties": {"provisioningState": "Creating"},
        }
        fake.resources[request.path.lower()] = body

        def done() -> None:
            body["properties"]["provisioningState"] = "Succeeded"

        return ok(body, 201, **fake.begin("Microsoft.Fake", "koreacentral", done))

    def get(fake: FakeAzure, request: Request) -> Response:
        body = fake.resources.get(request.path.lower())
        return ok(body) if body else error(404, "ResourceNotFound", "The widget was not found.")

    fake.arm("PUT", WIDGET, put)
    fake.arm("GET", WIDGET, get)


def _begin_widget(conn: AzureConnection, fake: FakeAzure) -> Callable[[], LROPoller[Any]]:
    widget_id = f"/subscriptions/{fake.subscription_id}/resourceGroups/rg/providers/Microsoft.Fake/widgets/w1"
    resources = _session(conn).resources().resources
    return lambda: resources.begin_create_or_update_by_id(
        widget_id, {"location": "koreacentral"}, api_version="2024-01-01"
    )


def test_wait_follows_an_async_operation_to_its_result(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    _widgets(fake_azure)
    fake_azure.operation_polls = 2
    result = _session(azure).wait(_begin_widget(azure, fake_azure), what="widget w1")
    assert result.properties["provisioningState"] == "Succeeded"
    assert len(fake_azure.requests("GET", "/operations/")) == 3  # InProgress twice, then Succeeded


def test_a_failed_operation_raises_azures_error(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    _widgets(fake_azure)
    fake_azure.failing_operations.append(
        ("ScopeLocked", "The scope 'rg' cannot perform write operation: it is locked.")
    )
    with pytest.raises(InvalidStateError) as caught:
        _session(azure).wait(_begin_widget(azure, fake_azure), what="widget w1")
    assert "is locked" in caught.value.provider_message


def test_an_operation_still_running_at_the_deadline_is_transient(fake_azure: FakeAzure) -> None:
    _widgets(fake_azure)
    fake_azure.operation_polls = 10**9
    conn = AzureDriver(polling_interval=0.01, lro_timeout=0.2).connect(fake_azure.connection_info())
    try:
        with pytest.raises(TransientError, match="still working on widget w1"):
            _session(conn).wait(_begin_widget(conn, fake_azure), what="widget w1")
        assert len(fake_azure.requests("GET", "/operations/")) > 1
    finally:
        fake_azure.finish_operations()  # the poller's thread polls on until the operation ends
        _until_widget_read(fake_azure)  # ...and then reads the widget: let it do so before this fake goes
        conn.close()


def _until_widget_read(fake: FakeAzure, within_s: float = 10.0) -> None:
    deadline = time.monotonic() + within_s
    while not fake.requests("GET", "/widgets/w1") and time.monotonic() < deadline:
        time.sleep(0.02)


def test_wait_follows_a_location_operation(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    resource_groups.seed(fake_azure, "old-rg")
    groups = _session(azure).resources().resource_groups
    _session(azure).wait(lambda: groups.begin_delete("old-rg"), what="resource group old-rg")
    assert resource_groups.find(fake_azure, "old-rg") is None
    with pytest.raises(NotFoundError):
        _session(azure).wait(lambda: groups.begin_delete("old-rg"), what="resource group old-rg")
