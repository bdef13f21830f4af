"""List pages are spliced from cached item answers: they must never show a stale answer."""

from __future__ import annotations

import pytest

from connections.models import Connection
from connections.services import connection_info, connection_update
from drivers.registry import get_driver
from drivers.types import IID
from resources.models import Resource
from resources.selectors import present
from tests.factories import make_connection
from tests.resources.helpers import SG_BODY, build_network, delete, post, url

pytestmark = pytest.mark.django_db(transaction=True)


def listed(api, conn: str, kind: str) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    response = api.get(url(conn, f"{kind}/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return {item["name"]: item for item in response.json()["results"]}


def test_list_items_are_the_same_answers_as_fresh_rendering(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    build_network(api, connection.name, with_vm=True)
    for kind, segment in (
        ("vpc", "vpcs"),
        ("security_group", "security-groups"),
        ("key_pair", "key-pairs"),
        ("vm", "vms"),
    ):
        items = listed(api, connection.name, segment)
        for record in Resource.objects.filter(connection=connection, kind=kind):
            assert items[record.name] == present(record, connection=connection), (kind, record.name)


def test_changes_show_in_the_next_list(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    build_network(api, connection.name, with_vm=True)
    listed(api, connection.name, "vpcs")  # warm the cached answers
    listed(api, connection.name, "vms")

    post(api, connection.name, "vpcs/vpc-01/subnets/", {"name": "subnet-03", "ipv4_cidr": "192.168.3.0/24"})
    assert [s["name"] for s in listed(api, connection.name, "vpcs")["vpc-01"]["subnets"]] == [
        "subnet-01",
        "subnet-02",
        "subnet-03",
    ]

    delete(api, connection.name, "vpcs/vpc-01/subnets/subnet-03/")
    assert len(listed(api, connection.name, "vpcs")["vpc-01"]["subnets"]) == 2

    Resource.objects.filter(connection=connection, name="vm-01").update(status="Suspended")  # a bulk change
    assert listed(api, connection.name, "vms")["vm-01"]["status"] == "Suspended"

    renamed = connection_update(connection=Connection.objects.get(pk=connection.pk), name="renamed-conn")
    assert listed(api, renamed.name, "vms")["vm-01"]["connection"] == "renamed-conn"


def test_an_object_gone_at_the_cloud_shows_in_the_list_after_a_refresh(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    post(api, connection.name, "vpcs/", {"name": "vpc-01", "ipv4_cidr": "10.0.0.0/16"})
    post(api, connection.name, "security-groups/", {**SG_BODY, "rules": []})
    assert listed(api, connection.name, "security-groups")["sg-01"]["missing_since"] is None
    record = Resource.objects.get(connection=connection, name="sg-01")
    cloud = get_driver("mock").connect(connection_info(connection=Connection.objects.get(pk=connection.pk)))
    cloud.security_group().delete_security_group(iid=IID(name_id="", system_id=record.system_id))
    refreshed = api.get(url(connection.name, "security-groups/?refresh=true")).json()["results"][0]
    assert refreshed["status"] == "NotExist" and refreshed["missing_since"]


def test_an_empty_list_of_an_unknown_connection_is_404(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get(url("no-such-connection", "vms/"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
