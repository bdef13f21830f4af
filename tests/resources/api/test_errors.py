"""Errors users script against: the right status, the field named, the provider's words, nothing left behind."""

from __future__ import annotations

import logging

import pytest

from connections.models import Connection
from connections.services import connection_info
from drivers.registry import get_driver
from resources.models import Kind, Lifecycle, Operation, Resource
from tests.factories import make_connection
from tests.resources.helpers import SG_BODY, VM_BODY, VPC_BODY, build_network, delete, error_of, post, url

pytestmark = pytest.mark.django_db(transaction=True)


def cloud_of(conn: str):  # type: ignore[no-untyped-def]
    connection = Connection.objects.get(name=conn)
    return get_driver(connection.provider).connect(connection_info(connection=connection))


@pytest.fixture
def conn(mock_tenant) -> str:  # type: ignore[no-untyped-def]
    return make_connection(tenant=mock_tenant).name


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**VPC_BODY, "ipv4_cidr": "192.168.0.0/33"}, "ipv4_cidr"),
        ({**VPC_BODY, "ipv4_cidr": "not-a-cidr"}, "ipv4_cidr"),
        ({**VPC_BODY, "subnets": [{"name": "s1", "ipv4_cidr": "192.168.1.300/24"}]}, "subnets[0].ipv4_cidr"),
        (
            {
                **VPC_BODY,
                "subnets": [{"name": "s1", "ipv4_cidr": "192.168.1.0/24"}, {"name": "s2", "ipv4_cidr": "10.1.0.0/24"}],
            },
            "subnets[1].ipv4_cidr",
        ),
        (
            {
                **VPC_BODY,
                "subnets": [
                    {"name": "s1", "ipv4_cidr": "192.168.1.0/24"},
                    {"name": "s2", "ipv4_cidr": "192.168.1.128/25"},
                ],
            },
            "subnets[1].ipv4_cidr",
        ),
        (
            {
                **VPC_BODY,
                "subnets": [
                    {"name": "s1", "ipv4_cidr": "192.168.1.0/24"},
                    {"name": "s1", "ipv4_cidr": "192.168.2.0/24"},
                ],
            },
            "subnets[1].name",
        ),
        ({"name": "v", "ipv4_cidr": "10.0.0.0/16", "colour": "red"}, "colour"),
        ({"ipv4_cidr": "10.0.0.0/16"}, "name"),
    ],
)
def test_bad_vpc_requests_are_400_naming_the_field_and_create_nothing(api, conn, body, field) -> None:  # type: ignore[no-untyped-def]
    response = post(api, conn, "vpcs/", body)
    assert response.status_code == 400, response.json()
    assert error_of(response)["field"] == field
    assert not Resource.objects.exists()
    assert not Operation.objects.exists()
    assert cloud_of(conn).vpc().list_vpcs() == []


def test_subnet_added_outside_its_vpc_is_400(api, conn) -> None:  # type: ignore[no-untyped-def]
    post(api, conn, "vpcs/", VPC_BODY)
    response = post(api, conn, "vpcs/vpc-01/subnets/", {"name": "far", "ipv4_cidr": "172.16.0.0/24"})
    assert response.status_code == 400
    assert error_of(response)["field"] == "ipv4_cidr"
    assert not Resource.objects.filter(name="far").exists()


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"image": "no-such-image"}, 404, "image"),
        ({"spec": "no-such-spec"}, 404, "spec"),
        ({"vpc": "no-such-vpc"}, 404, "vpc"),
        ({"subnet": "no-such-subnet"}, 404, "subnet"),
        ({"security_groups": ["sg-01", "no-such-sg"]}, 404, "security_groups[1]"),
        ({"key_pair": "no-such-key"}, 404, "key_pair"),
    ],
)
def test_unknown_references_name_the_field_and_leave_nothing(api, conn, change, status, field) -> None:  # type: ignore[no-untyped-def]
    build_network(api, conn)
    response = post(api, conn, "vms/", {**VM_BODY, **change})
    assert response.status_code == status, response.json()
    assert error_of(response)["code"] == "not_found"
    assert error_of(response)["field"] == field
    assert not Resource.objects.filter(kind=Kind.VM).exists()
    assert cloud_of(conn).vm().list_vms() == []


def test_duplicate_name_is_409(api, conn) -> None:  # type: ignore[no-untyped-def]
    assert post(api, conn, "vpcs/", VPC_BODY).status_code == 201
    again = post(api, conn, "vpcs/", {**VPC_BODY, "ipv4_cidr": "10.0.0.0/16", "subnets": []})
    assert again.status_code == 409
    assert error_of(again)["code"] == "already_exists"
    assert error_of(again)["field"] == "name"
    assert len(cloud_of(conn).vpc().list_vpcs()) == 1


def test_duplicate_subnet_name_in_a_new_vpc_is_409_naming_it(api, conn) -> None:  # type: ignore[no-untyped-def]
    post(api, conn, "vpcs/", VPC_BODY)
    response = post(
        api,
        conn,
        "vpcs/",
        {"name": "vpc-02", "ipv4_cidr": "10.0.0.0/16", "subnets": [{"name": "subnet-01", "ipv4_cidr": "10.0.1.0/24"}]},
    )
    assert response.status_code == 409
    assert error_of(response)["field"] == "subnets[0].name"
    assert not Resource.objects.filter(name="vpc-02").exists()


def test_vpc_in_use_is_409_listing_users(api, conn) -> None:  # type: ignore[no-untyped-def]
    post(api, conn, "vpcs/", VPC_BODY)
    post(api, conn, "security-groups/", SG_BODY)
    response = delete(api, conn, "vpcs/vpc-01/")
    assert response.status_code == 409
    assert error_of(response)["code"] == "in_use"
    assert "sg-01" in error_of(response)["message"]
    assert Resource.objects.get(name="vpc-01").lifecycle == Lifecycle.READY


