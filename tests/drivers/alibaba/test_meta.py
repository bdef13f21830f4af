"""Regions and zones, public images, instance types and prices against the fake ECS."""

from __future__ import annotations

from decimal import Decimal

import pytest

from drivers.alibaba import AlibabaConnection, AlibabaDriver
from drivers.errors import FieldError, NotFoundError
from drivers.types import IID
from tests.drivers.alibaba.fake import FakeAlibaba
from tests.drivers.alibaba.support import connection_info


def test_regions_carry_their_zones(ali: AlibabaConnection) -> None:
    region = ali.region_zone().get_region_zone(name="cn-hangzhou")
    assert region.display_name == "China (Hangzhou)"
    assert [zone.name for zone in region.zones] == ["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j"]
    assert "ap-southeast-1" in {r.name for r in ali.region_zone().list_region_zones()}


def test_verify_refuses_an_unknown_region_and_a_foreign_zone(fake: FakeAlibaba) -> None:
    with pytest.raises(FieldError) as caught:
        AlibabaDriver().connect(connection_info(region="xx-nowhere-1")).verify()
    assert caught.value.field == "region"
    with pytest.raises(FieldError) as caught:
        AlibabaDriver().connect(connection_info(zone="cn-hangzhou-z")).verify()
    assert caught.value.field == "zone"


def test_images_are_paged_through(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    fake.page_limit = 1
    images = ali.image().list_images()
    assert len(images) == 4
    assert [call for call in fake.calls if call[1] == "DescribeImages"] == [("ecs", "DescribeImages")] * 4
    windows = ali.image().get_image(iid=IID(name_id="win2022_21H2_x64_dtc_en-us_40G_alibase_20240816.vhd"))
    assert windows.os_platform == "Windows" and windows.os_disk_size_gb == 40
    arm = ali.image().get_image(iid=IID(name_id="aliyun_3_arm64_20G_alibase_20240819.vhd"))
    assert arm.os_architecture == "arm64"


def test_specs_are_those_the_region_sells(fake: FakeAlibaba) -> None:
    conn = AlibabaDriver().connect(connection_info(region="cn-beijing"))
    assert {spec.name for spec in conn.vm_spec().list_specs()} == {"ecs.g7.large", "ecs.c7.large"}
    with pytest.raises(NotFoundError):
        conn.vm_spec().get_spec(name="ecs.g8y.large")  # a real type, but not sold in Beijing here


def test_spec_details(ali: AlibabaConnection) -> None:
    gpu = ali.vm_spec().get_spec(name="ecs.gn7i-c8g1.2xlarge")
    assert (gpu.vcpu, gpu.memory_mib) == (8, 30 * 1024)
    assert gpu.gpus[0].count == 1 and gpu.gpus[0].manufacturer == "NVIDIA" and gpu.gpus[0].model == "A10"
    assert ali.vm_spec().get_spec(name="ecs.g8y.large").architecture == "arm64"


def test_prices_are_hourly_pay_as_you_go(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    prices = ali.price().list_prices(region="ap-southeast-1")
    assert {price.spec_name for price in prices} == {
        "ecs.t6-c1m1.large",
        "ecs.g7.large",
        "ecs.g7.xlarge",
        "ecs.c7.large",
    }
    one = ali.price().list_prices(spec_name="ecs.g7.large")
    assert one[0].hourly_price == Decimal("0.101") and one[0].currency == "USD" and one[0].unit == "Hour"
    with pytest.raises(NotFoundError):
        ali.price().list_prices(spec_name="ecs.nope.large")
