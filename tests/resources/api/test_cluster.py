"""Managed Kubernetes clusters through the API: create → scale → upgrade → delete."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers import registry
from resources.models import Kind, Operation, Resource
from tests.factories import make_connection
from tests.resources.flow import finish
from tests.resources.helpers import build_network, delete, error_of, post, url

pytestmark = pytest.mark.django_db(transaction=True)

GROUP = {
    "name": "workers",
    "spec": "mock-vmspec-01",
    "key_pair": "keypair-01",
    "on_auto_scaling": True,
    "min_node_size": 1,
    "desired_node_size": 2,
    "max_node_size": 4,
}
CLUSTER = {
    "name": "cluster-01",
    "vpc": "vpc-01",
    "version": "1.30",
    "subnets": ["subnet-01", "subnet-02"],
    "security_groups": ["sg-01"],
    "node_groups": [GROUP, {**GROUP, "name": "batch", "on_auto_scaling": False, "desired_node_size": 1}],
}


@pytest.fixture
def quick_clusters(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Clusters settle in half a second here instead of the mock's default five."""
    mock = settings.SPIDERWEB_DRIVER_OPTIONS["mock"]
    registry.configure({**settings.SPIDERWEB_DRIVER_OPTIONS, "mock": {**mock, "cluster_settle_seconds": 0.5}})
    yield
    registry.configure(settings.SPIDERWEB_DRIVER_OPTIONS)


@pytest.fixture
def conn(api, mock_tenant, quick_clusters) -> str:  # type: ignore[no-untyped-def]
    name = make_connection(tenant=mock_tenant).name
    build_network(api, name)
    return name


def test_cluster_with_two_node_groups_create_scale_upgrade_delete(api, conn) -> None:  # type: ignore[no-untyped-def]
    created = post(api, conn, "clusters/", CLUSTER)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "Active" and body["version"] == "1.30"  # the operation waited for it
    assert body["vpc"] == "vpc-01" and body["subnets"] == ["subnet-01", "subnet-02"]
    assert sorted(group["name"] for group in body["node_groups"]) == ["batch", "workers"]

    sized = api.put(
        url(conn, "clusters/cluster-01/node-groups/workers/size/"),
        {"min_node_size": 2, "desired_node_size": 3, "max_node_size": 5},
        format="json",
    )
    assert sized.status_code == 200, sized.json()
    workers = next(g for g in sized.json()["node_groups"] if g["name"] == "workers")
    assert (workers["min_node_size"], workers["desired_node_size"], workers["max_node_size"]) == (2, 3, 5)

    toggled = api.put(url(conn, "clusters/cluster-01/node-groups/batch/autoscaling/"), {"on": True}, format="json")
    assert next(g for g in toggled.json()["node_groups"] if g["name"] == "batch")["on_auto_scaling"] is True

    added = post(api, conn, "clusters/cluster-01/node-groups/", {**GROUP, "name": "gpu"})
    assert added.status_code == 200 and len(added.json()["node_groups"]) == 3
    removed = delete(api, conn, "clusters/cluster-01/node-groups/gpu/")
    assert removed.status_code == 200 and len(removed.json()["node_groups"]) == 2

    upgraded = api.put(url(conn, "clusters/cluster-01/upgrade/"), {"version": "1.31"}, format="json")
    assert upgraded.status_code == 200, upgraded.json()
    assert (upgraded.json()["version"], upgraded.json()["status"]) == ("1.31", "Active")

    kubeconfig = api.get(url(conn, "clusters/cluster-01/kubeconfig/")).json()
    assert "apiVersion" in kubeconfig["kubeconfig"] and kubeconfig["endpoint"]
    assert "kubeconfig" not in api.get(url(conn, "clusters/cluster-01/")).json()

    busy = delete(api, conn, "vpcs/vpc-01/")
    assert busy.status_code == 409
    assert delete(api, conn, "clusters/cluster-01/").json()["deleted"] is True
    assert not Resource.objects.filter(kind=Kind.CLUSTER).exists()


def test_the_create_operation_shows_creating_until_active(api, conn) -> None:  # type: ignore[no-untyped-def]
    accepted = post(api, conn, "clusters/", CLUSTER, wait=False)
    assert accepted.status_code == 202
    operation = finish(api, accepted)
    assert operation["state"] == "succeeded" and operation["result"]["status"] == "Active"
    assert Operation.objects.get(pk=operation["id"]).duration_ms >= 400  # it ran until the cluster settled


def test_bad_cluster_requests_name_the_field(api, conn) -> None:  # type: ignore[no-untyped-def]
    bad_sizes = {**CLUSTER, "node_groups": [{**GROUP, "min_node_size": 3, "desired_node_size": 2}]}
    response = post(api, conn, "clusters/", bad_sizes)
    assert response.status_code == 400 and error_of(response)["field"] == "node_groups[0].desired_node_size"
    unknown_key = post(api, conn, "clusters/", {**CLUSTER, "node_groups": [{**GROUP, "key_pair": "nope"}]})
    assert unknown_key.status_code == 404 and error_of(unknown_key)["field"] == "node_groups[0].key_pair"
    downgrade_target = post(api, conn, "clusters/", {**CLUSTER, "version": "1.01"})
    assert downgrade_target.status_code == 400 and error_of(downgrade_target)["field"] == "version"
    assert not Resource.objects.filter(kind=Kind.CLUSTER).exists()


def test_waiting_for_a_cluster_ends_when_a_node_group_has_failed() -> None:
    from drivers.types import IID, ClusterInfo, ClusterStatus, NodeGroupInfo
    from resources.services.cluster import _settled

    def cluster(*statuses: ClusterStatus) -> ClusterInfo:
        groups = tuple(
            NodeGroupInfo(iid=IID(name_id=f"ng-{i}"), spec_name="s", key_pair_iid=IID(name_id="k"), status=status)
            for i, status in enumerate(statuses)
        )
        return ClusterInfo(
            iid=IID(name_id="c"), vpc_iid=IID(name_id="v"), status=ClusterStatus.ACTIVE, node_groups=groups
        )

    assert _settled(cluster(ClusterStatus.ACTIVE, ClusterStatus.ACTIVE))
    assert not _settled(cluster(ClusterStatus.ACTIVE, ClusterStatus.CREATING))
    # A failed node group (EKS CREATE_FAILED, DEGRADED) will not become Active by waiting an hour.
    assert _settled(cluster(ClusterStatus.CREATING, ClusterStatus.INACTIVE))
