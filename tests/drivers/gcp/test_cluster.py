"""GKE clusters and node pools, against the fake GKE API (the VPC, security group and key pair
lookups of the other families are stood in for, as their resources are not what is tested here)."""

from __future__ import annotations

from typing import Any

import pytest

from drivers.errors import (
    AlreadyExistsError,
    AuthError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
    ProviderError,
    QuotaError,
    TransientError,
)
from drivers.gcp import GCPConnection
from drivers.gcp._lro import rpc_error
from drivers.gcp.cluster import GCPClusterHandler, clusters_using_key
from drivers.types import IID, ClusterReqInfo, ClusterStatus, NodeGroupReqInfo
from tests.drivers.gcp.fake import ApiError, FakeGCP
from tests.drivers.gcp.fake.gke import CLUSTERS, VERSIONS
from tests.drivers.gcp.support import PROJECT

VPC = IID(name_id="net-1", system_id="1001")
SUBNET = IID(name_id="net-1-sn", system_id="1002")
SG = IID(name_id="sg-1", system_id="1003")
KEY = IID(name_id="key-1", system_id="key-1")
PUBLIC_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 key-1"


class SeededRefs:
    def __init__(self, clients: Any) -> None:
        del clients

    def vpc(self, iid: IID, subnets: tuple[IID, ...]) -> tuple[IID, tuple[IID, ...]]:
        if iid.name_id not in ("net-1", "") and iid.system_id != VPC.system_id:
            raise NotFoundError(f"VPC '{iid.name_id}' does not exist.", field="vpc_iid")
        return VPC, tuple(SUBNET for _ in subnets)

    def security_group(self, iid: IID) -> IID:
        return SG

    def key_pair(self, iid: IID) -> tuple[IID, str]:
        return KEY, PUBLIC_KEY


@pytest.fixture(autouse=True)
def seeded_refs(monkeypatch: pytest.MonkeyPatch, fake: FakeGCP) -> None:
    monkeypatch.setattr("drivers.gcp.cluster.Refs", SeededRefs)
    # The network itself, for the firewall a cluster with security groups gives its nodes.
    fake.collection(PROJECT, "global/networks")["net-1"] = {
        "kind": "compute#network",
        "id": VPC.system_id,
        "name": "net-1",
        "selfLink": fake.link(PROJECT, "global/networks/net-1"),
    }


def handler(gcp: GCPConnection) -> GCPClusterHandler:
    # Not offered by the driver until the VPC, security group and key pair families are.
    return GCPClusterHandler(gcp._clients)


def group(name: str, **changes: Any) -> NodeGroupReqInfo:
    values: dict[str, Any] = {
        "name": name,
        "spec_name": "e2-standard-2",
        "key_pair_iid": KEY,
        "desired_node_size": 2,
        "min_node_size": 1,
        "max_node_size": 3,
        **changes,
    }
    return NodeGroupReqInfo(**values)


def cluster_request(*groups: NodeGroupReqInfo, version: str = "") -> ClusterReqInfo:
    return ClusterReqInfo(
        name="k8s-01",
        vpc_iid=VPC,
        version=version,
        subnet_iids=(SUBNET,),
        security_group_iids=(SG,),
        node_groups=groups,
        tags={"team": "platform"},
    )


def stored(fake: FakeGCP) -> dict[str, Any]:
    return fake.collection(PROJECT, CLUSTERS)["us-central1-a/k8s-01"]


