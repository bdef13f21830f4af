"""Meta info: regions and zones, public images, VM specs and prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from drivers.errors import NotFoundError
from drivers.types import IID, ZoneStatus
from tests.drivers.conformance.harness import Harness


def test_region_zones_include_the_connection_region(cloud: Harness) -> None:
    cloud.require("region_zone")
    handler = cloud.conn.region_zone()
    regions = {region.name: region for region in handler.list_region_zones()}
    own = regions[cloud.conn.info.region]
    assert own.zones
    assert all(isinstance(zone.status, ZoneStatus) for zone in own.zones)
    assert handler.get_region_zone(name=own.name) == own


def test_unknown_region_is_not_found(cloud: Harness) -> None:
    cloud.require("region_zone")
    with pytest.raises(NotFoundError):
        cloud.conn.region_zone().get_region_zone(name="no-such-region")


def test_images_list_and_get(cloud: Harness) -> None:
    cloud.require("image")
    handler = cloud.conn.image()
    images = handler.list_images()
    assert images
    first = images[0]
    assert handler.get_image(iid=first.iid) == first
    assert handler.get_image(iid=cloud.image).os_architecture


def test_unknown_image_is_not_found(cloud: Harness) -> None:
    cloud.require("image")
    with pytest.raises(NotFoundError):
        cloud.conn.image().get_image(iid=IID(name_id="no-such-image"))


def test_specs_list_and_get(cloud: Harness) -> None:
    cloud.require("vm_spec")
    handler = cloud.conn.vm_spec()
    specs = handler.list_specs()
    assert cloud.spec_name in {spec.name for spec in specs}
    spec = handler.get_spec(name=cloud.spec_name)
    assert spec.vcpu > 0 and spec.memory_mib > 0


def test_unknown_spec_is_not_found(cloud: Harness) -> None:
    cloud.require("vm_spec")
    with pytest.raises(NotFoundError):
        cloud.conn.vm_spec().get_spec(name="no-such-spec")


def test_prices_cover_specs_of_the_region(cloud: Harness) -> None:
    cloud.require("price")
    prices = cloud.conn.price().list_prices()
    assert prices
    assert all(price.hourly_price > Decimal(0) for price in prices)
    assert {price.region for price in prices} == {cloud.conn.info.region}
    one = cloud.conn.price().list_prices(spec_name=cloud.spec_name)
    assert one and {price.spec_name for price in one} == {cloud.spec_name}
