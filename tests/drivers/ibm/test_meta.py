"""Regions and zones, public images (paged), instance profiles."""

from __future__ import annotations

import pytest

from drivers.errors import NotFoundError
from drivers.ibm import IBMConnection
from drivers.types import IID, ImageStatus, ZoneStatus
from tests.drivers.ibm.fake import FakeIBM


def test_regions_come_with_their_zones_and_data_centres(ibm: IBMConnection) -> None:
    regions = {region.name: region for region in ibm.region_zone().list_region_zones()}
    dallas = regions["us-south"]
    assert dallas.display_name == "Dallas"
    assert [(zone.name, zone.display_name, zone.status) for zone in dallas.zones] == [
        ("us-south-1", "DAL10", ZoneStatus.AVAILABLE),
        ("us-south-2", "DAL12", ZoneStatus.AVAILABLE),
        ("us-south-3", "DAL13", ZoneStatus.AVAILABLE),
    ]
    with pytest.raises(NotFoundError) as caught:
        ibm.region_zone().get_region_zone(name="mars-north")
    assert caught.value.field == "name"


def test_images_are_read_page_by_page(fake: FakeIBM, ibm: IBMConnection) -> None:
    fake.page_cap = 1
    images = ibm.image().list_images()
    assert len(images) == 4
    assert sum(call == "GET /v1/images" for call in fake.calls) == 4
    assert [query.get("start") for query in fake.queries] == [None, "1", "2", "3"]


def test_image_facts(ibm: IBMConnection) -> None:
    ubuntu = ibm.image().get_image(iid=IID(name_id="ibm-ubuntu-22-04-4-minimal-amd64-1"))
    assert (ubuntu.os_architecture, ubuntu.os_platform, ubuntu.os_distribution) == (
        "x86_64",
        "Linux/UNIX",
        "Ubuntu Linux 22.04 LTS",
    )
    assert ubuntu.os_disk_size_gb == 100 and ubuntu.status == ImageStatus.AVAILABLE
    assert ibm.image().get_image(iid=ubuntu.iid) == ubuntu
    windows = ibm.image().get_image(iid=IID(name_id="ibm-windows-server-2022-full-standard-amd64-9"))
    assert windows.os_platform == "Windows"
    old = ibm.image().get_image(iid=IID(name_id="ibm-ubuntu-22-04-arm64-1"))
    assert old.status == ImageStatus.DEPRECATED


def test_profiles_become_specs_with_gpus(ibm: IBMConnection) -> None:
    spec = ibm.vm_spec().get_spec(name="bx2-2x8")
    assert (spec.vcpu, spec.memory_mib, spec.architecture, spec.region) == (2, 8192, "x86_64", "us-south")
    gpu = ibm.vm_spec().get_spec(name="gx2-8x64x1v100")
    assert [(g.count, g.manufacturer, g.model, g.memory_mib) for g in gpu.gpus] == [(1, "NVIDIA", "Tesla V100", 16384)]
    with pytest.raises(NotFoundError):
        ibm.vm_spec().get_spec(name="bx9-1x1")
