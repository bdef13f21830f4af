"""Regions and zones, public images, instance types and prices as Tencent answers them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from drivers.errors import FieldError, NotFoundError
from drivers.tencent import TencentConnection, TencentDriver
from drivers.types import IID, ZoneStatus
from tests.drivers.tencent.fake import FakeTencent
from tests.drivers.tencent.support import connection_info


def test_a_sold_out_zone_reads_as_unavailable(tencent: TencentConnection) -> None:
    region = tencent.region_zone().get_region_zone(name="na-siliconvalley")
    assert region.display_name == "West US(Silicon Valley)"
    assert {zone.name: zone.status for zone in region.zones} == {
        "na-siliconvalley-1": ZoneStatus.AVAILABLE,
        "na-siliconvalley-2": ZoneStatus.UNAVAILABLE,
    }


def test_images_say_their_architecture_and_platform(tencent: TencentConnection) -> None:
    images = {image.iid.system_id: image for image in tencent.image().list_images()}
    assert images["img-1ydiu3vj"].os_architecture == "arm64"
    assert images["img-9id7emv7"].os_platform == "Windows"
    assert images["img-487zeit5"].os_distribution == "Ubuntu Server 22.04 LTS 64bit"
    with pytest.raises(NotFoundError):
        tencent.image().get_image(iid=IID(name_id="ubuntu"))


def test_a_spec_sold_in_several_zones_is_one_spec(tencent: TencentConnection) -> None:
    specs = {spec.name: spec for spec in tencent.vm_spec().list_specs()}
    assert specs["S5.MEDIUM4"].extra["Zones"] == "ap-guangzhou-3,ap-guangzhou-4,ap-guangzhou-6"
    assert (specs["S5.MEDIUM4"].vcpu, specs["S5.MEDIUM4"].memory_mib, specs["S5.MEDIUM4"].clock_ghz) == (2, 4096, 2.5)
    assert specs["SR1.MEDIUM4"].architecture == "arm64"
    gpu = specs["GN7.2XLARGE32"]
    assert gpu.gpus[0].count == 1 and gpu.extra["Zones"] == "ap-guangzhou-3,ap-guangzhou-4"


def test_prices_are_per_zone_in_the_accounts_currency(fake: FakeTencent) -> None:
    conn = TencentDriver().connect(connection_info(options={"currency": "USD"}))
    prices = conn.price().list_prices()
    medium = sorted((p.zone, p.hourly_price) for p in prices if p.spec_name == "S5.MEDIUM4")
    assert medium == [(zone, Decimal("0.32")) for zone in ("ap-guangzhou-3", "ap-guangzhou-4", "ap-guangzhou-6")]
    assert {p.currency for p in prices} == {"USD"} and {p.unit for p in prices} == {"Hour"}
    assert fake.count("DescribeZoneInstanceConfigInfos") == 1  # one call for the whole region


def test_one_specs_price_is_inquired_for_a_launch(fake: FakeTencent, tencent: TencentConnection) -> None:
    prices = tencent.price().list_prices(region="ap-seoul", spec_name="S5.LARGE8")
    assert [(p.zone, p.hourly_price, p.currency) for p in prices] == [
        ("ap-seoul-1", Decimal("0.64"), "CNY"),
        ("ap-seoul-2", Decimal("0.64"), "CNY"),
    ]
    inquiries = [call for call in fake.calls if call.action == "InquiryPriceRunInstances"]
    assert {call.region for call in inquiries} == {"ap-seoul"}
    assert {call.params["ImageId"] for call in inquiries} == {"img-487zeit5"}  # the first Linux image
    with pytest.raises(NotFoundError):
        tencent.price().list_prices(spec_name="S9.HUGE")


def test_the_currency_option_is_checked() -> None:
    with pytest.raises(FieldError) as caught:
        TencentDriver().connect(connection_info(options={"currency": "EUR"}))
    assert caught.value.field == "currency"
