"""Kubernetes clusters: create -> Active -> node groups -> scale -> upgrade -> delete, and the edge cases."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, NotFoundError
from drivers.types import IID, ClusterReqInfo, ClusterStatus, NodeGroupReqInfo
from tests.drivers.conformance.harness import Harness, Network, make_network


@pytest.fixture
def network(cloud: Harness) -> Network:
    cloud.require("cluster")
    return make_network(cloud, "k8s")


def _group(cloud: Harness, network: Network, name: str, **changes: object) -> NodeGroupReqInfo:
    req = NodeGroupReqInfo(
        name=name,
        spec_name=cloud.spec_name,
        key_pair_iid=IID(name_id=network.key.name_id),
        on_auto_scaling=True,
        desired_node_size=2,
        min_node_size=1,
        max_node_size=3,
    )
    return replace(req, **changes)  # type: ignore[arg-type]


def _cluster_req(cloud: Harness, network: Network, *groups: NodeGroupReqInfo, version: str = "") -> ClusterReqInfo:
    return ClusterReqInfo(
        name="k8s-01",
        vpc_iid=IID(name_id=network.vpc.name_id),
        version=version,
        subnet_iids=(IID(name_id=network.subnet.name_id),),
        security_group_iids=(IID(name_id=network.sg.name_id),),
        node_groups=groups,
        tags={"team": "platform"},
    )


def _active(cloud: Harness, cluster: IID) -> None:
    def settled() -> bool:
        info = cloud.conn.cluster().get_cluster(iid=cluster)
        statuses = {info.status, *(group.status for group in info.node_groups)}
        return statuses == {ClusterStatus.ACTIVE}

    cloud.wait_for(settled, f"cluster {cluster.name_id} and its node groups to be Active")


def test_cluster_lifecycle(cloud: Harness, network: Network) -> None:
    clusters = cloud.conn.cluster()
    first, upgraded = cloud.k8s_upgrade or ("", "")
    req = _cluster_req(cloud, network, _group(cloud, network, "ng-a"), _group(cloud, network, "ng-b"), version=first)
    created = clusters.create_cluster(req=req)
    assert created.iid.name_id == "k8s-01" and created.iid.system_id
    assert created.status in (ClusterStatus.CREATING, ClusterStatus.ACTIVE)
    assert created.vpc_iid == network.vpc and created.subnet_iids == (network.subnet,)
    assert created.security_group_iids == (network.sg,) and created.tags == {"team": "platform"}
    assert [group.iid.name_id for group in created.node_groups] == ["ng-a", "ng-b"]

    _active(cloud, created.iid)
    active = clusters.get_cluster(iid=IID(name_id="k8s-01"))
    assert active.version and active.endpoint and active.kubeconfig
    group = active.node_groups[0]
    assert (group.desired_node_size, group.min_node_size, group.max_node_size) == (2, 1, 3)
    assert group.key_pair_iid == network.key
    assert len(group.nodes) == 2 or not cloud.cluster_nodes_emulated
    assert created.iid in [cluster.iid for cluster in clusters.list_clusters()]

    added = clusters.add_node_group(cluster_iid=created.iid, req=_group(cloud, network, "ng-c", desired_node_size=1))
    assert added.iid.name_id == "ng-c"
    _active(cloud, created.iid)
    scaled = clusters.change_node_group_scaling(
        cluster_iid=created.iid, node_group_iid=added.iid, desired_node_size=3, min_node_size=2, max_node_size=5
    )
    assert (scaled.desired_node_size, scaled.min_node_size, scaled.max_node_size) == (3, 2, 5)
    _active(cloud, created.iid)
    off = clusters.set_node_group_autoscaling(cluster_iid=created.iid, node_group_iid=added.iid, on=False)
    assert off.on_auto_scaling is False
    _active(cloud, created.iid)
    clusters.remove_node_group(cluster_iid=created.iid, node_group_iid=IID(name_id="ng-b"))
    after = clusters.get_cluster(iid=created.iid)
    assert [group.iid.name_id for group in after.node_groups] == ["ng-a", "ng-c"]
    assert after.node_groups[1].on_auto_scaling is False
    assert len(after.node_groups[1].nodes) == 3 or not cloud.cluster_nodes_emulated

    if cloud.k8s_upgrade:
        assert clusters.upgrade_cluster(cluster_iid=created.iid, version=upgraded).version == upgraded
        _active(cloud, created.iid)
        assert clusters.get_cluster(iid=created.iid).version == upgraded

    clusters.delete_cluster(iid=created.iid)
    with pytest.raises(NotFoundError):
        clusters.get_cluster(iid=created.iid)


def test_what_a_cluster_uses_waits_for_it(cloud: Harness, network: Network) -> None:
    cluster = cloud.conn.cluster().create_cluster(req=_cluster_req(cloud, network, _group(cloud, network, "ng")))
    with pytest.raises(DependencyError):
        cloud.conn.security_group().delete_security_group(iid=network.sg)
    with pytest.raises(DependencyError):
        cloud.conn.key_pair().delete_key_pair(iid=network.key)
    with pytest.raises(DependencyError):
        cloud.conn.vpc().delete_vpc(iid=network.vpc)
    cloud.conn.cluster().delete_cluster(iid=cluster.iid)
    cloud.eventually(lambda: cloud.conn.security_group().delete_security_group(iid=network.sg))
    cloud.eventually(lambda: cloud.conn.key_pair().delete_key_pair(iid=network.key))
    cloud.eventually(lambda: cloud.conn.vpc().delete_vpc(iid=network.vpc))


def test_node_group_sizes_must_be_ordered(cloud: Harness, network: Network) -> None:
    bad = _group(cloud, network, "ng", desired_node_size=5, min_node_size=1, max_node_size=3)
    with pytest.raises(InvalidRequestError):
        cloud.conn.cluster().create_cluster(req=_cluster_req(cloud, network, bad))
    assert cloud.conn.cluster().list_clusters() == []


def test_creating_an_existing_cluster_name_is_refused(cloud: Harness, network: Network) -> None:
    cloud.conn.cluster().create_cluster(req=_cluster_req(cloud, network))
    with pytest.raises(AlreadyExistsError):
        cloud.conn.cluster().create_cluster(req=_cluster_req(cloud, network))
    assert len(cloud.conn.cluster().list_clusters()) == 1


def test_missing_cluster_is_not_found(cloud: Harness, network: Network) -> None:
    clusters, missing = cloud.conn.cluster(), IID(name_id="no-such-cluster")
    with pytest.raises(NotFoundError):
        clusters.get_cluster(iid=missing)
    with pytest.raises(NotFoundError):
        clusters.add_node_group(cluster_iid=missing, req=_group(cloud, network, "ng"))
    with pytest.raises(NotFoundError):
        clusters.upgrade_cluster(cluster_iid=missing, version=(cloud.k8s_upgrade or ("", "1.0"))[1])
    with pytest.raises(NotFoundError):
        clusters.create_cluster(req=replace(_cluster_req(cloud, network), vpc_iid=IID(name_id="no-such-vpc")))


def test_cluster_and_node_group_deletes_are_idempotent(cloud: Harness, network: Network) -> None:
    clusters = cloud.conn.cluster()
    created = clusters.create_cluster(req=_cluster_req(cloud, network, _group(cloud, network, "ng")))
    _active(cloud, created.iid)
    clusters.remove_node_group(cluster_iid=created.iid, node_group_iid=IID(name_id="ng"))
    assert clusters.remove_node_group(cluster_iid=created.iid, node_group_iid=IID(name_id="ng")) is None
    clusters.delete_cluster(iid=created.iid)
    assert clusters.delete_cluster(iid=created.iid) is None
    assert clusters.delete_cluster(iid=IID(name_id="never-existed")) is None
    assert clusters.remove_node_group(cluster_iid=created.iid, node_group_iid=IID(name_id="ng")) is None
