"""Prices from Compute Engine SKUs as the Cloud Billing Catalog API answered them, through the fake.

fixtures/billing_skus_recorded.json holds SKUs recorded from the real API (sources, commits and
what was left out: fixtures/billing_skus_recorded.md). Each expected price below is worked out by
hand from the unit prices recorded there.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from google.cloud import billing_v1

from drivers.errors import NotFoundError
from drivers.gcp import GCPConnection
from drivers.gcp.price import _unit_price
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.fake.billing import COMPUTE_ENGINE

RECORDED = Path(__file__).resolve().parent / "fixtures" / "billing_skus_recorded.json"

# N4D and N4A sizes from Google's machine-series tables (general-purpose machines): standard has
# 4 GB per vCPU, highcpu 2 GB and highmem 8 GB; the page's SKUs price these two families.
N4_TYPES = {
    "n4d-standard-2": (2, 8 * 1024),
    "n4d-highcpu-2": (2, 4 * 1024),
    "n4d-highmem-2": (2, 16 * 1024),
    "n4a-standard-1": (1, 4 * 1024),
    "n4a-highmem-2": (2, 16 * 1024),
}

# Hourly prices in us-central1, from the recorded on-demand SKUs:
#   N4D Instance Core running in Iowa (FF75-7D01-4303): 0 units + 29110000 nanos = 0.02911 $/vCPU-h
#   N4D Instance Ram running in Iowa  (19B3-529B-52CC): 3310000 nanos             = 0.00331 $/GiB-h
#   N4A Instance Core running in Iowa (36AC-06EF-9B3D): 26460000 nanos            = 0.02646 $/vCPU-h
#   N4A Instance Ram running in Iowa  (2F59-FB4B-2285): 3010000 nanos             = 0.00301 $/GiB-h
EXPECTED = {
    "n4d-standard-2": Decimal("0.0847"),  # 2 * 0.02911 + 8 * 0.00331 = 0.05822 + 0.02648
    "n4d-highcpu-2": Decimal("0.07146"),  # 2 * 0.02911 + 4 * 0.00331 = 0.05822 + 0.01324
    "n4d-highmem-2": Decimal("0.11118"),  # 2 * 0.02911 + 16 * 0.00331 = 0.05822 + 0.05296
    "n4a-standard-1": Decimal("0.0385"),  # 1 * 0.02646 + 4 * 0.00301 = 0.02646 + 0.01204
    "n4a-highmem-2": Decimal("0.10108"),  # 2 * 0.02646 + 16 * 0.00301 = 0.05292 + 0.04816
    # A2 Instance Core (2922-40C5-B19F) 0.031611 $/vCPU-h, A2 Instance Ram (2390-DCAF-DA38)
    # 0.004237 $/GiB-h, Nvidia Tesla A100 GPU (039F-D0DA-4055) 2 units + 933908000 nanos = 2.933908 $/h:
    # 12 * 0.031611 + 85 * 0.004237 + 1 * 2.933908 = 0.379332 + 0.360145 + 2.933908
    "a2-highgpu-1g": Decimal("3.673385"),
}


def _recorded_skus() -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = json.loads(RECORDED.read_text())
    return [sku for page in pages for sku in page["skus"]]


def _machine_type(name: str, vcpus: int, memory_mb: int) -> dict[str, Any]:
    return {
        "kind": "compute#machineType",
        "name": name,
        "description": f"{vcpus} vCPUs, {memory_mb // 1024} GB RAM",
        "guestCpus": vcpus,
        "memoryMb": memory_mb,
        "isSharedCpu": False,
    }


@pytest.fixture
def recorded(fake: FakeGCP) -> FakeGCP:
    """The fake answering the recorded SKUs, offering the N4D and N4A types they price."""
    fake.catalogue["skus"] = {COMPUTE_ENGINE: _recorded_skus()}
    added = [_machine_type(name, vcpus, memory) for name, (vcpus, memory) in N4_TYPES.items()]
    fake.catalogue["machine_types"] = [*fake.catalogue["machine_types"], *added]
    return fake


def test_machine_types_are_priced_from_the_recorded_family_rates(recorded: FakeGCP, gcp: GCPConnection) -> None:
    prices = {price.spec_name: price for price in gcp.price().list_prices()}
    assert {name: price.hourly_price for name, price in prices.items()} == EXPECTED
    assert prices["n4d-standard-2"].extra["skus"] == "FF75-7D01-4303,19B3-529B-52CC"
    assert prices["n4a-standard-1"].extra["skus"] == "36AC-06EF-9B3D,2F59-FB4B-2285"
    assert prices["a2-highgpu-1g"].extra["skus"] == "2922-40C5-B19F,2390-DCAF-DA38,039F-D0DA-4055"
    assert all(price.currency == "USD" and price.region == "us-central1" for price in prices.values())


def test_spot_custom_sole_tenancy_and_reserved_skus_never_stand_in_for_the_list_price(
    recorded: FakeGCP, gcp: GCPConnection
) -> None:
    """The page read backwards, so that each family's Reserved SKUs (priced 0, yet filed as
    Compute/OnDemand), custom-type, sole-tenancy and Spot SKUs come before its on-demand ones."""
    recorded.catalogue["skus"][COMPUTE_ENGINE].reverse()
    prices = {price.spec_name: price for price in gcp.price().list_prices()}
    assert {name: price.hourly_price for name, price in prices.items()} == EXPECTED
    assert prices["n4d-highmem-2"].extra["core_price"] == "0.02911"  # not the Custom 0.030566 nor Spot 0.01553
    assert prices["n4a-highmem-2"].extra["ram_price"] == "0.00301"  # not the sole-tenancy premium 0.000301


def test_a_region_the_recorded_skus_do_not_serve_has_no_price(recorded: FakeGCP, gcp: GCPConnection) -> None:
    """The N4 SKUs serve us-central1 only: us-east1 gets no price rather than Iowa's."""
    assert gcp.price().list_prices(region="us-east1") == []
    with pytest.raises(NotFoundError) as caught:
        gcp.price().list_prices(region="us-east1", spec_name="n4d-standard-2")
    assert caught.value.field == "spec_name"


def test_the_recorded_pages_are_followed_to_the_end(recorded: FakeGCP, gcp: GCPConnection) -> None:
    recorded.page_cap = 4  # 20 recorded SKUs: 5 pages
    prices = {price.spec_name: price.hourly_price for price in gcp.price().list_prices()}
    assert prices == EXPECTED
    assert recorded.calls.count(f"GET /v1/services/{COMPUTE_ENGINE}/skus") == 5


@pytest.mark.parametrize(
    ("sku_id", "unit", "price"),
    [
        # Three tiers from 0, 1024 and 10240 GiB a month: the rate charged from the first GiB.
        ("02EE-77CE-ACCD", "GiBy", Decimal("0.12")),
        # "Reserved N4D Core in Iowa": one tier with units "0" and nanos 0, a price of 0, not no price.
        ("60CA-8F25-0951", "h", Decimal("0")),
        ("2922-40C5-B19F", "h", Decimal("0.031611")),
        ("2922-40C5-B19F", "GiBy.h", None),  # priced per hour, not per GiB-hour
    ],
)
def test_a_recorded_skus_unit_price(sku_id: str, unit: str, price: Decimal | None) -> None:
    [sku] = [item for item in _recorded_skus() if item["skuId"] == sku_id]
    parsed = billing_v1.Sku.from_json(json.dumps(sku), ignore_unknown_fields=True)
    assert _unit_price(parsed, unit=unit) == price
