"""The seeded catalogue keeps CB-Spider's mock names and gives prices something to compare."""

from __future__ import annotations

from drivers.mock import IMAGES, REGION_ZONES, REGIONS, MockConnection
from drivers.types import ZoneStatus
from tests.drivers.support import MakeConnection

PLANETS = ["default", "mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune"]


def test_regions_are_the_planets_with_three_zones_each() -> None:
    assert [region.name for region in REGIONS] == PLANETS
    assert REGION_ZONES[3] == ("mars", ("mars-z1", "mars-z2", "mars-z3"))
    for region in REGIONS:
        assert [zone.name for zone in region.zones] == [f"{region.name}-z{n}" for n in (1, 2, 3)]
        assert region.zones[0].status == ZoneStatus.AVAILABLE
    statuses = {zone.status for region in REGIONS for zone in region.zones}
    assert statuses == {ZoneStatus.AVAILABLE, ZoneStatus.UNAVAILABLE}


def test_images_cover_the_usual_systems_and_both_architectures(conn: MockConnection) -> None:
    images = conn.image().list_images()
    assert [image.iid.name_id for image in images] == [f"mock-vmimage-0{n}" for n in range(1, 6)]
    assert images == list(IMAGES)
    distributions = " ".join(image.os_distribution for image in images)
    for system in ("Ubuntu", "CentOS", "Windows", "Amazon Linux"):
        assert system in distributions
    assert {image.os_architecture for image in images} == {"x86_64", "arm64"}


def test_specs_have_four_to_eight_vcpus_and_some_gpus(conn: MockConnection) -> None:
    specs = conn.vm_spec().list_specs()
    assert [spec.name for spec in specs] == [f"mock-vmspec-0{n}" for n in range(1, 5)]
    assert all(4 <= spec.vcpu <= 8 for spec in specs)
    assert any(spec.gpus for spec in specs) and not all(spec.gpus for spec in specs)
    assert {spec.region for spec in specs} == {"mars"}


def test_every_spec_has_a_price_in_every_region_and_regions_differ(make_connection: MakeConnection) -> None:
    conn = make_connection()
    prices = {region: conn.price().list_prices(region=region) for region in PLANETS}
    spec_names = [spec.name for spec in conn.vm_spec().list_specs()]
    for region, listed in prices.items():
        assert [price.spec_name for price in listed] == spec_names
        assert {(price.region, price.currency, price.unit) for price in listed} == {(region, "USD", "Hour")}
    first_spec = {region: listed[0].hourly_price for region, listed in prices.items()}
    cheapest = min(first_spec, key=first_spec.__getitem__)
    assert cheapest == "uranus"
    assert len(set(first_spec.values())) == len(PLANETS)
