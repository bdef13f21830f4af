"""Tags and VM metrics through the API."""

from __future__ import annotations

import pytest

from tests.factories import make_connection
from tests.resources.helpers import build_network, delete, error_of, post, url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conn(api, mock_tenant) -> str:  # type: ignore[no-untyped-def]
    name = make_connection(tenant=mock_tenant).name
    build_network(api, name, with_vm=True)
    return name


def test_tags_add_list_get_remove_and_search(api, conn) -> None:  # type: ignore[no-untyped-def]
    added = post(api, conn, "vms/vm-01/tags/", {"key": "team", "value": "web"})
    assert added.status_code == 200, added.json()
    assert added.json()["tags"]["team"] == "web"
    post(api, conn, "vpcs/vpc-01/tags/", {"key": "env", "value": "web-prod"})
    assert api.get(url(conn, "vms/vm-01/tags/")).json()["tags"] == {"team": "web"}
    assert api.get(url(conn, "vms/vm-01/tags/team/")).json() == {"key": "team", "value": "web"}
    missing = api.get(url(conn, "vms/vm-01/tags/nope/"))
    assert missing.status_code == 404 and error_of(missing)["field"] == "key"
    found = api.get(url(conn, "tags/?keyword=web")).json()
    assert sorted((item["kind"], item["name"]) for item in found) == [("vm", "vm-01"), ("vpc", "vpc-01")]
    assert api.get(url(conn, "vms/vm-01/")).json()["tags"] == {"team": "web"}
    removed = delete(api, conn, "vms/vm-01/tags/team/")
    assert removed.status_code == 200 and removed.json()["tags"] == {}


def test_a_kind_the_driver_cannot_tag_is_501(api, mock_tenant, test_drivers) -> None:  # type: ignore[no-untyped-def]
    name = make_connection(tenant=mock_tenant, provider="limited").name
    post(api, name, "vpcs/", {"name": "vpc-01", "ipv4_cidr": "10.0.0.0/16"})
    response = post(api, name, "vpcs/vpc-01/tags/", {"key": "a", "value": "b"})
    assert response.status_code == 501
    assert error_of(response)["code"] == "not_supported"


def test_vm_metrics_are_a_time_series(api, conn) -> None:  # type: ignore[no-untyped-def]
    response = api.get(url(conn, "vms/vm-01/metrics/?metric=cpu_usage&interval=5&period=2"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["name"], body["metric"], body["interval_minutes"], body["period_hours"]) == (
        "vm-01",
        "cpu_usage",
        5,
        2,
    )
    assert len(body["points"]) >= 20
    assert all(0 <= point["value"] <= 100 for point in body["points"])
    bad = api.get(url(conn, "vms/vm-01/metrics/?metric=happiness"))
    assert bad.status_code == 400 and error_of(bad)["field"] == "metric"


def test_subnets_take_tags_under_their_vpc(api, conn) -> None:  # type: ignore[no-untyped-def]
    added = post(api, conn, "vpcs/vpc-01/subnets/subnet-01/tags/", {"key": "tier", "value": "app"})
    assert added.status_code == 200, added.json()
    assert (added.json()["kind"], added.json()["name"], added.json()["tags"]) == (
        "subnet",
        "subnet-01",
        {"tier": "app"},
    )
    assert api.get(url(conn, "vpcs/vpc-01/subnets/subnet-01/tags/tier/")).json() == {"key": "tier", "value": "app"}
    assert delete(api, conn, "vpcs/vpc-01/subnets/subnet-01/tags/tier/").json()["tags"] == {}
