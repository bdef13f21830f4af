"""Regions, zones, public images and VM specs, read from the emulator over HTTP."""

from __future__ import annotations

import pytest

from drivers.aws import AWSConnection
from drivers.aws.image import PUBLISHERS
from drivers.errors import NotFoundError
from drivers.types import IID, ImageStatus, ZoneStatus


def test_a_region_has_its_description_and_zones(aws: AWSConnection) -> None:
    region = aws.region_zone().get_region_zone(name="eu-west-1")
    assert region.display_name == "Europe (Ireland)"
    assert [zone.name for zone in region.zones] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert all(zone.status is ZoneStatus.AVAILABLE and zone.display_name for zone in region.zones)


def test_a_region_not_offered_is_not_found(aws: AWSConnection) -> None:
    with pytest.raises(NotFoundError) as caught:
        aws.region_zone().get_region_zone(name="mars-north-1")
    assert caught.value.field == "name"


def test_images_come_from_the_os_publishers_only(aws: AWSConnection) -> None:
    images = aws.image().list_images()
    assert images
    assert {image.extra["owner_id"] for image in images} <= set(PUBLISHERS)
    assert {image.os_architecture for image in images} >= {"x86_64", "arm64"}
    assert all(image.status is ImageStatus.AVAILABLE for image in images)
    names = [image.extra.get("name", "") for image in images]
    assert names == sorted(names)
    assert not any("vpc-nat" in name or "minimal-pv" in name for name in names)


def test_an_image_by_id_describes_its_os_and_root_disk(aws: AWSConnection) -> None:
    image = aws.image().get_image(iid=IID(name_id="ami-0e9271c829888680e"))
    assert image.iid == IID(name_id="ami-0e9271c829888680e", system_id="ami-0e9271c829888680e")
    assert image.os_architecture == "arm64"
    assert image.os_platform == "Linux/UNIX"
    assert image.os_disk_size_gb > 0 and image.os_disk_type
    assert image.extra["publisher"] == "Amazon"


@pytest.mark.parametrize("image_id", ["ami-00000000000000000", "ubuntu-22.04"])
def test_unknown_or_malformed_image_ids_are_not_found(aws: AWSConnection, image_id: str) -> None:
    with pytest.raises(NotFoundError):
        aws.image().get_image(iid=IID(name_id=image_id))


@pytest.mark.parametrize(
    ("name", "vcpu", "memory_mib", "architecture"),
    [("t3.micro", 2, 1024, "x86_64"), ("m6g.large", 2, 8192, "arm64"), ("c5.2xlarge", 8, 16384, "x86_64")],
)
def test_specs_carry_vcpu_memory_and_architecture(
    aws: AWSConnection, name: str, vcpu: int, memory_mib: int, architecture: str
) -> None:
    spec = aws.vm_spec().get_spec(name=name)
    assert (spec.name, spec.region, spec.vcpu, spec.memory_mib, spec.architecture) == (
        name,
        "us-east-1",
        vcpu,
        memory_mib,
        architecture,
    )
    assert spec.gpus == ()


def test_gpu_specs_list_their_gpus(aws: AWSConnection) -> None:
    spec = aws.vm_spec().get_spec(name="g4dn.xlarge")
    assert [(gpu.count, gpu.manufacturer, gpu.model, gpu.memory_mib) for gpu in spec.gpus] == [
        (1, "NVIDIA", "T4", 16384)
    ]
    assert spec.disk_size_gb == 125  # its local NVMe instance store


def test_unknown_spec_is_not_found_naming_the_field(aws: AWSConnection) -> None:
    with pytest.raises(NotFoundError) as caught:
        aws.vm_spec().get_spec(name="t3.gigantic")
    assert caught.value.field == "name"
