"""Regions and zones, public images, VM specs and prices, through the fake Google Cloud."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from drivers.errors import NotFoundError, UnreachableError
from drivers.gcp import GCPConnection, GCPDriver
from drivers.types import IID, ImageStatus, ZoneStatus
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.support import PROJECT, connection_info

# --- regions and zones ---------------------------------------------------------------------------


def test_regions_carry_their_zones_and_location(gcp: GCPConnection) -> None:
    regions = {region.name: region for region in gcp.region_zone().list_region_zones()}
    assert list(regions) == sorted(regions)
    central = regions["us-central1"]
    assert central.display_name == "Iowa"
    assert [zone.name for zone in central.zones] == ["us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"]
    assert gcp.region_zone().get_region_zone(name="us-central1") == central


def test_a_zone_that_is_down_is_unavailable(gcp: GCPConnection) -> None:
    zones = {zone.name: zone for zone in gcp.region_zone().get_region_zone(name="us-east1").zones}
    assert zones["us-east1-b"].status == ZoneStatus.UNAVAILABLE
    assert zones["us-east1-b"].extra["status"] == "DOWN"
    assert zones["us-east1-c"].status == ZoneStatus.AVAILABLE


@pytest.mark.parametrize("name", ["no-such-region", "Not A Region"])
def test_an_unknown_region_is_not_found(fake: FakeGCP, gcp: GCPConnection, name: str) -> None:
    if " " in name:
        fake.fail("/regions/", status=400, reason="invalid", message="Invalid value for field 'region'.")
    with pytest.raises(NotFoundError) as caught:
        gcp.region_zone().get_region_zone(name=name)
    assert caught.value.field == "name"


# --- the connection's zone -------------------------------------------------------------------------


def test_without_a_zone_the_regions_first_zone_that_is_up_is_used(fake: FakeGCP) -> None:
    conn = GCPDriver().connect(connection_info(region="us-east1"))
    assert conn.vm_spec().get_spec(name="e2-standard-2").extra["zone"] == "us-east1-c"
    conn.vm_spec().list_specs()
    assert fake.calls.count(f"GET /compute/v1/projects/{PROJECT}/zones") == 1  # looked up once, then kept


def test_a_configured_zone_is_used_as_it_is(fake: FakeGCP) -> None:
    conn = GCPDriver().connect(connection_info(zone="us-central1-f"))
    assert conn.vm_spec().get_spec(name="e2-micro").extra["zone"] == "us-central1-f"
    assert f"GET /compute/v1/projects/{PROJECT}/zones" not in fake.calls


def test_a_region_with_no_zone_up_is_unreachable(fake: FakeGCP, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.drivers.gcp.fake.regions.DOWN_ZONES", {"us-east1-b", "us-east1-c", "us-east1-d"})
    conn = GCPDriver().connect(connection_info(region="us-east1"))
    with pytest.raises(UnreachableError) as caught:
        conn.vm_spec().list_specs()
    assert caught.value.field == "region"


# --- images ----------------------------------------------------------------------------------------


def test_images_are_the_newest_of_each_family(gcp: GCPConnection) -> None:
    names = [image.iid.name_id for image in gcp.image().list_images()]
    assert "projects/debian-cloud/global/images/debian-12-bookworm-v20240110" in names
    assert "projects/debian-cloud/global/images/debian-12-bookworm-v20231212" not in names  # deprecated
    assert "projects/rocky-linux-cloud/global/images/rocky-linux-9-v20240111" in names  # the newer one is PENDING
    assert not any("windows-server-2016" in name for name in names)  # obsolete
    assert len(names) == 8 and names == sorted(names)


def test_an_image_is_found_by_path_url_family_or_bare_name(gcp: GCPConnection) -> None:
    path = "projects/debian-cloud/global/images/debian-12-bookworm-v20240110"
    by_path = gcp.image().get_image(iid=IID(name_id=path))
    assert by_path.iid == IID(name_id=path, system_id=path)
    for other in (
        f"https://www.googleapis.com/compute/v1/{path}",
        "projects/debian-cloud/global/images/family/debian-12",
        "debian-12-bookworm-v20240110",
    ):
        assert gcp.image().get_image(iid=IID(name_id=other)) == by_path
    assert gcp.image().get_image(iid=IID(name_id="ignored", system_id=path)) == by_path


def test_a_deprecated_image_is_still_found_by_name(gcp: GCPConnection) -> None:
    image = gcp.image().get_image(iid=IID(name_id="projects/debian-cloud/global/images/debian-12-bookworm-v20231212"))
    assert image.status == ImageStatus.DEPRECATED


@pytest.mark.parametrize(
    "name",
    [
        "no-such-image",
        "projects/debian-cloud/global/images/debian-99-v1",
        "projects/debian-cloud/global/images/family/debian-99",
        "debian-99-v1",
    ],
)
def test_an_unknown_image_is_not_found(gcp: GCPConnection, name: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        gcp.image().get_image(iid=IID(name_id=name))
    assert caught.value.field == "iid"


# --- VM specs --------------------------------------------------------------------------------------


def test_specs_of_the_zone(gcp: GCPConnection) -> None:
    specs = {spec.name: spec for spec in gcp.vm_spec().list_specs()}
    assert len(specs) == 18 and list(specs) == sorted(specs)
    assert specs["t2a-standard-1"].architecture == "arm64"
    assert specs["a2-highgpu-1g"].gpus[0].model == "Tesla A100"
    assert gcp.vm_spec().get_spec(name="n1-standard-1") == specs["n1-standard-1"]


def test_gpu_types_are_offered_where_the_zone_has_them(fake: FakeGCP) -> None:
    conn = GCPDriver().connect(connection_info(region="europe-west1", zone="europe-west1-b"))
    names = {spec.name for spec in conn.vm_spec().list_specs()}
    assert "a2-highgpu-1g" not in names and "e2-standard-2" in names
    with pytest.raises(NotFoundError):
        conn.vm_spec().get_spec(name="a2-highgpu-1g")


def test_an_unknown_spec_is_not_found(gcp: GCPConnection) -> None:
    with pytest.raises(NotFoundError) as caught:
        gcp.vm_spec().get_spec(name="no-such-spec")
    assert caught.value.field == "name" and "us-central1-a" in str(caught.value)


# --- prices ----------------------------------------------------------------------------------------


def test_prices_of_the_connection_region(gcp: GCPConnection) -> None:
    prices = {price.spec_name: price for price in gcp.price().list_prices()}
    assert {price.region for price in prices.values()} == {"us-central1"}
    assert prices["n1-standard-1"].hourly_price == Decimal("0.04749975")
    assert prices["a2-highgpu-1g"].hourly_price == Decimal("3.673385")
    assert "t2a-standard-1" not in prices and "g2-standard-4" not in prices  # parts without a SKU


def test_prices_of_one_spec_and_of_another_region(gcp: GCPConnection) -> None:
    [one] = gcp.price().list_prices(spec_name="e2-micro")
    assert one.hourly_price == Decimal("0.008376428") and one.currency == "USD"
    belgium = {price.spec_name: price for price in gcp.price().list_prices(region="europe-west1")}
    assert set(belgium) == {
        "e2-highmem-2",
        "e2-medium",
        "e2-micro",
        "e2-small",
        "e2-standard-2",
        "e2-standard-4",
        "n1-standard-1",
        "n1-standard-2",
    }
    assert {price.region for price in belgium.values()} == {"europe-west1"}


def _recorded(fake: FakeGCP, description: str) -> dict[str, Any]:
    skus = fake.catalogue["skus"]["6F81-5844-456A"]
    return next(sku for sku in skus if sku["description"] == description)


def test_a_free_first_tier_and_a_zero_price_are_read_as_google_prices_them(fake: FakeGCP, gcp: GCPConnection) -> None:
    """The fixture SKU page, with the E2 core SKU given a free allowance before its rate (as Google
    writes one: a first tier whose unitPrice has no units or nanos) and the E2 RAM SKU made free."""
    core = _recorded(fake, "E2 Instance Core running in Americas")
    expression = core["pricingInfo"][0]["pricingExpression"]
    paid = dict(expression["tieredRates"][0], startUsageAmount=720)
    expression["tieredRates"] = [{"startUsageAmount": 0, "unitPrice": {"currencyCode": "USD"}}, paid]
    ram = _recorded(fake, "E2 Instance Ram running in Americas")
    ram["pricingInfo"][0]["pricingExpression"]["tieredRates"] = [
        {"startUsageAmount": 0, "unitPrice": {"currencyCode": "USD", "units": "0", "nanos": 0}}
    ]
    [micro] = gcp.price().list_prices(spec_name="e2-micro")
    # 0.25 vCPU at the paid tier's rate (0.02181159 $/h), 1 GiB at nothing; to the nano-dollar.
    assert micro.hourly_price == Decimal("0.005452898")
    assert micro.extra["ram_price"] == "0"


def test_sku_pages_are_followed_to_the_end(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.page_cap = 5
    assert len(gcp.price().list_prices()) == 15
    assert fake.calls.count("GET /v1/services/6F81-5844-456A/skus") == 6


def test_an_unpriced_or_unknown_spec_is_not_found(gcp: GCPConnection) -> None:
    for name in ("t2a-standard-1", "no-such-spec"):
        with pytest.raises(NotFoundError) as caught:
            gcp.price().list_prices(spec_name=name)
        assert caught.value.field == "spec_name"


def test_prices_of_an_unknown_region_are_not_found(gcp: GCPConnection) -> None:
    with pytest.raises(NotFoundError) as caught:
        gcp.price().list_prices(region="mars-north1")
    assert caught.value.field == "region"
