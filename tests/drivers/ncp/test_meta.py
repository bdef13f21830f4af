"""Regions, zones, images and specs on both platforms, in NCP's shapes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from drivers.errors import NotFoundError
from drivers.ncp import NCPConnection
from drivers.types import IID, ZoneStatus
from tests.drivers.ncp.fake import FakeNCP


def test_regions_and_zones(ncp: NCPConnection) -> None:
    region = ncp.region_zone().get_region_zone(name="KR")
    assert region.display_name == "Korea"
    assert [zone.name for zone in region.zones] == ["KR-1", "KR-2"]
    assert {zone.status for zone in region.zones} == {ZoneStatus.NOT_SUPPORTED}
    assert {r.name for r in ncp.region_zone().list_region_zones()} == {"KR", "SGN", "JPN"}


def test_classic_regions_carry_their_numbers(classic: NCPConnection) -> None:
    region = classic.region_zone().get_region_zone(name="KR")
    assert region.extra["regionNo"] == "1"
    assert [zone.name for zone in region.zones] == ["KR-1", "KR-2"]


def test_public_images_only(ncp: NCPConnection, fake: FakeNCP) -> None:
    images = ncp.image().list_images()
    assert {i.iid.name_id for i in images} == {"ubuntu-22.04-base", "rocky-8.10-base", "win-2022-en"}
    ubuntu = ncp.image().get_image(iid=IID(name_id="ubuntu-22.04-base"))
    assert (ubuntu.iid.system_id, ubuntu.os_platform, ubuntu.os_architecture) == ("23214590", "Linux/UNIX", "x86_64")
    assert (ubuntu.os_disk_type, ubuntu.os_disk_size_gb) == ("SSD", 10)
    assert ncp.image().get_image(iid=IID(name_id="", system_id="23214592")).os_platform == "Windows"
    assert fake.calls[0].params["serverImageTypeCodeList.1"] == "NCP"


def test_specs_in_mib(ncp: NCPConnection) -> None:
    spec = ncp.vm_spec().get_spec(name="s2-g3")
    assert (spec.vcpu, spec.memory_mib, spec.region) == (2, 8192, "KR")
    assert spec.extra["serverProductCode"] == "SVR.VSVR.STAND.C002.M008.G003"
    assert len(ncp.vm_spec().list_specs()) == 3
    with pytest.raises(NotFoundError):
        ncp.vm_spec().get_spec(name="x9-g9")


def test_classic_specs_are_the_union_over_images(classic: NCPConnection, fake: FakeNCP) -> None:
    specs = {spec.name: spec for spec in classic.vm_spec().list_specs()}
    assert len(specs) == 3  # two products for Ubuntu, one for Windows
    assert specs["SVR.VSVR.STAND.C004.M008.NET.SSD.B100.G002"].extra["baseBlockStorageGB"] == "100"
    assert fake.actions("server").count("getServerProductList") == 2


def test_prices_are_the_hourly_list_prices_of_the_spec_products(ncp: NCPConnection, fake: FakeNCP) -> None:
    prices = {price.spec_name: price for price in ncp.price().list_prices()}
    assert set(prices) == {"s2-g3", "c2-g3", "m4-g3"}
    assert prices["s2-g3"].hourly_price == Decimal("0.092") and prices["s2-g3"].currency == "USD"
    assert prices["s2-g3"].extra["productCode"] == "SVR.VSVR.STAND.C002.M008.G003"
    call = next(c for c in fake.calls if c.service == "billing")
    assert (call.params["productItemKindCode"], call.params["payCurrencyCode"]) == ("VSVR", "USD")
    assert [p.spec_name for p in ncp.price().list_prices(spec_name="c2-g3")] == ["c2-g3"]


def test_classic_prices_are_the_server_products_list_prices(classic: NCPConnection, fake: FakeNCP) -> None:
    prices = {price.spec_name: price for price in classic.price().list_prices()}
    specs = {spec.name for spec in classic.vm_spec().list_specs()}
    assert set(prices) == specs and len(specs) == 3
    small = prices["SVR.VSVR.STAND.C002.M004.NET.SSD.B050.G002"]
    assert (small.hourly_price, small.currency, small.region) == (Decimal("0.074"), "USD", "KR")
    call = next(c for c in fake.calls if c.service == "billing")
    assert (call.params["productItemKindCode"], call.params["payCurrencyCode"]) == ("SVR", "USD")
    only = classic.price().list_prices(spec_name="SVR.VSVR.STAND.C004.M008.NET.SSD.B100.G002")
    assert [p.hourly_price for p in only] == [Decimal("0.156")]
