"""ACK managed clusters and node pools against the fake Container Service."""

from __future__ import annotations

import time

import pytest

from drivers.alibaba import AlibabaConnection
from drivers.errors import DependencyError, InvalidRequestError
from drivers.types import IID, ClusterReqInfo, ClusterStatus, NodeGroupReqInfo, ResourceKind
from tests.drivers.alibaba.fake import FakeAlibaba
from tests.drivers.alibaba.test_vm import _req


def _cluster(ali: AlibabaConnection) -> IID:
    _req(ali)  # the network, security group and key pair
    pool = NodeGroupReqInfo(
        name="pool",
        spec_name="ecs.g7.large",
        key_pair_iid=IID(name_id="key"),
        on_auto_scaling=False,
        desired_node_size=2,
        min_node_size=2,
        max_node_size=2,
    )
    req = ClusterReqInfo(
        name="k8s",
        vpc_iid=IID(name_id="net"),
        version="1.30.7-aliyun.1",
        security_group_iids=(IID(name_id="sg"),),
        node_groups=(pool,),
        tags={"team": "infra"},
    )
    created = ali.cluster().create_cluster(req=req)
    assert created.status == ClusterStatus.CREATING and created.kubeconfig == ""
    deadline = time.monotonic() + 5
    while {g.status for g in ali.cluster().get_cluster(iid=created.iid).node_groups} | {
        ali.cluster().get_cluster(iid=created.iid).status
    } != {ClusterStatus.ACTIVE}:
        assert time.monotonic() < deadline
    return created.iid


def test_a_cluster_is_a_managed_ack_cluster_whose_nodes_are_ecs_instances(
    ali: AlibabaConnection, fake: FakeAlibaba
) -> None:
    iid = _cluster(ali)
    kept = fake.table("clusters")[iid.system_id]
    assert (kept["cluster_type"], kept["cluster_spec"]) == ("ManagedKubernetes", "ack.pro.small")
    fake.page_limit = 1  # nodes and clusters are paged through
    cluster = ali.cluster().get_cluster(iid=iid)
    assert [c.iid for c in ali.cluster().list_clusters()] == [iid]
    assert cluster.endpoint.startswith("https://47.96.200.") and "server: https://" in cluster.kubeconfig
    assert cluster.subnet_iids[0].name_id == "sn" and cluster.tags == {"team": "infra"}
    nodes = cluster.node_groups[0].nodes
    assert len(nodes) == 2
    instances = [fake.table("instances")[node.system_id] for node in nodes]
    assert {i["KeyPairName"] for i in instances} == {"key"} and {i["InstanceType"] for i in instances} == {
        "ecs.g7.large"
    }
    with pytest.raises(DependencyError):
        ali.key_pair().delete_key_pair(iid=IID(name_id="key"))


def test_scaling_down_releases_nodes_and_autoscaling_keeps_its_bounds(
    ali: AlibabaConnection, fake: FakeAlibaba
) -> None:
    iid = _cluster(ali)
    pool = IID(name_id="pool")
    group = ali.cluster().change_node_group_scaling(
        cluster_iid=iid, node_group_iid=pool, desired_node_size=1, min_node_size=1, max_node_size=4
    )
    assert group.desired_node_size == 1 and group.status == ClusterStatus.UPDATING
    deadline = time.monotonic() + 5
    while len(ali.cluster().get_cluster(iid=iid).node_groups[0].nodes) != 1:
        assert time.monotonic() < deadline
    on = ali.cluster().set_node_group_autoscaling(cluster_iid=iid, node_group_iid=pool, on=True)
    assert on.on_auto_scaling and (on.min_node_size, on.max_node_size) == (1, 4)
    with pytest.raises(InvalidRequestError):
        ali.cluster().change_node_group_scaling(
            cluster_iid=iid, node_group_iid=pool, desired_node_size=9, min_node_size=1, max_node_size=4
        )


def test_an_upgrade_skips_no_minor_version(ali: AlibabaConnection) -> None:
    iid = _cluster(ali)
    with pytest.raises(InvalidRequestError) as caught:
        ali.cluster().upgrade_cluster(cluster_iid=iid, version="1.32.1-aliyun.1")
    assert caught.value.provider_message.startswith("ErrorUpgradeVersion")
    upgraded = ali.cluster().upgrade_cluster(cluster_iid=iid, version="1.31.1-aliyun.1")
    assert upgraded.status == ClusterStatus.UPDATING and upgraded.extra["FromVersion"] == "1.30.7-aliyun.1"


def test_cluster_tags_go_through_acks_own_tag_api(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    iid = _cluster(ali)
    ali.tag().add_tag(kind=ResourceKind.CLUSTER, iid=iid, key="cost", value="42")
    assert ("cs", "TagResources") in fake.calls
    assert ali.cluster().get_cluster(iid=iid).tags == {"team": "infra", "cost": "42"}
    ali.tag().remove_tag(kind=ResourceKind.CLUSTER, iid=iid, key="team")
    assert ali.tag().list_tags(kind=ResourceKind.CLUSTER, iid=iid).tags == {"cost": "42"}
