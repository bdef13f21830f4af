"""Bulk actions on a resource list: one operation per selected resource, refusals shown per resource."""

from __future__ import annotations

import pytest

from resources.models import Operation, Resource
from tests.factories import make_connection
from tests.resources.helpers import VM_BODY, build_network, post, settle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conn(api, client, user, mock_tenant) -> str:  # type: ignore[no-untyped-def]
    name = make_connection(name="web", tenant=mock_tenant).name
    build_network(api, name, with_vm=True)
    assert post(api, name, "vms/", {**VM_BODY, "name": "vm-02"}).status_code == 201
    client.force_login(user)
    return name


def bulk(client, segment: str, action: str, *selected: str) -> str:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/resources/{segment}/bulk/", {"action": action, "selected": list(selected)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_offers_selection_and_the_kind_s_actions(client, conn) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/resources/vms/").content.decode()
    assert 'name="selected" value="web/vm-01"' in page and 'name="selected" value="web/vm-02"' in page
    assert 'class="select-all"' in page
    for label in ("Suspend", "Resume", "Reboot", "Terminate"):
        assert f'data-label="{label}"' in page
    assert 'hx-post="/resources/vms/bulk/"' in page
    assert '<a class="button" href="/resources/vms/new/">Create VM</a>' in page
    key_pairs = client.get("/resources/key-pairs/").content.decode()
    assert 'data-label="Delete"' in key_pairs and 'data-label="Suspend"' not in key_pairs
    assert "Create key pair" in key_pairs


def test_suspend_two_vms_starts_two_operations_that_succeed(client, conn) -> None:  # type: ignore[no-untyped-def]
    settle()
    answer = bulk(client, "vms", "suspend", "web/vm-01", "web/vm-02")
    assert answer.count('id="operation-') == 2 and answer.count("state-succeeded") == 2
    suspended = Operation.objects.filter(action="vm.control", state="succeeded")
    assert sorted(suspended.values_list("target_name", flat=True)) == ["vm-01", "vm-02"]


def test_delete_refuses_the_one_in_use_and_deletes_the_others(client, api, conn) -> None:  # type: ignore[no-untyped-def]
    for name in ("keypair-02", "keypair-03"):
        assert post(api, conn, "key-pairs/", {"name": name}).status_code == 201
    answer = bulk(client, "key-pairs", "delete", "web/keypair-01", "web/keypair-02", "web/keypair-03")
    assert "in_use" in answer  # keypair-01 is still used by the VMs
    assert answer.count("state-succeeded") == 2
    assert list(Resource.objects.filter(kind="key_pair").values_list("name", flat=True)) == ["keypair-01"]


def test_bad_selections_are_refused_by_name(client, conn) -> None:  # type: ignore[no-untyped-def]
    assert "select at least one" in bulk(client, "vms", "suspend")
    assert "unknown action" in bulk(client, "key-pairs", "suspend", "web/keypair-01")
    assert "no such resource" in bulk(client, "vms", "reboot", "web/vm-99")
    assert client.post("/resources/teapots/bulk/", {"action": "delete"}).status_code == 404
    assert client.get("/resources/vms/bulk/").status_code == 405


def test_an_action_the_driver_cannot_do_is_refused_with_its_reason(
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
    answer = bulk(client, "vms", "suspend", "plain/vm-01")
    assert "plain/vm-01" in answer and "VMs can only be stopped." in answer
    assert not Operation.objects.filter(action="vm.control").exists()


def test_the_list_page_costs_the_same_queries_for_more_rows(client, api, conn, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client.get("/resources/key-pairs/")  # the first request of a session costs more
    with django_assert_max_num_queries(20) as few:
        client.get("/resources/key-pairs/")
    one_row = len(few.captured_queries)  # read now: the next capture reuses the connection's query log
    for name in ("keypair-02", "keypair-03", "keypair-04"):
        assert post(api, conn, "key-pairs/", {"name": name}).status_code == 201
    with django_assert_max_num_queries(one_row):
        page = client.get("/resources/key-pairs/").content.decode()
    assert 'value="web/keypair-04"' in page


def test_the_list_asked_again_with_every_filter_field_blank_still_lists(client, conn) -> None:  # type: ignore[no-untyped-def]
    # After an action the page submits its filter form again, every input included, typed in or not.
    blank = "search=&connection=&region=&zone=&status=&tag=&managed=&ordering=name"
    partial = client.get(f"/resources/vms/?{blank}", HTTP_HX_REQUEST="true").content.decode()
    assert 'class="error"' not in partial and 'value="web/vm-01"' in partial
