"""Destroy: every managed resource of a connection, dependants first, with a report of what remained."""

from __future__ import annotations

import pytest

from connections.models import Connection
from connections.services import connection_info
from drivers.registry import get_driver
from resources.models import Resource
from tests.factories import make_connection
from tests.resources.helpers import build_network, post, url

pytestmark = pytest.mark.django_db(transaction=True)


def test_destroy_deletes_in_dependency_order(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    build_network(api, connection.name, with_vm=True)
    response = post(api, connection.name, "destroy/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(d["kind"], d["name"]) for d in body["deleted"]] == [
        ("vm", "vm-01"),
        ("key_pair", "keypair-01"),
        ("security_group", "sg-01"),
        ("vpc", "vpc-01"),
    ]
    assert body["remained"] == []
    assert not Resource.objects.filter(connection=connection).exists()
    cloud = get_driver("mock").connect(connection_info(connection=Connection.objects.get(pk=connection.pk)))
    assert cloud.vpc().list_vpcs() == [] and cloud.vm().list_vms() == []
    assert api.delete(f"/api/v1/connections/{connection.name}/").status_code == 204


def test_destroy_reports_what_remained_and_why(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    build_network(api, connection.name, with_vm=True)
    # A VM Spiderweb does not manage keeps the network busy at the cloud.
    Resource.objects.filter(connection=connection, name="vm-01").update(managed=False)
    body = post(api, connection.name, "destroy/").json()
    assert ("key_pair", "keypair-01") not in [(d["kind"], d["name"]) for d in body["deleted"]]
    remained = {(r["kind"], r["name"]): r["reason"] for r in body["remained"]}
    assert set(remained) == {("key_pair", "keypair-01"), ("security_group", "sg-01"), ("vpc", "vpc-01")}
    assert all("VM" in reason or "used" in reason.lower() for reason in remained.values()), remained
    assert api.get(url(connection.name, "vpcs/vpc-01/")).status_code == 200
