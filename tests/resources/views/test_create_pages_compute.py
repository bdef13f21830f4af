"""The VM wizard, and the create forms of disks, machine images, load balancers and clusters."""

from __future__ import annotations

import time

import pytest

from resources.models import Operation, Resource
from tests.factories import make_connection
from tests.resources.helpers import build_network, settle, url

pytestmark = pytest.mark.django_db(transaction=True)

VM_FORM = {
    "connection": "web",
    "name": "vm-01",
    "image": "mock-vmimage-01",
    "spec": "mock-vmspec-01",
    "vpc": "vpc-01",
    "subnet": "subnet-01",
    "security_groups": ["sg-01"],
    "key_pair": "keypair-01",
    "root_disk_size_gb": "40",
}


@pytest.fixture
def conn(api, client, user, mock_tenant) -> str:  # type: ignore[no-untyped-def]
    name = make_connection(name="web", tenant=mock_tenant).name
    build_network(api, name)
    client.force_login(user)
    return name


def test_wizard_offers_images_and_specs_with_hourly_price(client, conn) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/resources/vms/new/").content.decode()
    assert "mock-vmimage-01 · Ubuntu 22.04 LTS" in page
    # mars prices are the default region's times 0.92: 0.1920 → 0.1766 USD an hour
    assert "mock-vmspec-01 · x86_64 · 4 vCPU · 8.0 GiB · 0.1766" in page and "USD/h" in page
    assert "1x T4" in page  # the GPU spec says so
    assert '<option value="subnet-01"' in page and 'value="sg-01"' in page and '<option value="keypair-01"' in page


