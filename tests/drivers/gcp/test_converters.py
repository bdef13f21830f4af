"""The converters on recorded answers (fixtures/): images, machine types and Compute Engine SKUs."""

from __future__ import annotations

import json
from decimal import Decimal

from google.cloud import billing_v1
from google.cloud.compute_v1.types import compute

from drivers.gcp.image import image_info, latest_per_family
from drivers.gcp.price import gpu_key, price_list, rate_table
from drivers.gcp.vm_spec import gpu_model, offered, spec_info
from drivers.types import ImageStatus
from tests.drivers.gcp.fake.billing import recorded_pages
from tests.drivers.gcp.fake.images import recorded_images
from tests.drivers.gcp.fake.machine_types import recorded_machine_types


def _images(project: str) -> list[compute.Image]:
    return [
        compute.Image.from_json(json.dumps(item), ignore_unknown_fields=True) for item in recorded_images()[project]
    ]


def _machine_types() -> dict[str, compute.MachineType]:
    items = (compute.MachineType.from_json(json.dumps(i), ignore_unknown_fields=True) for i in recorded_machine_types())
    return {item.name: item for item in items}


def _skus() -> list[billing_v1.Sku]:
    return [
        billing_v1.Sku.from_json(json.dumps(sku), ignore_unknown_fields=True)
        for page in recorded_pages()
        for sku in page["skus"]
    ]


# --- images ----------------------------------------------------------------------------------------


def test_a_debian_image() -> None:
    newest = {image.name: image for image in _images("debian-cloud")}["debian-12-bookworm-v20240110"]
    info = image_info(newest)
    assert info.iid.name_id == "projects/debian-cloud/global/images/debian-12-bookworm-v20240110"
    assert info.iid.system_id == info.iid.name_id
    assert (info.os_architecture, info.os_platform, info.os_disk_size_gb) == ("x86_64", "Linux/UNIX", 10)
    assert info.os_distribution.startswith("Debian, Debian GNU/Linux, 12 (bookworm)")
    assert info.status == ImageStatus.AVAILABLE
    assert info.extra["family"] == "debian-12" and info.extra["project"] == "debian-cloud"
    assert info.extra["id"] == "4453513485468893339"


def test_arm_windows_and_deprecated_images() -> None:
    debian = {image.name: image_info(image) for image in _images("debian-cloud")}
    assert debian["debian-12-bookworm-arm64-v20240110"].os_architecture == "arm64"
    assert debian["debian-12-bookworm-v20231212"].status == ImageStatus.DEPRECATED
    windows = {image.name: image_info(image) for image in _images("windows-cloud")}
    assert windows["windows-server-2022-dc-v20240111"].os_platform == "Windows"
    assert windows["windows-server-2016-dc-v20230414"].status == ImageStatus.UNAVAILABLE  # obsolete


def test_latest_per_family_skips_deprecated_and_unready_images() -> None:
    assert sorted(image.name for image in latest_per_family(_images("debian-cloud"))) == [
        "debian-11-bullseye-v20240110",
        "debian-12-bookworm-arm64-v20240110",
        "debian-12-bookworm-v20240110",
    ]
    assert [image.name for image in latest_per_family(_images("rocky-linux-cloud"))] == ["rocky-linux-9-v20240111"]
    assert [image.name for image in latest_per_family(_images("windows-cloud"))] == ["windows-server-2022-dc-v20240111"]


# --- machine types ---------------------------------------------------------------------------------


def test_machine_types_become_specs() -> None:
    types = _machine_types()
    e2 = spec_info(types["e2-standard-2"], region="us-central1")
    assert (e2.name, e2.region, e2.vcpu, e2.memory_mib, e2.architecture) == (
        "e2-standard-2",
        "us-central1",
        2,
        8192,
        "x86_64",
    )
    assert e2.gpus == () and e2.disk_size_gb == 0 and e2.extra["zone"] == "us-central1-a"
    assert spec_info(types["e2-micro"], region="us-central1").extra["shared_cpu"] == "true"
    assert spec_info(types["t2a-standard-1"], region="us-central1").architecture == "arm64"
    assert spec_info(types["c3-standard-4-lssd"], region="us-central1").disk_size_gb == 375


def test_accelerators_become_gpus() -> None:
    types = _machine_types()
    [a100] = spec_info(types["a2-highgpu-1g"], region="us-central1").gpus
    assert (a100.count, a100.manufacturer, a100.model, a100.memory_mib) == (1, "NVIDIA", "Tesla A100", 40 * 1024)
    [l4] = spec_info(types["g2-standard-4"], region="us-central1").gpus
    assert (l4.model, l4.memory_mib) == ("L4", 24 * 1024)
    assert gpu_model("nvidia-h100-80gb") == ("NVIDIA", "H100 80GB")


def test_obsolete_machine_types_are_not_offered() -> None:
    item = compute.MachineType(name="n1-old", deprecated=compute.DeprecationStatus(state="OBSOLETE"))
    assert not offered(item)
    assert offered(compute.MachineType(name="n1-standard-1"))


# --- prices ----------------------------------------------------------------------------------------


def test_the_rate_table_keeps_on_demand_list_prices_of_the_region() -> None:
    table = rate_table(_skus(), "us-central1")
    assert table.cores["e2"].price == Decimal("0.02181159")  # not the Spot or committed-use SKUs
    assert table.ram["e2"].price == Decimal("0.00292353")
    assert table.cores["n2"].sku_id == "BB77-5FDA-69D9"  # not the custom-type SKU
    assert table.cores["c2"].description == "Compute optimized Core running in Americas"
    assert table.cores["m1"].description == "Memory-optimized Instance Core running in Americas"
    assert set(table.gpus) == {gpu_key("Tesla A100")}  # the Spot T4 SKU is left out
    assert set(table.instances) == {"f1-micro", "g1-small"}
    assert "storage" not in table.cores
    belgium = rate_table(_skus(), "europe-west1")
    assert set(belgium.cores) == {"e2", "n1"} and belgium.cores["e2"].price == Decimal("0.02399271")


def test_machine_prices_are_the_sum_of_their_parts() -> None:
    prices = {price.spec_name: price for price in price_list(_machine_types().values(), _skus(), region="us-central1")}
    # 2 vCPUs and 8 GiB at the E2 rates.
    assert prices["e2-standard-2"].hourly_price == Decimal("0.06701142")
    # Shared-core E2 types pay for a quarter, a half or one vCPU.
    assert prices["e2-micro"].hourly_price == Decimal("0.008376428")
    assert prices["e2-micro"].extra["vcpu_billed"] == "0.25"
    # 12 vCPUs, 85 GiB and one A100.
    assert prices["a2-highgpu-1g"].hourly_price == Decimal("3.673385")
    assert prices["f1-micro"].hourly_price == Decimal("0.0076")
    assert prices["n1-standard-1"].extra["memory_gib"] == "3.75"
    assert all(price.currency == "USD" and price.unit == "Hour" for price in prices.values())


def test_a_type_with_an_unpriced_part_gets_no_price() -> None:
    prices = {price.spec_name for price in price_list(_machine_types().values(), _skus(), region="us-central1")}
    assert "t2a-standard-1" not in prices  # no T2A SKUs
    assert "g2-standard-4" not in prices  # G2 cores and RAM are priced, its L4 GPU is not
    assert "c3-standard-4-lssd" not in prices
    assert price_list(_machine_types().values(), _skus(), region="asia-northeast3") == []