def test_create_sends_a_zonal_cluster_with_its_node_pools(fake: FakeGCP, gcp: GCPConnection) -> None:
    created = handler(gcp).create_cluster(req=cluster_request(group("ng-a"), version=VERSIONS[0]))
    assert created.status in (ClusterStatus.CREATING, ClusterStatus.ACTIVE)
    assert created.vpc_iid == VPC and created.subnet_iids == (SUBNET,) and created.security_group_iids == (SG,)
    assert created.tags == {"team": "platform"} and created.iid.system_id
    body = stored(fake)
    assert (body["network"], body["subnetwork"], body["initialClusterVersion"]) == ("net-1", "net-1-sn", VERSIONS[0])
    pool = body["nodePools"][0]
    assert pool["config"]["metadata"]["ssh-keys"] == f"cb-user:{PUBLIC_KEY} cb-user"
    # The group's tag, and the one its nodes get out with through the group's deny-all egress.
    assert pool["config"]["tags"] == ["sg-1", "sw-k8s-01-nodes"] and pool["config"]["machineType"] == "e2-standard-2"
    assert pool["autoscaling"] == {"enabled": True, "minNodeCount": 1, "maxNodeCount": 3}
    active = handler(gcp).get_cluster(iid=IID(name_id="k8s-01"))
    assert active.status == ClusterStatus.ACTIVE and active.endpoint.startswith("https://")
    assert "gke-gcloud-auth-plugin" in active.kubeconfig and active.version == VERSIONS[0]
    ng = active.node_groups[0]
    assert (ng.key_pair_iid, ng.desired_node_size, ng.min_node_size, ng.max_node_size) == (KEY, 2, 1, 3)


