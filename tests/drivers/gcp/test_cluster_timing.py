"""GKE's minutes-long operations and its error bodies: the driver starts a slow change, answers the
cluster as it is (Creating, Updating, Deleting) and leaves the rest to the reads that follow; a
change GKE refuses while another runs is worth a retry (the fake: tests/drivers/gcp/fake/gke.py)."""

from __future__ import annotations

import pytest

from drivers.errors import InvalidStateError, NotFoundError, TransientError
from drivers.gcp import GCPConnection
from drivers.gcp.cluster import GCPClusterHandler
from drivers.types import IID, ClusterInfo, ClusterStatus, ResourceKind
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.fake.gke import POLLS, VERSIONS
from tests.drivers.gcp.test_cluster import cluster_request, group, handler, seeded_refs, stored

__all__ = ["seeded_refs"]  # the VPC, security group and key pair lookups stood in for, as in test_cluster


@pytest.fixture
def slow_gke(monkeypatch: pytest.MonkeyPatch) -> None:
    """GKE slower than any wait of the driver: neither its early wait nor its operation timeout is left."""
    monkeypatch.setattr("drivers.gcp.cluster.EARLY_WAIT", 0.0)
    monkeypatch.setattr("drivers.gcp._session.OPERATION_TIMEOUT", 0.0)


def follow(clusters: GCPClusterHandler, iid: IID, until: ClusterStatus) -> tuple[ClusterInfo, int]:
    """Read the cluster as the caller does until it reaches `until`; the info and how many reads it took."""
    for reads in range(1, 1000):
        info = clusters.get_cluster(iid=iid)
        if info.status == until:
            return info, reads
    raise AssertionError(f"the cluster never became {until}")


def test_a_slow_create_answers_creating_and_the_reads_see_it_finish(
    fake: FakeGCP, gcp: GCPConnection, slow_gke: None
) -> None:
    clusters = handler(gcp)
    created = clusters.create_cluster(req=cluster_request())
    assert created.status == ClusterStatus.CREATING and created.node_groups == ()
    active, reads = follow(clusters, created.iid, ClusterStatus.ACTIVE)
    # GKE's minutes: the cluster and then the removal of its placeholder pool take many reads.
    assert reads > POLLS["CREATE_CLUSTER"] // 2
    assert active.node_groups == () and active.endpoint.startswith("https://")
    assert stored(fake)["nodePools"] == []


def test_a_retried_create_meets_the_cluster_being_created(fake: FakeGCP, gcp: GCPConnection, slow_gke: None) -> None:
    clusters = handler(gcp)
    clusters.create_cluster(req=cluster_request(group("ng")))
    assert clusters.get_cluster(iid=IID(name_id="k8s-01")).status == ClusterStatus.CREATING
    active, _ = follow(clusters, IID(name_id="k8s-01"), ClusterStatus.ACTIVE)
    assert [ng.status for ng in active.node_groups] == [ClusterStatus.ACTIVE]


def test_a_slow_upgrade_answers_updating(fake: FakeGCP, gcp: GCPConnection, slow_gke: None) -> None:
    clusters = handler(gcp)
    cluster = clusters.create_cluster(req=cluster_request(group("ng"), version=VERSIONS[0]))
    follow(clusters, cluster.iid, ClusterStatus.ACTIVE)
    upgrading = clusters.upgrade_cluster(cluster_iid=cluster.iid, version=VERSIONS[2])
    assert upgrading.status == ClusterStatus.UPDATING and upgrading.version == VERSIONS[0]
    upgraded, reads = follow(clusters, cluster.iid, ClusterStatus.ACTIVE)
    assert upgraded.version == VERSIONS[2] and reads > POLLS["UPGRADE_MASTER"] // 2


def test_a_delete_during_another_change_is_retryable_and_one_already_deleting_is_in_progress(
    fake: FakeGCP, gcp: GCPConnection, slow_gke: None
) -> None:
    clusters = handler(gcp)
    cluster = clusters.create_cluster(req=cluster_request(group("ng")))
    with pytest.raises(TransientError) as busy:
        clusters.delete_cluster(iid=cluster.iid)
    assert "is currently creating cluster k8s-01" in busy.value.provider_message
    follow(clusters, cluster.iid, ClusterStatus.ACTIVE)
    clusters.delete_cluster(iid=cluster.iid)
    assert clusters.get_cluster(iid=cluster.iid).status == ClusterStatus.DELETING
    deletes = sum(call.startswith("DELETE") and call.endswith("/clusters/k8s-01") for call in fake.calls)
    clusters.delete_cluster(iid=cluster.iid)  # a retried delete: the one in progress
    assert sum(call.startswith("DELETE") and call.endswith("/clusters/k8s-01") for call in fake.calls) == deletes
    with pytest.raises(NotFoundError):
        follow(clusters, cluster.iid, ClusterStatus.INACTIVE)


def test_gke_error_bodies_carry_only_the_canonical_status(fake: FakeGCP, gcp: GCPConnection) -> None:
    handler(gcp).create_cluster(req=cluster_request(group("ng")))
    follow(handler(gcp), IID(name_id="k8s-01"), ClusterStatus.ACTIVE)
    # GKE's own answer to a stale label fingerprint, retried with the labels read afresh.
    fake.fail(
        ":setResourceLabels",
        status=400,
        reason="FAILED_PRECONDITION",
        message="Labels could not be set due to fingerprint mismatch.",
        canonical=True,
    )
    info = gcp.tag().add_tag(kind=ResourceKind.CLUSTER, iid=IID(name_id="k8s-01"), key="env", value="prod")
    assert info.tags == {"team": "platform", "env": "prod"}
    fake.fail(":updateMaster", status=409, reason="ABORTED", message="Concurrent update.", canonical=True)
    with pytest.raises(TransientError):
        handler(gcp).upgrade_cluster(cluster_iid=IID(name_id="k8s-01"), version=VERSIONS[2])
    fake.fail(
        ":updateMaster",
        status=400,
        reason="FAILED_PRECONDITION",
        message="Node pool requires recreation.",
        canonical=True,
    )
    with pytest.raises(InvalidStateError) as caught:
        handler(gcp).upgrade_cluster(cluster_iid=IID(name_id="k8s-01"), version=VERSIONS[2])
    assert "FAILED_PRECONDITION" in str(caught.value)
