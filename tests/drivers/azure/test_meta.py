"""Regions and zones, marketplace images, VM specs and prices through the driver, against the fake."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from drivers.azure import AzureConnection, AzureDriver
from drivers.azure.image import CURATED
from drivers.errors import InvalidRequestError, NotFoundError
from drivers.types import IID, ImageStatus, ZoneStatus
from tests.drivers.azure.fake import FakeAzure

# --- regions and zones ------------------------------------------------------------------------------


def test_regions_are_the_physical_locations_with_their_zones(azure: AzureConnection) -> None:
    regions = {region.name: region for region in azure.region_zone().list_region_zones()}
    assert "asia" not in regions  # a logical location
    assert list(regions) == sorted(regions)
    korea = regions["koreacentral"]
    assert korea.display_name == "Korea Central"
    assert [(zone.name, zone.display_name) for zone in korea.zones] == [
        ("1", "koreacentral-az2"),
        ("2", "koreacentral-az3"),
        ("3", "koreacentral-az1"),
    ]
    assert {zone.status for zone in korea.zones} == {ZoneStatus.AVAILABLE}
    assert korea.extra["paired_regions"] == "koreasouth"
    assert regions["koreasouth"].zones == ()


def test_one_region_by_name(azure: AzureConnection) -> None:
    assert azure.region_zone().get_region_zone(name="westeurope").display_name == "West Europe"
    with pytest.raises(NotFoundError) as caught:
        azure.region_zone().get_region_zone(name="asia")
    assert caught.value.field == "name"


# --- images ---------------------------------------------------------------------------------------------


def test_images_are_the_curated_ones_at_their_newest_version(azure: AzureConnection) -> None:
    images = {image.iid.name_id: image for image in azure.image().list_images()}
    assert set(images) == {curated.urn for curated in CURATED}
    ubuntu = images["Canonical:ubuntu-24_04-lts:server:latest"]
    assert ubuntu.iid.system_id == ubuntu.iid.name_id
    assert ubuntu.extra["version"] == "24.04.202501140"
    assert (ubuntu.os_architecture, ubuntu.os_platform, ubuntu.os_distribution) == (
        "x86_64",
        "Linux/UNIX",
        "Ubuntu 24.04 LTS",
    )
    assert images["Canonical:ubuntu-24_04-lts:server-arm64:latest"].os_architecture == "arm64"
    assert images["MicrosoftWindowsServer:WindowsServer:2022-datacenter-g2:latest"].os_platform == "Windows"
    assert images["RedHat:RHEL:9-lvm-gen2:latest"].extra["version"] == "9.5.2024111212"


def test_a_curated_image_missing_from_the_region_is_left_out(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    del fake_azure.images["debian:debian-12:12"]
    names = {image.iid.name_id for image in azure.image().list_images()}
    assert "Debian:debian-12:12:latest" not in names
    assert len(names) == len(CURATED) - 1


def test_an_image_by_urn_latest_or_pinned(azure: AzureConnection) -> None:
    handler = azure.image()
    latest = handler.get_image(iid=IID(name_id="debian:debian-12:12:latest"))
    assert latest.extra["version"] == "0.20250113.1997"
    pinned = handler.get_image(iid=IID(name_id="x", system_id="Debian:debian-12:12:0.20241004.1890"))
    assert pinned.iid == IID(
        name_id="Debian:debian-12:12:0.20241004.1890", system_id="Debian:debian-12:12:0.20241004.1890"
    )
    assert pinned.extra["version"] == "0.20241004.1890"


def test_an_image_outside_the_curated_list_is_reachable(azure: AzureConnection) -> None:
    old = azure.image().get_image(iid=IID(name_id="Canonical:UbuntuServer:18.04-LTS:latest"))
    assert old.status == ImageStatus.DEPRECATED
    assert old.os_distribution == "UbuntuServer 18.04-LTS"


@pytest.mark.parametrize(
    "name",
    [
        "Canonical:ubuntu-24_04-lts:server:1.2.3",  # no such version
        "Canonical:ubuntu-24_04-lts:nosuchsku:latest",
        "NoSuchPublisher:offer:sku:latest",
        "ami-0123456789abcdef0",  # not a URN at all
        "Canonical:ubuntu-24_04-lts:server",
        "a:b::latest",
    ],
)
def test_unknown_images_are_not_found(azure: AzureConnection, name: str) -> None:
    with pytest.raises(NotFoundError):
        azure.image().get_image(iid=IID(name_id=name))


# --- VM specs ----------------------------------------------------------------------------------------------


def test_specs_are_the_vm_sizes_the_subscription_may_use(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    specs = {spec.name: spec for spec in azure.vm_spec().list_specs()}
    # Disks and availability sets are SKUs too; E2s_v5 is restricted for this subscription.
    assert list(specs) == [
        "Standard_B1s",
        "Standard_B2s",
        "Standard_D2ps_v5",
        "Standard_D2s_v5",
        "Standard_NC4as_T4_v3",
    ]
    assert len(fake_azure.requests("GET", "/skus")) == 3  # pages of three, followed by nextLink
    b2s = specs["Standard_B2s"]
    assert (b2s.vcpu, b2s.memory_mib, b2s.architecture, b2s.disk_size_gb) == (2, 4096, "x86_64", 8)
    assert specs["Standard_D2ps_v5"].architecture == "arm64"
    gpu = specs["Standard_NC4as_T4_v3"]
    assert [(g.count, g.manufacturer, g.model) for g in gpu.gpus] == [(1, "NVIDIA", "T4")]
    assert (gpu.extra["zones"], gpu.extra["restricted_zones"]) == ("2,3", "1")


def test_a_spec_by_name_ignoring_case(azure: AzureConnection) -> None:
    assert azure.vm_spec().get_spec(name="standard_d2s_v5").name == "Standard_D2s_v5"
    with pytest.raises(NotFoundError) as caught:
        azure.vm_spec().get_spec(name="Standard_E2s_v5")
    assert caught.value.field == "name"


def test_specs_of_a_region_without_skus(fake_azure: FakeAzure, azure_driver: AzureDriver) -> None:
    conn = azure_driver.connect(fake_azure.connection_info(region="westus"))
    try:
        assert conn.vm_spec().list_specs() == []
    finally:
        conn.close()


# --- prices ------------------------------------------------------------------------------------------------------


def test_prices_are_linux_pay_as_you_go_one_per_spec(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    prices = {price.spec_name: price for price in azure.price().list_prices()}
    assert prices["Standard_B1s"].hourly_price == Decimal("0.0132")  # not the Windows meter
    assert prices["Standard_D2s_v5"].hourly_price == Decimal("0.115")  # not Spot, Low Priority or an older rate
    assert "Standard_B2s" in prices and prices["Standard_B2s"].hourly_price == Decimal("0.0528")  # not the reservation
    assert {(p.region, p.unit, p.currency, p.price_type) for p in prices.values()} == {
        ("koreacentral", "Hour", "USD", "OnDemand")
    }
    assert len(fake_azure.requests("GET", "prices.azure.com")) == 3  # pages of four, linked by NextPageLink
    assert "koreasouth" not in {price.extra["location"] for price in prices.values()}


def test_prices_of_one_spec_or_another_region(azure: AzureConnection) -> None:
    one = azure.price().list_prices(spec_name="Standard_D2ps_v5")
    assert [(price.spec_name, price.hourly_price) for price in one] == [("Standard_D2ps_v5", Decimal("0.0924"))]
    south = azure.price().list_prices(region="koreasouth")
    assert [(price.spec_name, price.region) for price in south] == [
        ("Standard_B1s", "koreasouth"),
        ("Standard_B2s", "koreasouth"),
    ]
    assert azure.price().list_prices(region="westus") == []


def test_prices_of_an_unknown_spec_or_a_malformed_region(azure: AzureConnection) -> None:
    with pytest.raises(NotFoundError) as missing:
        azure.price().list_prices(spec_name="Standard_Nope_v9")
    assert missing.value.field == "spec_name"
    with pytest.raises(InvalidRequestError) as bad:
        azure.price().list_prices(region="korea central' or 1 eq 1")
    assert bad.value.field == "region"


def test_a_quote_in_a_spec_name_stays_inside_the_filter(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    with pytest.raises(NotFoundError):
        azure.price().list_prices(spec_name="x' or armSkuName eq 'Standard_B1s")
    (url,) = fake_azure.requests("GET", "prices.azure.com")
    sent = parse_qs(urlsplit(url).query)["$filter"][0]
    assert sent.endswith("armSkuName eq 'x'' or armSkuName eq ''Standard_B1s'")
