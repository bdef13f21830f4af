"""The whole flow on a mock connection through the API: VPC → SG → key pair → VM → control → delete."""

from __future__ import annotations

import pytest

from connections.models import Connection
from connections.services import connection_info
from drivers.registry import get_driver
from drivers.types import IID
from resources.models import Operation
from tests.factories import make_connection
from tests.resources.flow import finish, run_full_flow
from tests.resources.helpers import delete, post, url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("mode", ["wait", "async"])
def test_full_flow(api, mock_tenant, mode) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant).name
    run_full_flow(api, conn, wait=mode == "wait")


def test_private_key_is_returned_once(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant).name
    created = post(api, conn, "key-pairs/", {"name": "kp"})
    assert "PRIVATE KEY" in created.json()["private_key"]
    operation_url = f"/api/v1/operations/{created['X-Spiderweb-Operation']}/"
    assert "private_key" not in api.get(operation_url).json()["result"]
    assert "private_key" not in api.get(url(conn, "key-pairs/kp/")).json()
    assert "private_key" not in str(api.get(url(conn, "key-pairs/")).json())
    assert Operation.objects.get(pk=created["X-Spiderweb-Operation"]).sealed_secret == ""


def test_async_key_pair_hands_the_private_key_to_the_first_read_only(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant).name
    accepted = post(api, conn, "key-pairs/", {"name": "kp"}, wait=False)
    first = finish(api, accepted)
    assert "PRIVATE KEY" in first["result"]["private_key"]
    assert "private_key" not in api.get(accepted["Location"]).json()["result"]


def test_cloud_names_differ_across_connections_and_recreation(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    first = make_connection(tenant=mock_tenant).name
    second = make_connection(tenant=mock_tenant).name  # same tenant and region: one cloud namespace
    body = {"name": "shared-name", "ipv4_cidr": "10.0.0.0/16"}
    a = post(api, first, "vpcs/", body).json()
    b = post(api, second, "vpcs/", body).json()
    assert a["cloud_name"] != b["cloud_name"]
    assert a["system_id"] != b["system_id"]
    delete(api, first, "vpcs/shared-name/")
    again = post(api, first, "vpcs/", body).json()
    assert again["cloud_name"] not in (a["cloud_name"], b["cloud_name"])
    assert again["cloud_name"].startswith("shared-name-")
    cloud = get_driver("mock").connect(connection_info(connection=Connection.objects.get(name=first)))
    assert cloud.vpc().get_vpc(iid=IID(name_id="", system_id=again["system_id"])).iid.name_id == again["cloud_name"]
