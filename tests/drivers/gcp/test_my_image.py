"""Machine images through the fake: taken from an instance without waiting, VMs booted from them,
deletes followed to their end."""

from __future__ import annotations

from dataclasses import replace

import pytest
from google.cloud.compute_v1.types import compute

from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.gcp import GCPConnection, GCPDriver
from drivers.gcp.my_image import machine_image_info
from drivers.types import IID, MyImageReqInfo, MyImageStatus, VMStatus
from tests.drivers.conformance.harness import Harness, Network, make_network, start_running_vm, vm_req
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.support import DEFAULT_ZONE, PROJECT

GLOBAL_PATH = f"/compute/v1/projects/{PROJECT}/global"


@pytest.fixture
def cloud(gcp: GCPConnection) -> Harness:
    return Harness(
        driver=GCPDriver(),
        conn=gcp,
        image=IID(name_id="projects/debian-cloud/global/images/family/debian-12"),
        spec_name="e2-standard-2",
        vpc_cidr="10.20.0.0/16",
        subnet_cidrs=("10.20.1.0/24", "10.20.2.0/24"),
    )


@pytest.fixture
def network(cloud: Harness) -> Network:
    return make_network(cloud, "img")


def test_a_machine_image_is_taken_from_the_instance_without_waiting(
    fake: FakeGCP, cloud: Harness, network: Network
) -> None:
    source = start_running_vm(cloud, network, "vm-src")
    before = len(fake.calls)
    created = cloud.conn.my_image().create_my_image(
        req=MyImageReqInfo(name="img-01", source_vm_iid=source, tags={"v": "1"})
    )
    stored = fake.collection(PROJECT, "global/machineImages")["img-01"]
    assert stored["sourceInstance"].endswith(f"/zones/{DEFAULT_ZONE}/instances/vm-src")
    assert stored["labels"] == {"v": "1"}
    assert created.iid.system_id == stored["id"]  # named by the insert operation
    assert created.status == MyImageStatus.UNAVAILABLE
    assert not any(call.startswith(f"GET {GLOBAL_PATH}/operations/") for call in fake.calls[before:])

    ready = cloud.conn.my_image().get_my_image(iid=IID(name_id="img-01"))
    assert (ready.status, ready.source_vm_iid, ready.tags) == (MyImageStatus.AVAILABLE, source, {"v": "1"})
    assert ready.created_at is not None


def test_a_vm_boots_from_the_machine_image(fake: FakeGCP, cloud: Harness, network: Network) -> None:
    source = start_running_vm(cloud, network, "vm-src")
    image = cloud.conn.my_image().create_my_image(req=MyImageReqInfo(name="img-01", source_vm_iid=source))
    req = replace(vm_req(cloud, network, "vm-copy"), image_type="MyImage", image_iid=IID(name_id="img-01"))
    copy = cloud.conn.vm().start_vm(req=req)
    stored = fake.collection(PROJECT, f"zones/{DEFAULT_ZONE}/instances")["vm-copy"]
    assert stored["sourceMachineImage"].endswith("/global/machineImages/img-01")
    assert (copy.image_type, copy.image_iid) == ("MyImage", image.iid)
    cloud.wait_status(copy.iid, VMStatus.RUNNING)


def test_the_source_vm_gone_leaves_its_name(cloud: Harness, network: Network) -> None:
    source = start_running_vm(cloud, network, "vm-src")
    cloud.conn.my_image().create_my_image(req=MyImageReqInfo(name="img-01", source_vm_iid=source))
    cloud.conn.vm().terminate_vm(iid=source)
    [listed] = cloud.conn.my_image().list_my_images()
    assert listed.source_vm_iid == IID(name_id="vm-src")


def test_an_existing_name_is_refused_before_the_source_is_read(fake: FakeGCP, cloud: Harness, network: Network) -> None:
    source = start_running_vm(cloud, network, "vm-src")
    cloud.conn.my_image().create_my_image(req=MyImageReqInfo(name="img-01", source_vm_iid=source))
    with pytest.raises(AlreadyExistsError):
        cloud.conn.my_image().create_my_image(req=MyImageReqInfo(name="img-01", source_vm_iid=IID(name_id="no-vm")))
    with pytest.raises(InvalidRequestError) as caught:
        cloud.conn.my_image().create_my_image(req=MyImageReqInfo(name="img-02", source_vm_iid=source, tags={"V": "1"}))
    assert caught.value.field == "tags"


def test_delete_is_followed_to_its_end(fake: FakeGCP, cloud: Harness, network: Network) -> None:
    source = start_running_vm(cloud, network, "vm-src")
    image = cloud.conn.my_image().create_my_image(req=MyImageReqInfo(name="img-01", source_vm_iid=source))
    before = len(fake.calls)
    cloud.conn.my_image().delete_my_image(iid=IID(name_id="", system_id=image.iid.system_id))
    assert f"DELETE {GLOBAL_PATH}/machineImages/img-01" in fake.calls
    assert any(call.startswith(f"GET {GLOBAL_PATH}/operations/") for call in fake.calls[before:])
    with pytest.raises(NotFoundError):
        cloud.conn.my_image().get_my_image(iid=image.iid)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("CREATING", MyImageStatus.UNAVAILABLE),
        ("UPLOADING", MyImageStatus.UNAVAILABLE),
        ("READY", MyImageStatus.AVAILABLE),
        ("DELETING", MyImageStatus.DELETING),
        ("INVALID", MyImageStatus.UNAVAILABLE),
    ],
)
def test_statuses(status: str, expected: MyImageStatus) -> None:
    assert machine_image_info(compute.MachineImage(name="img", id=1, status=status), {}).status == expected