def test_subnet_used_by_a_vm_is_409_from_the_cloud(api, conn) -> None:  # type: ignore[no-untyped-def]
    build_network(api, conn, with_vm=True)
    response = delete(api, conn, "vpcs/vpc-01/subnets/subnet-01/")
    assert response.status_code == 409
    assert error_of(response)["code"] == "in_use"
    assert "vm" in error_of(response)["message"].lower()
    assert Resource.objects.get(name="subnet-01").lifecycle == Lifecycle.READY


def test_action_the_vm_state_forbids_is_409(api, conn) -> None:  # type: ignore[no-untyped-def]
    build_network(api, conn, with_vm=True)
    response = post(api, conn, "vms/vm-01/actions/", {"action": "resume"})  # still Creating, never suspended
    assert response.status_code == 409
    assert error_of(response)["code"] == "invalid_state"
    assert "resume" in error_of(response)["message"]


def test_unknown_action_is_400(api, conn) -> None:  # type: ignore[no-untyped-def]
    build_network(api, conn, with_vm=True)
    response = post(api, conn, "vms/vm-01/actions/", {"action": "explode"})
    assert response.status_code == 400
    assert error_of(response)["field"] == "action"


def test_missing_capability_is_501_before_anything_happens(api, mock_tenant, test_drivers) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant, provider="limited").name
    response = post(api, conn, "key-pairs/", {"name": "kp"})
    assert response.status_code == 501
    assert error_of(response)["code"] == "not_supported"
    assert "passwords only" in error_of(response)["message"]
    assert not Resource.objects.exists() and not Operation.objects.exists()
    assert post(api, conn, "vpcs/", VPC_BODY).status_code == 201  # what it can do still works


def test_missing_operation_is_501(api, mock_tenant, test_drivers) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant, provider="limited").name
    post(api, conn, "vpcs/", VPC_BODY)
    post(api, conn, "security-groups/", SG_BODY)
    # No key pairs on this cloud: a Windows image with a password instead.
    windows_vm = {**VM_BODY, "image": "mock-vmimage-04", "key_pair": "", "vm_user_password": "a-long-password-1"}
    assert post(api, conn, "vms/", windows_vm).status_code == 201
    response = post(api, conn, "vms/vm-01/actions/", {"action": "suspend"})
    assert response.status_code == 501
    assert "only be stopped" in error_of(response)["message"]
    assert Operation.objects.filter(action="vm.control").count() == 0


def test_throttling_after_retries_is_429_with_the_provider_message(api, mock_tenant, caplog) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant, options={"throttle_rate": 1}).name
    caplog.set_level(logging.INFO, logger="resources.operations.runner")
    response = post(api, conn, "vpcs/", VPC_BODY)
    assert response.status_code == 429
    error = error_of(response)
    assert error["code"] == "throttled"
    assert "RequestLimitExceeded" in error["message"]
    assert error["retry_after"] > 0
    assert caplog.text.count("retrying") == 2  # three attempts in the test policy
    assert not Resource.objects.exists()


def test_unreachable_cloud_is_502_and_leaves_nothing(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant, options={"down": True}).name
    response = post(api, conn, "vpcs/", VPC_BODY)
    assert response.status_code == 502
    assert error_of(response)["code"] == "unreachable"
    assert "cannot be reached" in error_of(response)["message"]
    assert not Resource.objects.exists()
    assert Operation.objects.get().state == "failed"


def test_reads_of_an_unreachable_cloud_are_502(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant)
    post(api, conn.name, "vpcs/", VPC_BODY)
    region = conn.region
    region.options = {"down": True}
    region.save()
    response = api.get(url(conn.name, "vpcs/vpc-01/"))
    assert response.status_code == 502
    assert error_of(response)["code"] == "unreachable"


def test_a_lost_answer_is_adopted_on_retry_not_created_twice(api, mock_tenant, test_drivers) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant, provider="lostanswer").name
    response = post(api, conn, "vpcs/", VPC_BODY)
    assert response.status_code == 201, response.json()
    vpcs = cloud_of(conn).vpc().list_vpcs()
    assert len(vpcs) == 1
    assert vpcs[0].iid.system_id == response.json()["system_id"]


def test_an_uncertain_failure_removes_what_the_cloud_made(api, mock_tenant, test_drivers) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant, provider="blind").name
    response = post(api, conn, "vpcs/", VPC_BODY)
    assert response.status_code == 502
    assert error_of(response)["code"] == "provider_error"
    assert "504 Gateway Timeout" in error_of(response)["message"]
    assert not Resource.objects.exists()  # no half-made record...
    assert cloud_of(conn).vpc().list_vpcs() == []  # ...and no orphan at the cloud


def test_an_uncertain_failure_that_cannot_be_cleaned_stays_recorded_as_failed(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant, options={"failure_rate": 1})
    response = post(api, conn.name, "vpcs/", VPC_BODY)
    assert response.status_code == 502
    record = Resource.objects.get(name="vpc-01")
    assert record.lifecycle == Lifecycle.FAILED  # recorded, so nothing at the cloud can be forgotten
    listed = api.get(url(conn.name, "vpcs/")).json()["results"]
    assert [(item["name"], item["lifecycle"]) for item in listed] == [("vpc-01", "failed")]
    region = conn.region
    region.options = {}
    region.save()
    assert delete(api, conn.name, "vpcs/vpc-01/").status_code == 200
    assert not Resource.objects.exists()
