"""The converters from Azure's JSON to Spiderweb's infos, on recorded answers (no HTTP at all)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from drivers.azure.image import URN, image_info, parse_urn, version_key
from drivers.azure.price import is_linux_on_demand, parse_prices
from drivers.azure.region_zone import is_physical, region_info
from drivers.azure.vm_spec import location_restricted, parse_skus, spec_info
from drivers.types import ImageStatus, to_jsonable
from tests.drivers.azure.fake import fixture
from tests.drivers.azure.fake.server import FIXTURES


def _prices_page(name: str) -> list[dict[str, Any]]:
    # As the driver reads them: money as decimals.
    items: list[dict[str, Any]] = json.loads((FIXTURES / name).read_text(), parse_float=Decimal)["Items"]
    return items


def _b1s_linux() -> dict[str, Any]:
    return next(i for i in _prices_page("retail_prices_koreacentral_page1.json") if i["skuName"] == "B1s")


def test_region_info_of_recorded_locations() -> None:
    locations = {location["name"]: location for location in fixture("locations.json")["value"]}
    east = region_info(locations["eastus"])
    assert (east.name, east.display_name) == ("eastus", "East US")
    assert [zone.name for zone in east.zones] == ["1", "2", "3"]
    assert east.extra == {
        "regional_display_name": "(US) East US",
        "geography": "United States",
        "geography_group": "US",
        "physical_location": "Virginia",
        "region_category": "Recommended",
        "paired_regions": "westus",
    }
    assert region_info(locations["westus"]).zones == ()
    assert not is_physical(locations["asia"])
    assert is_physical(locations["koreacentral"])
    assert to_jsonable(region_info(locations["asia"]))["zones"] == []


def test_specs_of_recorded_skus() -> None:
    skus = fixture("resource_skus_koreacentral.json")["value"]
    specs = {spec.name: spec for spec in parse_skus(skus, region="koreacentral")}
    assert "Standard_E2s_v5" not in specs
    assert "Premium_LRS" not in specs and "Aligned" not in specs
    b1s = specs["Standard_B1s"]
    assert (b1s.region, b1s.vcpu, b1s.memory_mib, b1s.disk_size_gb, b1s.gpus, b1s.clock_ghz) == (
        "koreacentral",
        1,
        1024,
        4,
        (),
        None,
    )
    assert b1s.extra["family"] == "standardBSFamily"
    assert b1s.extra["zones"] == "1,2,3"
    t4 = specs["Standard_NC4as_T4_v3"]
    assert [(gpu.count, gpu.manufacturer, gpu.model, gpu.memory_mib) for gpu in t4.gpus] == [(1, "NVIDIA", "T4", 16384)]
    assert t4.disk_size_gb == 176
    assert parse_skus(skus, region="westus") == []


def test_location_restrictions_go_by_region_whatever_its_case() -> None:
    restricted = next(s for s in fixture("resource_skus_koreacentral.json")["value"] if s["name"] == "Standard_E2s_v5")
    assert location_restricted(restricted, "KoreaCentral")
    assert not location_restricted(restricted, "koreasouth")


def test_a_gpu_of_an_unknown_family_is_counted_unnamed() -> None:
    sku = {
        "resourceType": "virtualMachines",
        "name": "Standard_NX8_v9",
        "family": "standardNXv9Family",
        "locations": ["koreacentral"],
        "capabilities": [
            {"name": "vCPUs", "value": "8"},
            {"name": "MemoryGB", "value": "0.5"},
            {"name": "GPUs", "value": "2"},
        ],
    }
    spec = spec_info(sku, region="koreacentral")
    assert [(gpu.count, gpu.manufacturer, gpu.model) for gpu in spec.gpus] == [(2, "", "")]
    assert spec.memory_mib == 512
    assert spec.architecture == "x86_64"  # sizes without CpuArchitectureType are x64


def test_image_info_of_recorded_versions() -> None:
    images = fixture("vm_images_koreacentral.json")
    windows = images["MicrosoftWindowsServer:WindowsServer:2022-datacenter-g2"]["image"]
    urn = URN("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-g2", "latest")
    info = image_info(windows, urn=urn)
    assert info.iid.name_id == "MicrosoftWindowsServer:WindowsServer:2022-datacenter-g2:latest"
    assert (info.os_architecture, info.os_platform, info.os_distribution, info.status) == (
        "x86_64",
        "Windows",
        "Windows Server 2022 Datacenter",
        ImageStatus.AVAILABLE,
    )
    assert info.extra["version"] == "20348.3091.250109"
    assert info.extra["hyper_v_generation"] == "V2"
    assert info.extra["id"].endswith("/Versions/20348.3091.250109")
    old = images["Canonical:UbuntuServer:18.04-LTS"]["image"]
    assert image_info(old, urn=URN("Canonical", "UbuntuServer", "18.04-LTS", "latest")).status == ImageStatus.DEPRECATED


def test_image_versions_order_numerically() -> None:
    versions = ["9.4.2024081415", "10.0.2025010100", "9.10.2024120100", "9.5.2024111212"]
    assert max(versions, key=version_key) == "10.0.2025010100"
    assert sorted(versions, key=version_key)[:2] == ["9.4.2024081415", "9.5.2024111212"]


def test_urns_need_four_non_empty_parts() -> None:
    assert parse_urn("Debian:debian-12:12:latest") == URN("Debian", "debian-12", "12", "latest")
    for text in ("Debian:debian-12:12", "Debian:debian-12:12:latest:x", "Debian::12:latest", "a b:c:d:e", "a/b:c:d:e"):
        assert parse_urn(text) is None


def test_prices_of_recorded_pages() -> None:
    items = _prices_page("retail_prices_koreacentral_page1.json") + _prices_page(
        "retail_prices_koreacentral_page2.json"
    )
    prices = {price.spec_name: price for price in parse_prices(items, region="koreacentral")}
    assert {name: str(price.hourly_price) for name, price in prices.items()} == {
        "Standard_B1s": "0.0132",
        "Standard_B2s": "0.0528",
        "Standard_D2ps_v5": "0.0924",
        "Standard_D2s_v5": "0.115",
        "Standard_NC4as_T4_v3": "0.604",
    }
    b1s = prices["Standard_B1s"]
    assert b1s.extra["product_name"] == "Virtual Machines BS Series"
    assert b1s.extra["meter_id"] == "0c3f8ef4-ba2e-5d8a-8b34-4c8c2f7f8a11"


def test_which_meters_count_as_the_price() -> None:
    linux = _b1s_linux()
    assert is_linux_on_demand(linux)
    assert not is_linux_on_demand({**linux, "productName": "Virtual Machines BS Series Windows"})
    assert not is_linux_on_demand({**linux, "skuName": "B1s Spot", "meterName": "B1s Spot"})
    assert not is_linux_on_demand({**linux, "meterName": "B1s Low Priority"})
    assert not is_linux_on_demand({**linux, "type": "DevTestConsumption"})
    assert not is_linux_on_demand({**linux, "unitOfMeasure": "1 Month"})
    assert not is_linux_on_demand({**linux, "armSkuName": ""})


def test_the_primary_meter_region_wins_and_free_meters_do_not_count() -> None:
    linux = _b1s_linux()
    secondary = {**linux, "retailPrice": Decimal("0.5"), "isPrimaryMeterRegion": False, "effectiveStartDate": "2030"}
    free = {**linux, "armSkuName": "Standard_Free", "retailPrice": Decimal("0")}
    prices = parse_prices([secondary, linux, free], region="koreacentral")
    assert [(price.spec_name, price.hourly_price) for price in prices] == [("Standard_B1s", Decimal("0.0132"))]
