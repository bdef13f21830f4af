"""Cluster rules of the mock: timing, versions and upgrades, node group checks, busy states, uses."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from drivers.errors import (
    AlreadyExistsError,
    DependencyError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
    QuotaError,
)
from drivers.mock import MockConnection, MockDriver
from drivers.types import (
    IID,
    ClusterReqInfo,
    ClusterStatus,
    NodeGroupReqInfo,
    ResourceKind,
    SecurityReqInfo,
    SubnetReqInfo,
    VPCReqInfo,
)
from tests.drivers.support import connection_info, vm_setup

SETTLE = 0.1
CLUSTER_SETTLE = 0.3


@pytest.fixture
def conn(redis_url: str, tenant: str) -> Iterator[MockConnection]:
    """A connection whose clusters settle quickly, with vpc-01/sn-01, sg-01 and key-01 in place."""
    driver = MockDriver(store_url=redis_url, settle_seconds=SETTLE, cluster_settle_seconds=CLUSTER_SETTLE)
    conn = driver.connect(connection_info(tenant))
    vm_setup(conn)
    yield conn
    driver.wipe_tenant(tenant)


def _settle_cluster() -> None:
    time.sleep(CLUSTER_SETTLE + 0.05)


def _settle_group() -> None:
    time.sleep(SETTLE + 0.05)


def _group(name: str = "ng-01", **changes: object) -> NodeGroupReqInfo:
    req = NodeGroupReqInfo(name=name, spec_name="mock-vmspec-01", key_pair_iid=IID(name_id="key-01"))
    return replace(req, **changes)  # type: ignore[arg-type]


def _cluster(*groups: NodeGroupReqInfo, **changes: object) -> ClusterReqInfo:
    req = ClusterReqInfo(
        name="k8s-01",
        vpc_iid=IID(name_id="vpc-01"),
        subnet_iids=(IID(name_id="sn-01"),),
        security_group_iids=(IID(name_id="sg-01"),),
        node_groups=groups,
    )
    return replace(req, **changes)  # type: ignore[arg-type]


def test_driver_cluster_settle_defaults_to_five_vm_settles() -> None:
    assert MockDriver(settle_seconds=0.4).cluster_settle_seconds == pytest.approx(2.0)
    with pytest.raises(ValueError, match="cluster_settle_seconds"):
        MockDriver(cluster_settle_seconds=-1)


def test_a_cluster_gets_its_endpoint_and_kubeconfig_when_active(conn: MockConnection) -> None:
    created = conn.cluster().create_cluster(req=_cluster(_group(desired_node_size=2, max_node_size=2)))
    assert (created.status, created.version, created.endpoint, created.kubeconfig) == ("Creating", "1.30", "", "")
    assert created.node_groups[0].status == ClusterStatus.CREATING and created.node_groups[0].nodes == ()
    time.sleep(SETTLE + 0.05)
    assert conn.cluster().get_cluster(iid=created.iid).status == ClusterStatus.CREATING  # clusters take longer
    _settle_cluster()
    active = conn.cluster().get_cluster(iid=created.iid)
    assert active.status == ClusterStatus.ACTIVE
    assert active.endpoint == f"https://{created.iid.system_id}.k8s.mars.mockcloud.test"
    assert f"server: {active.endpoint}" in active.kubeconfig and "token: " in active.kubeconfig
    assert 'current-context: "k8s-01"' in active.kubeconfig
    group = active.node_groups[0]
    assert group.status == ClusterStatus.ACTIVE
    assert [node.name_id for node in group.nodes] == ["k8s-01-ng-01-1", "k8s-01-ng-01-2"]
    assert group.image_iid == IID(name_id="mock-vmimage-01", system_id="mock-vmimage-01")
    assert (group.root_disk_type, group.root_disk_size_gb) == ("standard", 50)
    assert conn.cluster().get_cluster(iid=created.iid).kubeconfig == active.kubeconfig  # a stable credential


def test_upgrades_go_up_one_minor_version_at_a_time(conn: MockConnection) -> None:
    cluster = conn.cluster().create_cluster(req=_cluster(_group(), version="1.29")).iid
    with pytest.raises(InvalidStateError, match="Creating"):
        conn.cluster().upgrade_cluster(cluster_iid=cluster, version="1.30")
    _settle_cluster()
    for version, message in (
        ("1.31", "one minor version"),
        ("1.29", "only be upgraded"),
        ("1.28", "not offered"),
        ("", "Name the"),
    ):
        with pytest.raises(InvalidRequestError, match=message) as caught:
            conn.cluster().upgrade_cluster(cluster_iid=cluster, version=version)
        assert caught.value.field == "version"
    upgrading = conn.cluster().upgrade_cluster(cluster_iid=cluster, version="1.30")
    assert (upgrading.status, upgrading.version, upgrading.extra["upgrading_from"]) == ("Updating", "1.30", "1.29")
    assert upgrading.node_groups[0].status == ClusterStatus.UPDATING
    with pytest.raises(InvalidStateError, match="Updating"):
        conn.cluster().add_node_group(cluster_iid=cluster, req=_group("ng-02"))
    _settle_cluster()
    done = conn.cluster().get_cluster(iid=cluster)
    assert (done.status, done.version, "upgrading_from" in done.extra) == ("Active", "1.30", False)
    assert done.node_groups[0].extra["kubernetes_version"] == "1.30"


def test_node_group_changes_wait_for_each_other(conn: MockConnection) -> None:
    cluster = conn.cluster().create_cluster(req=_cluster(_group())).iid
    ng = IID(name_id="ng-01")
    with pytest.raises(InvalidStateError, match="Creating"):
        conn.cluster().set_node_group_autoscaling(cluster_iid=cluster, node_group_iid=ng, on=False)
    _settle_cluster()
    resized = conn.cluster().change_node_group_scaling(
        cluster_iid=cluster, node_group_iid=ng, desired_node_size=4, min_node_size=0, max_node_size=10
    )
    assert resized.status == ClusterStatus.UPDATING and len(resized.nodes) == 4
    with pytest.raises(InvalidStateError, match="Updating"):
        conn.cluster().set_node_group_autoscaling(cluster_iid=cluster, node_group_iid=ng, on=False)
    with pytest.raises(InvalidStateError, match="Updating"):
        conn.cluster().remove_node_group(cluster_iid=cluster, node_group_iid=ng)
    with pytest.raises(InvalidStateError, match="node groups change"):
        conn.cluster().upgrade_cluster(cluster_iid=cluster, version="1.31")
    _settle_group()
    assert (
        conn.cluster().set_node_group_autoscaling(cluster_iid=cluster, node_group_iid=ng, on=False).on_auto_scaling
        is False
    )
    with pytest.raises(NotFoundError) as caught:
        conn.cluster().set_node_group_autoscaling(cluster_iid=cluster, node_group_iid=IID(name_id="nope"), on=True)
    assert caught.value.field == "node_group_iid"


@pytest.mark.parametrize(
    ("sizes", "field"),
    [
        ((1, 2, 3), "min_node_size"),
        ((4, 1, 3), "desired_node_size"),
        ((0, -1, 3), "min_node_size"),
        ((1, 1, 101), "max_node_size"),
        ((0, 0, 0), "max_node_size"),
    ],
)
def test_sizes_are_checked(conn: MockConnection, sizes: tuple[int, int, int], field: str) -> None:
    desired, low, high = sizes
    group = _group(desired_node_size=desired, min_node_size=low, max_node_size=high)
    with pytest.raises(InvalidRequestError) as caught:
        conn.cluster().create_cluster(req=_cluster(group))
    assert caught.value.field == f"node_groups[0].{field}"
    cluster = conn.cluster().create_cluster(req=_cluster(_group())).iid
    _settle_cluster()
    with pytest.raises(InvalidRequestError) as caught:
        conn.cluster().change_node_group_scaling(
            cluster_iid=cluster,
            node_group_iid=IID(name_id="ng-01"),
            desired_node_size=desired,
            min_node_size=low,
            max_node_size=high,
        )
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"spec_name": "no-such-spec"}, NotFoundError, "spec_name"),
        ({"key_pair_iid": IID(name_id="no-such-key")}, NotFoundError, "key_pair_iid"),
        ({"image_iid": IID(name_id="no-such-image")}, NotFoundError, "image_iid"),
        ({"image_iid": IID(name_id="mock-vmimage-02")}, InvalidRequestError, "image_iid"),  # arm64 on x86_64
        ({"image_iid": IID(name_id="mock-vmimage-04")}, InvalidRequestError, "image_iid"),  # Windows
        ({"root_disk_type": "floppy"}, InvalidRequestError, "root_disk_type"),
        ({"root_disk_size_gb": 10}, InvalidRequestError, "root_disk_size_gb"),
    ],
)
def test_node_groups_are_checked(
    conn: MockConnection, changes: dict[str, object], error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as caught:
        conn.cluster().create_cluster(req=_cluster(_group("ok"), _group("bad", **changes)))
    assert caught.value.field == f"node_groups[1].{field}"  # type: ignore[attr-defined]
    assert conn.cluster().list_clusters() == []


def test_arm_specs_get_an_arm_node_image(conn: MockConnection) -> None:
    cluster = conn.cluster().create_cluster(req=_cluster(_group(spec_name="mock-vmspec-04")))
    assert cluster.node_groups[0].image_iid == IID(name_id="mock-vmimage-02", system_id="mock-vmimage-02")


def test_the_network_is_checked(conn: MockConnection) -> None:
    subnet = SubnetReqInfo(name="sn-other", ipv4_cidr="10.1.1.0/24")
    other = conn.vpc().create_vpc(req=VPCReqInfo(name="vpc-02", ipv4_cidr="10.1.0.0/16", subnets=(subnet,)))
    conn.security_group().create_security_group(req=SecurityReqInfo(name="sg-other", vpc_iid=other.iid))
    cases: list[tuple[dict[str, object], type[Exception], str]] = [
        ({"subnet_iids": ()}, InvalidRequestError, "subnet_iids"),
        ({"subnet_iids": (IID(name_id="sn-other"),)}, NotFoundError, "subnet_iids[0]"),
        ({"security_group_iids": (IID(name_id="sg-other"),)}, InvalidRequestError, "security_group_iids[0]"),
        ({"version": "1.20"}, InvalidRequestError, "version"),
    ]
    for changes, error, field in cases:
        with pytest.raises(error) as caught:
            conn.cluster().create_cluster(req=_cluster(_group(), **changes))
        assert caught.value.field == field  # type: ignore[attr-defined]
    with pytest.raises(AlreadyExistsError) as caught_dup:
        conn.cluster().create_cluster(req=_cluster(_group("same"), _group("same")))
    assert caught_dup.value.field == "node_groups[1].name"
    with pytest.raises(QuotaError):
        conn.cluster().create_cluster(req=_cluster(*(_group(f"ng-{n}") for n in range(11))))
    assert conn.cluster().list_clusters() == []


def test_a_cluster_holds_its_subnets_groups_and_keys_until_deleted(conn: MockConnection) -> None:
    cluster = conn.cluster().create_cluster(req=_cluster(_group())).iid
    conn.tag().add_tag(kind=ResourceKind.CLUSTER, iid=cluster, key="team", value="platform")
    assert conn.cluster().get_cluster(iid=cluster).tags == {"team": "platform"}
    with pytest.raises(DependencyError, match="k8s-01"):
        conn.vpc().remove_subnet(vpc_iid=IID(name_id="vpc-01"), subnet_iid=IID(name_id="sn-01"))
    with pytest.raises(DependencyError, match="k8s-01"):
        conn.security_group().delete_security_group(iid=IID(name_id="sg-01"))
    with pytest.raises(DependencyError, match="k8s-01"):
        conn.key_pair().delete_key_pair(iid=IID(name_id="key-01"))
    with pytest.raises(DependencyError, match="Kubernetes clusters: k8s-01"):
        conn.vpc().delete_vpc(iid=IID(name_id="vpc-01"))
    conn.cluster().delete_cluster(iid=cluster)  # even while Creating
    conn.security_group().delete_security_group(iid=IID(name_id="sg-01"))
    conn.key_pair().delete_key_pair(iid=IID(name_id="key-01"))
    conn.vpc().delete_vpc(iid=IID(name_id="vpc-01"))


def test_the_kubeconfig_is_valid_yaml_whatever_the_name(conn: MockConnection) -> None:
    yaml = pytest.importorskip("yaml")  # PyYAML comes with drf-spectacular
    name = 'k8s "prod": a\\b #1'
    cluster = conn.cluster().create_cluster(req=_cluster(name=name)).iid
    _settle_cluster()
    info = conn.cluster().get_cluster(iid=cluster)
    config = yaml.safe_load(info.kubeconfig)
    assert config["current-context"] == name
    assert config["clusters"][0]["name"] == name
    assert config["clusters"][0]["cluster"]["server"] == info.endpoint
    assert config["contexts"][0]["context"] == {"cluster": name, "user": f"{name}-admin"}
    assert config["users"][0]["name"] == f"{name}-admin" and config["users"][0]["user"]["token"]
