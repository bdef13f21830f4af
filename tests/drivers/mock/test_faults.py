"""Injected faults: latency, outages, throttling and failures, per connection."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any

import pytest

from drivers.errors import FieldError, ProviderError, ThrottlingError, TransientError, UnreachableError
from drivers.mock import CAPABILITIES, MockConnection
from drivers.types import VPCReqInfo
from tests.drivers.support import MakeConnection


def _create_vpc(conn: MockConnection) -> None:
    conn.vpc().create_vpc(req=VPCReqInfo(name="vpc-f", ipv4_cidr="10.0.0.0/16"))


@pytest.mark.parametrize("family", sorted(CAPABILITIES.handlers))
def test_a_down_region_is_unreachable_for_every_handler_method(make_connection: MakeConnection, family: str) -> None:
    handler = getattr(make_connection(down=True), family)()
    methods = [name for name in dir(handler) if not name.startswith("_") and callable(getattr(handler, name))]
    assert methods
    for name in methods:
        method = getattr(handler, name)
        # The fault gate comes before any use of the arguments, so placeholders will do.
        required = {
            param.name: None
            for param in inspect.signature(method).parameters.values()
            if param.default is inspect.Parameter.empty
        }
        with pytest.raises(UnreachableError) as caught:
            method(**required)
        assert not isinstance(caught.value, TransientError), name
        assert caught.value.code == "unreachable"
        assert "mars" in str(caught.value)


def test_verify_of_a_down_region_is_unreachable(make_connection: MakeConnection) -> None:
    with pytest.raises(UnreachableError):
        make_connection(down=True).verify()


def test_latency_is_added_to_every_call(make_connection: MakeConnection) -> None:
    conn = make_connection(latency_ms=150)
    calls: list[Callable[[], Any]] = [conn.verify, conn.price().list_prices, lambda: _create_vpc(conn)]
    for call in calls:
        started = time.monotonic()
        call()
        assert time.monotonic() - started >= 0.15


def test_throttling_says_when_to_retry(make_connection: MakeConnection) -> None:
    with pytest.raises(ThrottlingError) as caught:
        make_connection(throttle_rate=1).vpc().list_vpcs()
    assert isinstance(caught.value, TransientError)
    assert caught.value.retry_after is not None and caught.value.retry_after > 0
    assert caught.value.to_dict()["retry_after"] == caught.value.retry_after


def test_failure_rate_one_always_fails_with_a_provider_error(make_connection: MakeConnection) -> None:
    conn = make_connection(failure_rate=1)
    with pytest.raises(ProviderError) as caught:
        conn.verify()
    assert isinstance(caught.value, TransientError)
    assert caught.value.provider_message in str(caught.value)


def test_failure_rate_is_a_probability(make_connection: MakeConnection) -> None:
    conn = make_connection(failure_rate=0.5)
    outcomes = []
    for _ in range(200):
        try:
            conn.region_zone().list_region_zones()
            outcomes.append(True)
        except ProviderError:
            outcomes.append(False)
    assert 40 < outcomes.count(False) < 160


def test_a_failed_create_leaves_nothing_behind(make_connection: MakeConnection) -> None:
    with pytest.raises(ProviderError):
        _create_vpc(make_connection(failure_rate=1))
    assert make_connection().vpc().list_vpcs() == []


def test_faults_belong_to_one_connection(make_connection: MakeConnection) -> None:
    make_connection(down=True)
    make_connection(region="venus").verify()


def test_options_given_as_form_strings_are_understood(make_connection: MakeConnection) -> None:
    with pytest.raises(UnreachableError):
        make_connection(down="true", latency_ms="10", failure_rate="0", throttle_rate="0.0").verify()
    make_connection(down="false", latency_ms="", failure_rate="").verify()


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"failure_rate": 2}, "failure_rate"),
        ({"throttle_rate": -0.1}, "throttle_rate"),
        ({"latency_ms": -5}, "latency_ms"),
        ({"latency_ms": "fast"}, "latency_ms"),
        ({"down": "maybe"}, "down"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_options_are_refused_at_connect(
    make_connection: MakeConnection, options: dict[str, Any], field: str
) -> None:
    with pytest.raises(FieldError) as caught:
        make_connection(**options)
    assert caught.value.field == field
