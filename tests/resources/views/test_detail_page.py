"""A resource's page: full information, tags added and removed, VM actions with their progress."""

from __future__ import annotations

import time

import pytest

from resources.models import Operation, Resource
from tests.factories import make_connection
from tests.resources.helpers import build_network, settle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conn(api, client, user, mock_tenant) -> str:  # type: ignore[no-untyped-def]
    name = make_connection(name="web", tenant=mock_tenant).name
    build_network(api, name, with_vm=True)
    client.force_login(user)
    return name


def test_detail_shows_everything_and_tags_can_be_added_and_removed(client, conn) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/resources/vms/web/vm-01/").content.decode()
    assert "vm-01" in page and "mock-vmspec-01" in page and "Suspend" in page
    added = client.post(
        "/resources/vms/web/vm-01/tags/", {"key": "team", "value": "blue"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "team" in added and "blue" in added
    assert Resource.objects.get(name="vm-01").tags == {"team": "blue"}
    removed = client.post(
        "/resources/vms/web/vm-01/tags/", {"key": "team", "remove": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "No tag." in removed
    assert "No tag." in client.get("/resources/vpcs/web/vpc-01/").content.decode()
    assert client.get("/resources/subnets/web/subnet-01/").status_code == 200
    assert client.get("/resources/vms/web/nope/").status_code == 404


def test_vm_actions_run_as_operations_and_refusals_are_shown(client, conn) -> None:  # type: ignore[no-untyped-def]
    settle()
    started = client.post(
        "/resources/vms/web/vm-01/actions/", {"action": "suspend"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "vm.control" in started
    assert Operation.objects.filter(action="vm.control", state="succeeded").exists()
    refused = client.post(
        "/resources/vms/web/vm-01/actions/", {"action": "reboot"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "failed" in refused or "Cannot" in refused


def test_actions_the_driver_cannot_do_are_disabled_with_the_reason(
    client, api, user, mock_tenant, test_drivers
) -> None:  # type: ignore[no-untyped-def]
    name = make_connection(name="plain", tenant=mock_tenant, provider="limited").name
    api.post(
        f"/api/v1/connections/{name}/vpcs/",
        {
            "name": "vpc-01",
            "ipv4_cidr": "10.0.0.0/16",
            "subnets": [{"name": "subnet-01", "ipv4_cidr": "10.0.1.0/24", "zone": "mars-z1"}],
        },
        format="json",
    )
    api.post(f"/api/v1/connections/{name}/security-groups/", {"name": "sg-01", "vpc": "vpc-01"}, format="json")
    api.post(
        f"/api/v1/connections/{name}/vms/",
        {
            "name": "vm-01",
            "image": "mock-vmimage-04",
            "spec": "mock-vmspec-01",
            "vpc": "vpc-01",
            "subnet": "subnet-01",
            "security_groups": ["sg-01"],
            "vm_user_password": "a-long-password-1",
        },
        format="json",
    )
    client.force_login(user)
    page = client.get("/resources/vms/plain/vm-01/").content.decode()
    assert 'disabled title="VMs can only be stopped."' in page
    assert "This driver cannot tag vms" in page


def test_other_kinds_are_deleted_from_their_page(client, conn) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/resources/key-pairs/web/keypair-01/").content.decode()
    assert ">Delete</button>" in page
    in_use = client.post(
        "/resources/key-pairs/web/keypair-01/actions/", {"action": "delete"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "in_use" in in_use  # the VM still uses it: refused, shown in place
    client.post("/resources/vms/web/vm-01/actions/", {"action": "terminate"}, HTTP_HX_REQUEST="true")
    done = client.post(
        "/resources/key-pairs/web/keypair-01/actions/", {"action": "delete"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "succeeded" in done
    assert not Resource.objects.filter(name="keypair-01").exists()
    gone = client.post(
        "/resources/subnets/web/subnet-02/actions/", {"action": "delete"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "succeeded" in gone and not Resource.objects.filter(name="subnet-02").exists()


def test_a_settling_resource_is_watched_until_the_cloud_says_it_settled(client, conn) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/resources/vms/web/vm-01/").content.decode()
    assert '<span class="status">Creating</span>' in page and "every 2s" in page
    settle()
    assert '<span class="status">Creating</span>' in client.get("/resources/vms/web/vm-01/").content.decode()
    looked = client.get("/resources/vms/web/vm-01/?fetch=1", HTTP_HX_REQUEST="true").content.decode()
    assert '<span class="status">Running</span>' in looked and "every 2s" not in looked
    assert Resource.objects.get(name="vm-01").status == "Running"


def test_a_finished_action_tells_the_page_to_reload_its_status(client, conn) -> None:  # type: ignore[no-untyped-def]
    settle()
    started = client.post("/resources/vms/web/vm-01/actions/", {"action": "suspend"}, HTTP_HX_REQUEST="true")
    operation = Operation.objects.get(action="vm.control")
    assert started.headers["HX-Trigger"] == "operation-finished"  # done at once without a broker
    row = client.get(f"/operations/{operation.pk}/row/", HTTP_HX_REQUEST="true")
    assert row.status_code == 286 and row.headers["HX-Trigger"] == "operation-finished"
    page = client.get("/resources/vms/web/vm-01/?fetch=1").content.decode()
    for _ in range(20):  # the mock VM passes through Suspending
        if '<span class="status">Suspended</span>' in page:
            break
        time.sleep(0.2)
        page = client.get("/resources/vms/web/vm-01/?fetch=1").content.decode()
    assert 'disabled title="vm-01 is Suspended">Suspend</button>' in page
    assert '<button type="submit" class="primary" >Resume</button>' in page


def test_a_discovered_object_is_registered_from_its_page(client, user, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    from resources.inventory.refresh import inventory_refresh

    make_connection(name="mock-mars-z1", tenant=mock_tenant)
    call_command("seed_demo_cloud", stdout=open("/dev/null", "w"))  # noqa: SIM115
    inventory_refresh(user=None, connections=["mock-mars-z1"])
    client.force_login(user)
    page = client.get("/resources/vms/mock-mars-z1/web-01/").content.decode()
    assert "Manage it with Spiderweb" in page and "Suspend" not in page
    done = client.post("/resources/vms/mock-mars-z1/web-01/register/", {"name": "front-01"}, HTTP_HX_REQUEST="true")
    assert done.headers["HX-Redirect"] == "/resources/vms/mock-mars-z1/front-01/"
    managed = client.get("/resources/vms/mock-mars-z1/front-01/").content.decode()
    assert "Suspend" in managed and "Manage it with Spiderweb" not in managed
    assert Resource.objects.get(name="front-01").managed
    refused = client.post("/resources/subnets/mock-mars-z1/team-web/register/", HTTP_HX_REQUEST="true")
    assert "cannot be registered on its own" in refused.content.decode()
