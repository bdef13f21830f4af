"""Regions and zones, public images (templates) and VM specs (service offerings)."""

from __future__ import annotations

import pytest

from drivers.errors import NotFoundError
from drivers.ktclassic import KTClassicConnection
from drivers.types import IID, ZoneStatus
from tests.drivers.ktclassic.fake import FakeKT
from tests.drivers.ktclassic.fake.catalogue import MEDIUM, SEOUL_M2, UBUNTU, WINDOWS


def test_zones_are_grouped_into_regions_by_name(kt: KTClassicConnection) -> None:
    regions = {region.name: region for region in kt.region_zone().list_region_zones()}
    assert sorted(regions) == ["KOR-Central", "KOR-Seoul"]
    seoul = regions["KOR-Seoul"]
    assert [(zone.display_name, zone.status) for zone in seoul.zones] == [
        ("KOR-Seoul M", ZoneStatus.AVAILABLE),
        ("KOR-Seoul M2", ZoneStatus.AVAILABLE),
    ]
    assert SEOUL_M2 in [zone.name for zone in seoul.zones]
    with pytest.raises(NotFoundError):
        kt.region_zone().get_region_zone(name="KOR-Busan")


def test_images_are_the_templates_of_the_zone_products(kt: KTClassicConnection, fake: FakeKT) -> None:
    images = kt.image().list_images()
    assert len(images) == 3  # one per template, however many products use it
    assert fake.calls[-1] == ("listAvailableProductTypes", {"zoneid": SEOUL_M2})
    windows = kt.image().get_image(iid=IID(name_id=WINDOWS))
    assert (windows.os_platform, windows.os_disk_size_gb) == ("Windows", 50)
    by_name = kt.image().get_image(iid=IID(name_id="Ubuntu 22.04 64bit"))
    assert by_name.iid == IID(name_id=UBUNTU, system_id=UBUNTU)
    assert by_name.os_platform == "Linux/UNIX" and by_name.os_disk_size_gb == 20


def test_specs_are_read_from_the_offering_description(kt: KTClassicConnection) -> None:
    spec = kt.vm_spec().get_spec(name=MEDIUM)
    assert (spec.vcpu, spec.memory_mib, spec.region) == (2, 4096, "KOR-Seoul")
    assert len(kt.vm_spec().list_specs()) == 2
    with pytest.raises(NotFoundError):
        kt.vm_spec().get_spec(name="no-such-spec")
