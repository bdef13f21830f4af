"""Machine image rules of the mock: what a snapshot copies, when it can be taken and booted."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import InvalidRequestError, InvalidStateError, NotFoundError
from drivers.mock import MockConnection
from drivers.types import IID, MyImageReqInfo, MyImageStatus, VMReqInfo, VMStatus
from tests.drivers.support import settle, vm_setup


@pytest.fixture
def req(conn: MockConnection) -> VMReqInfo:
    return vm_setup(conn)


def _snapshot(conn: MockConnection, vm: IID, name: str = "img-01") -> IID:
    return conn.my_image().create_my_image(req=MyImageReqInfo(name=name, source_vm_iid=vm)).iid


def _from_image(req: VMReqInfo, image: str, name: str = "vm-copy", **changes: object) -> VMReqInfo:
    return replace(req, name=name, image_type="MyImage", image_iid=IID(name_id=image), **changes)  # type: ignore[arg-type]


def test_the_image_copies_its_source_and_the_copy_boots_alike(conn: MockConnection, req: VMReqInfo) -> None:
    arm = replace(req, image_iid=IID(name_id="mock-vmimage-05"), spec_name="mock-vmspec-04", root_disk_size_gb=40)
    source = conn.vm().start_vm(req=arm)
    settle()
    image = conn.my_image().get_my_image(iid=_snapshot(conn, source.iid))
    assert image.status == MyImageStatus.UNAVAILABLE
    assert image.extra["architecture"] == "arm64" and image.extra["distribution"] == "Amazon Linux 2023"
    assert image.extra["root_disk_size_gb"] == "40"
    settle()
    with pytest.raises(InvalidRequestError) as caught:  # an arm64 image on an x86_64 spec
        conn.vm().start_vm(req=_from_image(req, "img-01"))
    assert caught.value.field == "spec_name"
    with pytest.raises(InvalidRequestError) as caught:  # smaller than the snapshot's root disk
        conn.vm().start_vm(req=_from_image(req, "img-01", spec_name="mock-vmspec-04", root_disk_size_gb=20))
    assert caught.value.field == "root_disk_size_gb"
    copy = conn.vm().start_vm(req=_from_image(req, "img-01", spec_name="mock-vmspec-04"))
    assert (copy.platform, copy.extra["architecture"], copy.root_disk_size_gb) == ("Linux/UNIX", "arm64", 40)
    assert copy.image_iid == image.iid and copy.image_type == "MyImage"


def test_a_windows_snapshot_keeps_its_platform(conn: MockConnection, req: VMReqInfo) -> None:
    windows = replace(
        req, image_iid=IID(name_id="mock-vmimage-04"), key_pair_iid=None, vm_user_password="S3cret-enough!"
    )
    source = conn.vm().start_vm(req=windows)
    settle()
    _snapshot(conn, source.iid)
    settle()
    copy = conn.vm().start_vm(req=_from_image(windows, "img-01"))
    assert (copy.platform, copy.vm_user_id, copy.root_disk_size_gb) == ("Windows", "Administrator", 30)


def test_only_a_settled_vm_can_be_snapshotted(conn: MockConnection, req: VMReqInfo) -> None:
    vm = conn.vm().start_vm(req=req)
    with pytest.raises(InvalidStateError, match="Creating") as caught:
        _snapshot(conn, vm.iid)
    assert caught.value.field == "source_vm_iid"
    settle()
    conn.vm().suspend_vm(iid=vm.iid)
    settle()
    assert conn.my_image().get_my_image(iid=_snapshot(conn, vm.iid)).source_vm_iid == vm.iid  # Suspended is fine


def test_an_image_still_being_taken_cannot_be_booted(conn: MockConnection, req: VMReqInfo) -> None:
    vm = conn.vm().start_vm(req=req)
    settle()
    _snapshot(conn, vm.iid)
    with pytest.raises(InvalidStateError) as caught:
        conn.vm().start_vm(req=_from_image(req, "img-01"))
    assert caught.value.field == "image_iid"


def test_the_image_outlives_its_source_vm(conn: MockConnection, req: VMReqInfo) -> None:
    vm = conn.vm().start_vm(req=req)
    settle()
    image = _snapshot(conn, vm.iid)
    conn.vm().terminate_vm(iid=vm.iid)
    settle()
    info = conn.my_image().get_my_image(iid=image)
    assert info.source_vm_iid == vm.iid and info.status == MyImageStatus.AVAILABLE
    copy = conn.vm().start_vm(req=_from_image(req, "img-01"))
    settle()
    assert conn.vm().get_vm_status(iid=copy.iid) == VMStatus.RUNNING


def test_public_and_machine_images_are_separate_namespaces(conn: MockConnection, req: VMReqInfo) -> None:
    vm = conn.vm().start_vm(req=req)
    settle()
    _snapshot(conn, vm.iid)
    settle()
    with pytest.raises(NotFoundError) as caught:
        conn.vm().start_vm(req=_from_image(req, "mock-vmimage-01"))
    assert caught.value.field == "image_iid"
    with pytest.raises(NotFoundError) as caught:
        conn.vm().start_vm(req=replace(req, name="vm-02", image_iid=IID(name_id="img-01")))
    assert caught.value.field == "image_iid"
