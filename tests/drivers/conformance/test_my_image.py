"""Machine images: snapshot a VM -> get -> list -> boot a VM from it -> delete, and the edge cases."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.types import IID, MyImageReqInfo, MyImageStatus, VMStatus
from tests.drivers.conformance.harness import Harness, Network, make_network, start_running_vm, vm_req


@pytest.fixture
def network(cloud: Harness) -> Network:
    cloud.require("my_image")
    return make_network(cloud, "img")


def _available(cloud: Harness, iid: IID) -> bool:
    return cloud.conn.my_image().get_my_image(iid=iid).status == MyImageStatus.AVAILABLE


def test_snapshot_workflow(cloud: Harness, network: Network) -> None:
    images = cloud.conn.my_image()
    source = start_running_vm(cloud, network, "vm-src")
    created = images.create_my_image(req=MyImageReqInfo(name="img-01", source_vm_iid=source, tags={"v": "1"}))
    assert created.iid.name_id == "img-01" and created.iid.system_id
    assert created.source_vm_iid == source and created.tags == {"v": "1"}
    cloud.wait_for(lambda: _available(cloud, IID(name_id="img-01")), "image Available")
    assert created.iid in [image.iid for image in images.list_my_images()]

    req = replace(vm_req(cloud, network, "vm-copy"), image_type="MyImage", image_iid=IID(name_id="img-01"))
    copy = cloud.conn.vm().start_vm(req=req)
    assert (copy.image_type, copy.image_iid) == ("MyImage", created.iid)
    cloud.wait_status(copy.iid, VMStatus.RUNNING)

    images.delete_my_image(iid=created.iid)
    with pytest.raises(NotFoundError):
        images.get_my_image(iid=created.iid)
    assert cloud.conn.vm().get_vm_status(iid=copy.iid) == VMStatus.RUNNING


def test_snapshot_of_a_missing_vm_is_not_found(cloud: Harness) -> None:
    cloud.require("my_image")
    with pytest.raises(NotFoundError):
        cloud.conn.my_image().create_my_image(req=MyImageReqInfo(name="img", source_vm_iid=IID(name_id="no-vm")))
    assert cloud.conn.my_image().list_my_images() == []


def test_vm_from_a_missing_image_is_not_found(cloud: Harness, network: Network) -> None:
    req = replace(vm_req(cloud, network), image_type="MyImage", image_iid=IID(name_id="no-such-image"))
    with pytest.raises(NotFoundError):
        cloud.conn.vm().start_vm(req=req)
    assert cloud.conn.vm().list_vms() == []


def test_creating_an_existing_image_name_is_refused(cloud: Harness, network: Network) -> None:
    source = start_running_vm(cloud, network)
    cloud.conn.my_image().create_my_image(req=MyImageReqInfo(name="img-01", source_vm_iid=source))
    with pytest.raises(AlreadyExistsError):
        cloud.conn.my_image().create_my_image(req=MyImageReqInfo(name="img-01", source_vm_iid=source))


def test_missing_image_is_not_found(cloud: Harness) -> None:
    cloud.require("my_image")
    with pytest.raises(NotFoundError):
        cloud.conn.my_image().get_my_image(iid=IID(name_id="no-such-image"))


def test_image_delete_is_idempotent(cloud: Harness, network: Network) -> None:
    source = start_running_vm(cloud, network)
    created = cloud.conn.my_image().create_my_image(req=MyImageReqInfo(name="img-01", source_vm_iid=source))
    cloud.conn.my_image().delete_my_image(iid=created.iid)
    assert cloud.conn.my_image().delete_my_image(iid=created.iid) is None
    assert cloud.conn.my_image().delete_my_image(iid=IID(name_id="never-existed")) is None
