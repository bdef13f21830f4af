"""Prices from the Global Catalog: the is.instance plan of each profile, its deployment in the region,
the first-tier USD price of its instance-hours metric."""

from __future__ import annotations

from decimal import Decimal

import pytest

from drivers.errors import InvalidRequestError
from drivers.ibm import IBMConnection
from drivers.ibm.price import hourly_price
from tests.drivers.ibm.fake import FakeIBM


def test_each_profile_gets_its_hourly_usd_price_in_the_region(fake: FakeIBM, ibm: IBMConnection) -> None:
    prices = {price.spec_name: price for price in ibm.price().list_prices()}
    assert set(prices) == {"bx2-2x8", "bx2-4x16", "cx2-2x4", "mx2-2x16", "gx2-8x64x1v100"}
    bx2 = prices["bx2-2x8"]
    assert (bx2.hourly_price, bx2.currency, bx2.unit, bx2.region) == (Decimal("0.084"), "USD", "Hour", "us-south")
    assert bx2.extra["metric_id"] == "part-is-instance-hours"


def test_a_profile_without_a_deployment_in_the_region_has_no_price(ibm: IBMConnection) -> None:
    tokyo = {price.spec_name for price in ibm.price().list_prices(region="jp-tok")}
    assert "cx2-2x4" not in tokyo and "bx2-2x8" in tokyo
    assert ibm.price().list_prices(region="jp-tok", spec_name="cx2-2x4") == []


def test_one_spec_reads_only_its_plan(fake: FakeIBM, ibm: IBMConnection) -> None:
    fake.calls.clear()
    [price] = ibm.price().list_prices(spec_name="mx2-2x16")
    assert price.spec_name == "mx2-2x16"
    assert sum(call.endswith("/pricing") for call in fake.calls) == 1


def test_plans_are_read_page_by_page(fake: FakeIBM, ibm: IBMConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("drivers.ibm.price.CATALOG_PAGE", 2)
    assert len(ibm.price().list_prices()) == 5
    assert sum(call.endswith("/is.instance/plan") for call in fake.calls) == 3


def test_only_an_hourly_usd_metric_makes_a_price() -> None:
    transfer = {
        "charge_unit_name": "GIGABYTE_TRANSMITTED_OUTBOUND",
        "amounts": [{"country": "USA", "currency": "USD", "prices": [{"quantity_tier": 1, "price": 0.09}]}],
    }
    euro_hours = {
        "charge_unit_name": "INSTANCE_HOURS_MULTI_TENANT",
        "amounts": [{"country": "DEU", "currency": "EUR", "prices": [{"quantity_tier": 1, "price": 0.08}]}],
    }
    assert hourly_price({"metrics": [transfer, euro_hours]}) is None
    tiers = {
        "charge_unit_name": "INSTANCE_HOURS_MULTI_TENANT",
        "amounts": [
            {
                "country": "USA",
                "currency": "USD",
                "prices": [{"quantity_tier": 750, "price": 0.05}, {"quantity_tier": 1, "price": 0.1}],
            }
        ],
    }
    assert hourly_price({"metrics": [tiers]}) == (
        Decimal("0.1"),
        {"metric_id": "", "charge_unit": "INSTANCE_HOURS_MULTI_TENANT"},
    )


def test_a_bad_region_name_is_refused(ibm: IBMConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        ibm.price().list_prices(region="Dallas")
    assert caught.value.field == "region"
