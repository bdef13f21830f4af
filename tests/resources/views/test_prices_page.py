"""The price comparison page: for a requirement, every connection's matching specs, cheapest first."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.factories import make_connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def prices_in(page: str) -> list[Decimal]:
    return [Decimal(value) for value in re.findall(r"<strong>([0-9.]+)</strong>", page)]


def test_offers_of_every_connection_cheapest_first(logged_in, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="on-mars", tenant=mock_tenant, region="mars", zone="mars-z1")
    make_connection(name="on-venus", tenant=mock_tenant, region="venus", zone="venus-z1")
    page = logged_in.get("/catalogue/prices/").content.decode()
    found = prices_in(page)
    assert len(found) == 8  # four specs in each of the two regions
    assert found == sorted(found)
    assert "on-mars" in page and "on-venus" in page


def test_requirements_narrow_the_offers(logged_in, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="on-mars", tenant=mock_tenant)
    everything = len(prices_in(logged_in.get("/catalogue/prices/").content.decode()))
    with_gpu = logged_in.get("/catalogue/prices/?gpu=yes").content.decode()
    without = logged_in.get("/catalogue/prices/?gpu=no").content.decode()
    assert 0 < len(prices_in(with_gpu)) < everything
    assert len(prices_in(with_gpu)) + len(prices_in(without)) == everything
    assert prices_in(logged_in.get("/catalogue/prices/?min_vcpu=64").content.decode()) == []
    bad = logged_in.get("/catalogue/prices/?min_vcpu=many").content.decode()
    assert "min_vcpu" in bad and "not a number" in bad


def test_a_down_region_is_named_and_the_others_still_answer(logged_in, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="on-mars", tenant=mock_tenant)
    make_connection(name="gone", tenant=mock_tenant, region="venus", zone="venus-z1", options={"down": True})
    page = logged_in.get("/catalogue/prices/").content.decode()
    assert "gone:" in page and "cannot be reached" in page
    assert len(prices_in(page)) == 4
