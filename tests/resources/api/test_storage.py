"""Disks and machine images through the API, as the user scripts them."""

from __future__ import annotations

import pytest

from resources.models import Kind, Resource
from tests.factories import make_connection
from tests.resources.helpers import VM_BODY, build_network, delete, error_of, post, settle, url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conn(api, mock_tenant) -> str:  # type: ignore[no-untyped-def]
    name = make_connection(tenant=mock_tenant).name
    build_network(api, name, with_vm=True)
    return name


def test_disk_lifecycle_create_resize_attach_detach_delete(api, conn) -> None:  # type: ignore[no-untyped-def]
    created = post(api, conn, "disks/", {"name": "data-01", "size_gb": 50})
    assert created.status_code == 201, created.json()
    assert created.json()["size_gb"] == 50 and created.json()["system_id"]
    settle()
    assert api.get(url(conn, "disks/data-01/")).json()["status"] == "Available"

    grown = post(api, conn, "disks/data-01/size/", {"size_gb": 80})
    assert grown.status_code == 200 and grown.json()["size_gb"] == 80
    shrink = post(api, conn, "disks/data-01/size/", {"size_gb": 60})
    assert shrink.status_code == 400 and error_of(shrink)["field"] == "size_gb"

    settle()
    attached = post(api, conn, "disks/data-01/attach/", {"vm": "vm-01"})
    assert attached.status_code == 200, attached.json()
    assert attached.json()["attached_to"] == "vm-01"
    again = post(api, conn, "disks/data-01/attach/", {"vm": "vm-01"})
    assert again.status_code == 409
    busy = delete(api, conn, "disks/data-01/")
    assert busy.status_code == 409

    settle()
    detached = post(api, conn, "disks/data-01/detach/")
    assert detached.status_code == 200 and detached.json()["attached_to"] == ""
    settle()
    assert delete(api, conn, "disks/data-01/").json()["deleted"] is True
    assert not Resource.objects.filter(kind=Kind.DISK).exists()


def test_a_vm_can_start_with_data_disks(api, conn) -> None:  # type: ignore[no-untyped-def]
    post(api, conn, "disks/", {"name": "data-01"})
    post(api, conn, "disks/", {"name": "data-02"})
    settle()
    response = post(api, conn, "vms/", {**VM_BODY, "name": "vm-02", "data_disks": ["data-01", "data-02"]})
    assert response.status_code == 201, response.json()
    assert response.json()["data_disks"] == ["data-01", "data-02"]
    unknown = post(api, conn, "vms/", {**VM_BODY, "name": "vm-03", "data_disks": ["nope"]})
    assert unknown.status_code == 404 and error_of(unknown)["field"] == "data_disks[0]"


def test_snapshot_workflow_public_image_to_snapshot_to_vm(api, conn) -> None:  # type: ignore[no-untyped-def]
    settle()
    image = post(api, conn, "my-images/", {"name": "image-01", "source_vm": "vm-01"})
    assert image.status_code == 201, image.json()
    assert image.json()["source_vm"] == "vm-01" and image.json()["system_id"]
    settle()
    from_image = post(
        api, conn, "vms/", {**VM_BODY, "name": "vm-from-image", "image": "image-01", "image_type": "my_image"}
    )
    assert from_image.status_code == 201, from_image.json()
    assert (from_image.json()["image"], from_image.json()["image_type"]) == ("image-01", "MyImage")
    listed = api.get(url(conn, "my-images/")).json()["results"]
    assert [item["name"] for item in listed] == ["image-01"]
    unknown = post(api, conn, "vms/", {**VM_BODY, "name": "vm-x", "image": "nope", "image_type": "my_image"})
    assert unknown.status_code == 404 and error_of(unknown)["field"] == "image"
    assert api.get(url(conn, "my-images/image-01/")).json()["status"] == "Available"
    removed = delete(api, conn, "my-images/image-01/")
    assert removed.status_code == 200 and removed.json()["deleted"] is True
    assert api.get(url(conn, "my-images/image-01/")).status_code == 404
    assert api.get(url(conn, "vms/vm-from-image/")).status_code == 200  # VMs outlive their image
    assert delete(api, conn, "my-images/image-01/").status_code == 404


def test_bad_image_and_disk_requests_name_the_field(api, conn) -> None:  # type: ignore[no-untyped-def]
    no_vm = post(api, conn, "my-images/", {"name": "image-x", "source_vm": "nope"})
    assert no_vm.status_code == 404 and error_of(no_vm)["field"] == "source_vm"
    duplicate = post(api, conn, "disks/", {"name": "data-01"})
    assert duplicate.status_code == 201
    again = post(api, conn, "disks/", {"name": "data-01"})
    assert again.status_code == 409 and error_of(again)["field"] == "name"
    no_target = post(api, conn, "disks/data-01/attach/", {"vm": "nope"})
    assert no_target.status_code == 404 and error_of(no_target)["field"] == "vm"
    assert not Resource.objects.filter(kind=Kind.MY_IMAGE).exists()
