"""Every extended family answers list and get like the rest, and the cross-cutting rules hold for them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from drivers import registry
from resources.models import Resource
from tests.factories import make_connection
from tests.resources.helpers import VM_BODY, VPC_BODY, build_network, error_of, post, settle, url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quick_clusters(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    mock = settings.SPIDERWEB_DRIVER_OPTIONS["mock"]
    registry.configure({**settings.SPIDERWEB_DRIVER_OPTIONS, "mock": {**mock, "cluster_settle_seconds": 0.3}})
    yield
    registry.configure(settings.SPIDERWEB_DRIVER_OPTIONS)


@pytest.fixture
def everything(api, mock_tenant, quick_clusters) -> str:  # type: ignore[no-untyped-def]
    """A connection with one resource of every kind, each created through the API."""
    conn = make_connection(tenant=mock_tenant).name
    build_network(api, conn, with_vm=True)
    settle()
    for path, body in (
        ("disks/", {"name": "disk-01", "size_gb": 20}),
        ("my-images/", {"name": "image-01", "source_vm": "vm-01"}),
        (
            "nlbs/",
            {
                "name": "nlb-01",
                "vpc": "vpc-01",
                "listener": {"protocol": "TCP", "port": 80},
                "vm_group": {"protocol": "TCP", "port": 80, "vms": ["vm-01"]},
                "health_checker": {"protocol": "TCP", "port": 80},
            },
        ),
        (
            "clusters/",
            {
                "name": "cluster-01",
                "vpc": "vpc-01",
                "subnets": ["subnet-01"],
                "node_groups": [{"name": "ng", "spec": "mock-vmspec-01", "key_pair": "keypair-01"}],
            },
        ),
    ):
        response = post(api, conn, path, body)
        assert response.status_code == 201, (path, response.json())
    return conn


@pytest.mark.parametrize(
    ("segment", "name"),
    [("disks", "disk-01"), ("my-images", "image-01"), ("nlbs", "nlb-01"), ("clusters", "cluster-01")],
)
def test_list_and_get(api, everything, segment, name) -> None:  # type: ignore[no-untyped-def]
    listed = api.get(url(everything, f"{segment}/")).json()
    assert [item["name"] for item in listed["results"]] == [name]
    got = api.get(url(everything, f"{segment}/{name}/"))
    assert got.status_code == 200 and got.json()["system_id"] == listed["results"][0]["system_id"]
    assert api.get(url(everything, f"{segment}/nope/")).status_code == 404
    tagged = post(api, everything, f"{segment}/{name}/tags/", {"key": "owner", "value": "ops"})
    assert tagged.status_code == 200 and tagged.json()["tags"] == {"owner": "ops"}


def test_destroy_takes_every_kind_in_dependency_order(api, everything) -> None:  # type: ignore[no-untyped-def]
    body = post(api, everything, "destroy/").json()
    order = [item["kind"] for item in body["deleted"]]
    assert body["remained"] == []
    assert set(order) == {"cluster", "my_image", "nlb", "vm", "disk", "key_pair", "security_group", "vpc"}
    for first, later in (
        ("cluster", "vm"),
        ("nlb", "vm"),
        ("my_image", "vm"),
        ("vm", "disk"),
        ("vm", "key_pair"),
        ("security_group", "vpc"),
        ("disk", "vpc"),
    ):
        assert order.index(first) < order.index(later), (first, later, order)
    assert not Resource.objects.filter(connection__name=everything).exists()


def test_anycall_simulated_accelerator(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant).name
    created = post(
        api, conn, "anycall/", {"fid": "createTPU", "params": {"name": "tpu-01", "acceleratorType": "v5litepod-4"}}
    )
    assert created.status_code == 200, created.json()
    listed = post(api, conn, "anycall/", {"fid": "listTPU"}).json()["result"]
    assert listed["count"] == "1" and json.loads(listed["tpus"])[0]["name"] == "tpu-01"
    assert (
        post(api, conn, "anycall/", {"fid": "deleteTPU", "params": {"name": "tpu-01"}}).json()["result"]["existed"]
        == "true"
    )
    assert post(api, conn, "anycall/", {"fid": "listTPU"}).json()["result"]["count"] == "0"


def test_a_metric_the_driver_cannot_read_is_501(api, mock_tenant, test_drivers) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant, provider="limited").name
    post(api, conn, "vpcs/", VPC_BODY)
    post(api, conn, "security-groups/", {"name": "sg-01", "vpc": "vpc-01", "rules": []})
    windows = {**VM_BODY, "image": "mock-vmimage-04", "key_pair": "", "vm_user_password": "a-long-password-1"}
    assert post(api, conn, "vms/", windows).status_code == 201
    assert api.get(url(conn, "vms/vm-01/metrics/?metric=cpu_usage")).status_code == 200
    response = api.get(url(conn, "vms/vm-01/metrics/?metric=memory_usage"))
    assert response.status_code == 501
    assert "agent" in error_of(response)["message"]