def test_choosing_a_vpc_refills_the_subnets_by_htmx(client, api, conn) -> None:  # type: ignore[no-untyped-def]
    api.post(
        url("web", "vpcs/"),
        {"name": "vpc-02", "ipv4_cidr": "10.0.0.0/16", "subnets": [{"name": "other-01", "ipv4_cidr": "10.0.1.0/24"}]},
        format="json",
    )
    part = client.post(
        "/resources/vms/new/", {**VM_FORM, "vpc": "vpc-02", "intent": "refresh"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert part.startswith('<div id="fields">')
    assert '<option value="other-01"' in part and '<option value="subnet-01"' not in part


def test_review_shows_the_choices_and_price_before_create(client, conn) -> None:  # type: ignore[no-untyped-def]
    review = client.post(
        "/resources/vms/new/", {**VM_FORM, "intent": "review"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert review.startswith('<div id="review">')
    assert "0.1766 USD per hour" in review and "keypair-01" in review and "40 GB" in review
    assert ">Create</button>" in review
    assert not Resource.objects.filter(kind="vm").exists()
    bad = client.post(
        "/resources/vms/new/", {**VM_FORM, "root_disk_size_gb": "-3", "intent": "review"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "root_disk_size_gb" in bad and ">Create</button>" not in bad


def test_vm_is_created_from_the_wizard(client, api, conn) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/resources/vms/new/", VM_FORM)
    assert response.status_code == 302
    assert Operation.objects.get(action="vm.create").state == "succeeded"
    answer = api.get(url("web", "vms/vm-01/")).json()
    assert answer["spec"] == "mock-vmspec-01" and answer["security_groups"] == ["sg-01"]
    assert 'href="/resources/vms/web/vm-01/"' in client.get(response["Location"]).content.decode()


def test_vm_with_an_unknown_image_shows_the_cloud_error_at_the_image(client, conn) -> None:  # type: ignore[no-untyped-def]
    page = client.post(
        "/resources/vms/new/", {**VM_FORM, "image": "no-such-image", "vm_user_password": "a-secret-pass-1"}
    ).content.decode()
    image_field = page[page.index('id="id_image"') : page.index('id="id_spec"')]
    assert "field-error" in image_field and "no-such-image" in image_field
    assert "a-secret-pass-1" not in page  # secrets are not echoed back
    assert not Resource.objects.filter(kind="vm").exists()


def test_disk_defaults_to_the_connection_zone_and_is_created(client, api, conn) -> None:  # type: ignore[no-untyped-def]
    assert 'id="id_zone" name="zone" value="mars-z1"' in client.get("/resources/disks/new/").content.decode()
    bad = client.post(
        "/resources/disks/new/", {"connection": "web", "name": "data-01", "zone": "mars-z1", "size_gb": "lots"}
    ).content.decode()
    size_field = bad[bad.index('id="id_size_gb"') :]
    assert "field-error" in size_field and not Resource.objects.filter(kind="disk").exists()
    response = client.post(
        "/resources/disks/new/",
        {"connection": "web", "name": "data-01", "zone": "mars-z1", "disk_type": "ssd", "size_gb": "100"},
    )
    assert response.status_code == 302
    answer = api.get(url("web", "disks/data-01/")).json()
    assert (answer["disk_type"], answer["size_gb"]) == ("ssd", 100)


def test_my_image_is_a_snapshot_of_a_chosen_vm(client, api, conn) -> None:  # type: ignore[no-untyped-def]
    client.post("/resources/vms/new/", VM_FORM)
    settle()
    assert '<option value="vm-01"' in client.get("/resources/my-images/new/").content.decode()
    bad = client.post(
        "/resources/my-images/new/", {"connection": "web", "name": "image-01", "source_vm": ""}
    ).content.decode()
    assert "field-error" in bad[bad.index('id="id_source_vm"') :] and not Resource.objects.filter(kind="my_image")
    response = client.post("/resources/my-images/new/", {"connection": "web", "name": "image-01", "source_vm": "vm-01"})
    assert response.status_code == 302
    assert api.get(url("web", "my-images/image-01/")).json()["source_vm"] == "vm-01"


NLB_FORM = {
    "connection": "web",
    "name": "nlb-01",
    "vpc": "vpc-01",
    "type": "PUBLIC",
    "scope": "REGION",
    "listener-protocol": "TCP",
    "listener-port": "80",
    "vm_group-protocol": "TCP",
    "vm_group-port": "8080",
    "vms": ["vm-01"],
    "health_checker-protocol": "TCP",
    "health_checker-port": "8080",
}


def test_nlb_with_listener_vm_group_and_health_checker(client, api, conn) -> None:  # type: ignore[no-untyped-def]
    client.post("/resources/vms/new/", VM_FORM)
    bad = client.post("/resources/nlbs/new/", {**NLB_FORM, "listener-port": "70000"}).content.decode()
    port_field = bad[bad.index('id="id_listener-port"') : bad.index("VM group")]
    assert "field-error" in port_field and 'value="70000"' in port_field
    assert not Resource.objects.filter(kind="nlb").exists()
    unknown = client.post("/resources/nlbs/new/", {**NLB_FORM, "vms": ["vm-01", "vm-09"]}).content.decode()
    vms_field = unknown[unknown.index('name="vms"') : unknown.index("Health checker")]
    assert "field-error" in vms_field and "vm-09" in vms_field
    assert client.post("/resources/nlbs/new/", NLB_FORM).status_code == 302
    answer = api.get(url("web", "nlbs/nlb-01/")).json()
    assert answer["listener"]["port"] == 80 and answer["vm_group"]["vms"] == ["vm-01"]


def test_cluster_with_node_group_rows_shows_progress(client, api, conn) -> None:  # type: ignore[no-untyped-def]
    form = {
        "connection": "web",
        "name": "cluster-01",
        "vpc": "vpc-01",
        "subnets": ["subnet-01", "subnet-02"],
        "security_groups": ["sg-01"],
        "node_groups_rows": "2",
        "node_groups-0-name": "workers",
        "node_groups-0-spec": "mock-vmspec-01",
        "node_groups-0-key_pair": "keypair-01",
        "node_groups-0-on_auto_scaling": "on",
        "node_groups-0-min_node_size": "1",
        "node_groups-0-desired_node_size": "2",
        "node_groups-0-max_node_size": "3",
        "node_groups-1-name": "",
    }
    page = client.get("/resources/clusters/new/").content.decode()
    assert '<option value="mock-vmspec-01"' in page and 'value="subnet-02"' in page
    bad = client.post("/resources/clusters/new/", {**form, "node_groups-0-key_pair": ""}).content.decode()
    row = bad[bad.index('name="node_groups-0-name"') : bad.index("Add node group row")]
    assert "field-error" in row and not Resource.objects.filter(kind="cluster").exists()
    response = client.post("/resources/clusters/new/", form)
    assert response.status_code == 302
    operation = Operation.objects.get(action="cluster.create")
    progress = client.get(response["Location"]).content.decode()
    assert f'id="operation-{operation.pk}"' in progress
    operation.refresh_from_db()
    if not operation.finished:
        assert f'hx-get="/operations/{operation.pk}/row/"' in progress
    deadline = time.monotonic() + 30
    while not operation.finished and time.monotonic() < deadline:
        time.sleep(0.2)
        operation.refresh_from_db()
    assert operation.state == "succeeded"
    groups = api.get(url("web", "clusters/cluster-01/")).json()["node_groups"]
    assert [(g["name"], g["desired_node_size"]) for g in groups] == [("workers", 2)]