def test_node_group_changes_follow_their_operations(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.polls_until_done = 2
    clusters = handler(gcp)
    cluster = clusters.create_cluster(req=cluster_request(group("ng-a")))
    added = clusters.add_node_group(cluster_iid=cluster.iid, req=group("ng-c", desired_node_size=1))
    assert added.status == ClusterStatus.ACTIVE
    scaled = clusters.change_node_group_scaling(
        cluster_iid=cluster.iid, node_group_iid=added.iid, desired_node_size=3, min_node_size=2, max_node_size=5
    )
    assert (scaled.desired_node_size, scaled.min_node_size, scaled.max_node_size) == (3, 2, 5)
    off = clusters.set_node_group_autoscaling(cluster_iid=cluster.iid, node_group_iid=added.iid, on=False)
    assert off.on_auto_scaling is False and off.desired_node_size == 3
    clusters.remove_node_group(cluster_iid=cluster.iid, node_group_iid=IID(name_id="ng-a"))
    assert [ng.iid.name_id for ng in clusters.get_cluster(iid=cluster.iid).node_groups] == ["ng-c"]
    clusters.remove_node_group(cluster_iid=cluster.iid, node_group_iid=IID(name_id="ng-a"))  # idempotent
    upgraded = clusters.upgrade_cluster(cluster_iid=cluster.iid, version=VERSIONS[2])
    assert upgraded.version == VERSIONS[2]
    polls = [call for call in fake.calls if "/operations/" in call]
    assert len(polls) >= 2 * 6
    clusters.delete_cluster(iid=cluster.iid)
    with pytest.raises(NotFoundError):
        clusters.get_cluster(iid=cluster.iid)
    clusters.delete_cluster(iid=cluster.iid)  # idempotent


def test_a_cluster_without_node_groups_loses_its_placeholder_pool(fake: FakeGCP, gcp: GCPConnection) -> None:
    created = handler(gcp).create_cluster(req=cluster_request())
    assert created.node_groups == () and created.status == ClusterStatus.CREATING
    assert [pool["name"] for pool in stored(fake)["nodePools"]] == ["spiderweb-placeholder"]
    for _ in range(200):
        info = handler(gcp).get_cluster(iid=created.iid)
        if info.status == ClusterStatus.ACTIVE:
            break
    assert info.status == ClusterStatus.ACTIVE and info.node_groups == ()
    assert stored(fake)["nodePools"] == []
    assert sum("nodePools/spiderweb-placeholder" in call and call.startswith("DELETE") for call in fake.calls) == 1


def test_bad_requests_are_refused_before_anything_is_made(fake: FakeGCP, gcp: GCPConnection) -> None:
    with pytest.raises(InvalidRequestError):
        handler(gcp).create_cluster(req=cluster_request(group("ng", desired_node_size=5)))
    with pytest.raises(InvalidRequestError) as caught:
        handler(gcp).create_cluster(req=cluster_request(group("Bad_Name")))
    assert caught.value.field == "node_groups"
    with pytest.raises(InvalidRequestError):
        handler(gcp).create_cluster(req=cluster_request(version="1.2.3"))
    assert handler(gcp).list_clusters() == []


def test_an_existing_name_and_missing_clusters(fake: FakeGCP, gcp: GCPConnection) -> None:
    handler(gcp).create_cluster(req=cluster_request(group("ng")))
    with pytest.raises(AlreadyExistsError):
        handler(gcp).create_cluster(req=cluster_request(group("ng")))
    missing = IID(name_id="no-such-cluster")
    with pytest.raises(NotFoundError):
        handler(gcp).upgrade_cluster(cluster_iid=missing, version=VERSIONS[2])
    with pytest.raises(NotFoundError):
        handler(gcp).add_node_group(cluster_iid=missing, req=group("ng"))
    with pytest.raises(NotFoundError):
        handler(gcp).create_cluster(req=ClusterReqInfo(name="other", vpc_iid=IID(name_id="no-such-vpc")))


def test_a_change_while_another_runs_is_retried_later(fake: FakeGCP, gcp: GCPConnection) -> None:
    cluster = handler(gcp).create_cluster(req=cluster_request(group("ng")))
    stored(fake)["_running"] = ("operation-elsewhere", "UPGRADE_MASTER")
    with pytest.raises(TransientError) as caught:
        handler(gcp).upgrade_cluster(cluster_iid=cluster.iid, version=VERSIONS[2])
    assert "is currently upgrading cluster k8s-01" in caught.value.provider_message


def test_clusters_of_other_regions_are_not_listed(fake: FakeGCP, gcp: GCPConnection) -> None:
    handler(gcp).create_cluster(req=cluster_request(group("ng")))
    far = dict(stored(fake), name="far", location="europe-west1-b")
    fake.collection(PROJECT, CLUSTERS)["europe-west1-b/far"] = far
    assert [c.iid.name_id for c in handler(gcp).list_clusters()] == ["k8s-01"]


def test_the_clusters_using_a_key_pair_are_found(gcp: GCPConnection) -> None:
    handler(gcp).create_cluster(req=cluster_request(group("ng")))
    assert clusters_using_key(gcp._clients, IID(name_id="", system_id=KEY.system_id)) == ["k8s-01"]
    assert clusters_using_key(gcp._clients, IID(name_id="other-key")) == []


def test_node_groups_list_their_node_vms(fake: FakeGCP, gcp: GCPConnection) -> None:
    clusters = handler(gcp)
    cluster = clusters.create_cluster(req=cluster_request(group("ng-a")))
    nodes = clusters.get_cluster(iid=cluster.iid).node_groups[0].nodes
    assert len(nodes) == 2 and all(node.name_id.startswith("gke-k8s-01-ng-a-") for node in nodes)
    instance = fake.collection(PROJECT, "zones/us-central1-a/instances")[nodes[0].name_id]
    assert instance["tags"]["items"] == ["sg-1", "sw-k8s-01-nodes"] and instance["id"] == nodes[0].system_id
    scaled = clusters.change_node_group_scaling(
        cluster_iid=cluster.iid,
        node_group_iid=IID(name_id="ng-a"),
        desired_node_size=3,
        min_node_size=1,
        max_node_size=3,
    )
    assert len(scaled.nodes) == 3
    clusters.delete_cluster(iid=cluster.iid)
    assert fake.collection(PROJECT, "zones/us-central1-a/instances") == {}


def test_a_failed_create_operation_is_its_driver_error(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.catalogue["gke_create_error"] = ApiError(
        429, "Insufficient regional quota to satisfy request: CPUS", "quotaExceeded"
    )
    with pytest.raises(QuotaError) as caught:
        handler(gcp).create_cluster(req=cluster_request(group("ng")))
    assert "CPUS" in caught.value.provider_message
    assert handler(gcp).get_cluster(iid=IID(name_id="k8s-01")).status == ClusterStatus.INACTIVE


@pytest.mark.parametrize(
    ("code", "message", "error"),
    [
        (8, "There is no more capacity in the zone", ProviderError),
        (8, "Quota limit exceeded", QuotaError),
        (6, "Already exists", AlreadyExistsError),
        (5, "Not found", NotFoundError),
        (9, "Cluster is not ready", InvalidStateError),
        (7, "Permission denied", AuthError),
        (3, "Invalid machine type", InvalidRequestError),
    ],
)
def test_operation_status_codes_are_mapped(code: int, message: str, error: type[Exception]) -> None:
    assert type(rpc_error(code, message, what="creating")) is error
