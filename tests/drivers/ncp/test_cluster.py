"""Kubernetes clusters on NCP's VPC platform through NKS: lifecycle over several polls, node pools, upgrade,
and what NKS has no field for (tags, security groups)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from drivers.errors import (
    AlreadyExistsError,
    AuthError,
    DependencyError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
    NotSupportedError,
)
from drivers.ncp import NCPConnection, NCPDriver
from drivers.types import (
    IID,
    ClusterInfo,
    ClusterReqInfo,
    ClusterStatus,
    KeyPairReqInfo,
    NodeGroupReqInfo,
    SubnetReqInfo,
    VPCInfo,
    VPCReqInfo,
)
from tests.drivers.ncp.fake import FakeNCP
from tests.drivers.ncp.support import connection_info


@pytest.fixture
def vpc(ncp: NCPConnection) -> VPCInfo:
    req = VPCReqInfo(
        name="k8s-vpc", ipv4_cidr="10.60.0.0/16", subnets=(SubnetReqInfo(name="node-sn", ipv4_cidr="10.60.1.0/24"),)
    )
    created = ncp.vpc().create_vpc(req=req)
    ncp.key_pair().create_key_pair(req=KeyPairReqInfo(name="k8s-key"))
    return created


def _group(name: str, **changes: object) -> NodeGroupReqInfo:
    req = NodeGroupReqInfo(
        name=name,
        spec_name="SVR.VSVR.STAND.C002.M008.NET.SSD.B050.G002",
        key_pair_iid=IID(name_id="k8s-key"),
        desired_node_size=2,
        min_node_size=1,
        max_node_size=3,
    )
    return replace(req, **changes)  # type: ignore[arg-type]


def _req(*groups: NodeGroupReqInfo, **changes: object) -> ClusterReqInfo:
    req = ClusterReqInfo(
        name="k8s-one",
        vpc_iid=IID(name_id="k8s-vpc"),
        subnet_iids=(IID(name_id="node-sn"),),
        node_groups=groups or (_group("pool-a"),),
    )
    return replace(req, **changes)  # type: ignore[arg-type]


def _until(read: Callable[[], ClusterInfo], polls: int = 20) -> ClusterInfo:
    """Poll as a caller would until the cluster and every node group are Active; the fake needs several polls."""
    for _ in range(polls):
        info = read()
        if {info.status, *(g.status for g in info.node_groups)} == {ClusterStatus.ACTIVE}:
            return info
    raise AssertionError("the cluster never settled")


def test_cluster_lifecycle(ncp: NCPConnection, fake: FakeNCP, vpc: VPCInfo) -> None:
    clusters = ncp.cluster()
    created = clusters.create_cluster(req=_req(_group("pool-a"), _group("pool-b"), version="1.29.9-nks.1"))
    assert created.status is ClusterStatus.CREATING and created.kubeconfig == ""
    assert created.vpc_iid == vpc.iid and [s.name_id for s in created.subnet_iids] == ["node-sn"]
    post = next(c for c in fake.calls if c.action == "POST /vnks/v2/clusters")
    assert post.get("loginKeyName") == "k8s-key" and post.get("clusterType").startswith("SVR.VNKS.")
    lb = fake.table("subnets")[post.get("lbPrivateSubnetNo")]
    assert (lb["usageType"]["code"], lb["subnetType"]["code"]) == ("LOADB", "PRIVATE")

    active = _until(lambda: clusters.get_cluster(iid=IID(name_id="k8s-one")))
    assert active.endpoint and "server: " + active.endpoint in active.kubeconfig
    assert [s.name_id for s in active.security_group_iids] == [fake.table("clusters")[active.iid.system_id]["acgName"]]
    first = active.node_groups[0]
    assert (first.desired_node_size, first.min_node_size, first.max_node_size, first.on_auto_scaling) == (2, 1, 3, True)
    assert len(first.nodes) == 2 and first.key_pair_iid.name_id == "k8s-key"
    assert [c.iid for c in clusters.list_clusters()] == [active.iid]

    added = clusters.add_node_group(cluster_iid=active.iid, req=_group("pool-c", desired_node_size=1, min_node_size=1))
    assert added.iid.name_id == "pool-c" and added.status is ClusterStatus.CREATING
    _until(lambda: clusters.get_cluster(iid=active.iid))
    scaled = clusters.change_node_group_scaling(
        cluster_iid=active.iid, node_group_iid=added.iid, desired_node_size=3, min_node_size=2, max_node_size=5
    )
    assert (scaled.min_node_size, scaled.max_node_size) == (2, 5) and scaled.status is ClusterStatus.UPDATING
    settled = _until(lambda: clusters.get_cluster(iid=active.iid))
    assert len(settled.node_groups[2].nodes) == 3
    off = clusters.set_node_group_autoscaling(cluster_iid=active.iid, node_group_iid=added.iid, on=False)
    assert off.on_auto_scaling is False
    _until(lambda: clusters.get_cluster(iid=active.iid))
    clusters.remove_node_group(cluster_iid=active.iid, node_group_iid=IID(name_id="pool-b"))
    after = _until(lambda: clusters.get_cluster(iid=active.iid))
    assert [g.iid.name_id for g in after.node_groups] == ["pool-a", "pool-c"]

    upgraded = clusters.upgrade_cluster(cluster_iid=active.iid, version="1.30.8-nks.1")
    assert upgraded.status is ClusterStatus.UPDATING
    assert _until(lambda: clusters.get_cluster(iid=active.iid)).version == "1.30.8-nks.1"
    with pytest.raises(DependencyError):
        ncp.vpc().delete_vpc(iid=vpc.iid)  # NKS's ACG and the cluster keep the VPC in use
    clusters.delete_cluster(iid=active.iid)
    for _ in range(10):
        if not clusters.list_clusters():
            break
    with pytest.raises(NotFoundError):
        clusters.get_cluster(iid=active.iid)


def test_upgrade_goes_to_a_newer_offered_version(ncp: NCPConnection, vpc: VPCInfo) -> None:
    clusters = ncp.cluster()
    created = clusters.create_cluster(req=_req(version="1.29.9-nks.1"))
    with pytest.raises(InvalidStateError):  # still CREATING
        clusters.upgrade_cluster(cluster_iid=created.iid, version="1.30.8-nks.1")
    _until(lambda: clusters.get_cluster(iid=created.iid))
    with pytest.raises(InvalidRequestError):
        clusters.upgrade_cluster(cluster_iid=created.iid, version="1.29.9-nks.1")
    clusters.upgrade_cluster(cluster_iid=created.iid, version="1.30.8-nks.1")
    assert _until(lambda: clusters.get_cluster(iid=created.iid)).version == "1.30.8-nks.1"


def test_what_nks_has_no_field_for_is_refused(ncp: NCPConnection, fake: FakeNCP, vpc: VPCInfo) -> None:
    with pytest.raises(NotSupportedError, match="ACG"):
        ncp.cluster().create_cluster(req=_req(security_group_iids=(IID(name_id="web-acg"),)))
    with pytest.raises(InvalidRequestError):
        ncp.cluster().create_cluster(req=_req(tags={"team": "platform"}))
    assert "no security group" in NCPDriver.capabilities.notes["cluster"]
    assert not fake.table("clusters")


def test_requests_are_checked_before_nks_is_called(ncp: NCPConnection, fake: FakeNCP, vpc: VPCInfo) -> None:
    with pytest.raises(InvalidRequestError):
        ncp.cluster().create_cluster(req=_req(_group("pool", desired_node_size=5)))
    with pytest.raises(InvalidRequestError):
        ncp.cluster().create_cluster(req=_req(version="1.20.0"))
    assert not [c for c in fake.calls if c.action == "POST /vnks/v2/clusters"]
    ncp.cluster().create_cluster(req=_req())
    with pytest.raises(AlreadyExistsError):
        ncp.cluster().create_cluster(req=_req())


def test_the_default_node_pool_stays(ncp: NCPConnection, vpc: VPCInfo) -> None:
    clusters = ncp.cluster()
    created = clusters.create_cluster(req=_req())
    assert created.version == "1.30.8-nks.1"  # NKS's newest version when none is asked for
    _until(lambda: clusters.get_cluster(iid=created.iid))
    with pytest.raises(InvalidRequestError, match="default node pool"):
        clusters.remove_node_group(cluster_iid=created.iid, node_group_iid=IID(name_id="pool-a"))


def test_missing_things_and_repeated_deletes(ncp: NCPConnection, vpc: VPCInfo) -> None:
    clusters, missing = ncp.cluster(), IID(name_id="no-such-one")
    with pytest.raises(NotFoundError):
        clusters.get_cluster(iid=missing)
    with pytest.raises(NotFoundError):
        clusters.add_node_group(cluster_iid=missing, req=_group("pool-x"))
    with pytest.raises(NotFoundError):
        clusters.create_cluster(req=_req(vpc_iid=IID(name_id="no-such-vpc")))
    created = clusters.create_cluster(req=_req())
    assert clusters.remove_node_group(cluster_iid=created.iid, node_group_iid=IID(name_id="nope")) is None
    clusters.delete_cluster(iid=created.iid)
    assert clusters.delete_cluster(iid=created.iid) is None
    assert clusters.delete_cluster(iid=missing) is None


def test_nks_calls_are_signed(fake: FakeNCP, vpc: VPCInfo) -> None:
    conn = NCPDriver().connect(connection_info(SecretKey="not-the-secret-key"))
    with pytest.raises(AuthError):
        conn.cluster().list_clusters()
    conn.close()
