"""What Google Cloud's own machinery needs through the VPC's firewalls: health check probes reaching a
load balancer's backends, GKE nodes reaching out of a security group's deny-all egress. The fake's
health and node readiness follow the firewall rules (tests/drivers/gcp/fake/firewalls.py `permits`)."""

from __future__ import annotations

from typing import Any

import pytest

from drivers.gcp import GCPConnection
from drivers.gcp.cluster import GCPClusterHandler
from drivers.types import (
    IID,
    ClusterReqInfo,
    ClusterStatus,
    HealthCheckerInfo,
    KeyPairReqInfo,
    ListenerInfo,
    NLBReqInfo,
    SecurityReqInfo,
    SecurityRule,
    VMGroupInfo,
)
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.net_support import make_vpc, seed_instance
from tests.drivers.gcp.support import PROJECT
from tests.drivers.gcp.test_cluster import group

FIREWALLS = "global/firewalls"


def _nlb(*vms: IID, nlb_type: str = "PUBLIC", port: int = 8080) -> NLBReqInfo:
    return NLBReqInfo(
        name="nlb-01",
        vpc_iid=IID(name_id="vpc-01"),
        type=nlb_type,  # type: ignore[arg-type]
        listener=ListenerInfo(protocol="TCP", port=80),
        vm_group=VMGroupInfo(protocol="TCP", port=80, vm_iids=vms),
        health_checker=HealthCheckerInfo(protocol="TCP", port=port, interval_s=10, timeout_s=5, threshold=3),
    )


@pytest.fixture
def vms(fake: FakeGCP, gcp: GCPConnection) -> list[IID]:
    make_vpc(gcp)
    made = [seed_instance(fake, name, network="vpc-01", subnet="vpc-01-sn") for name in ("vm-01", "vm-02")]
    return [IID(name_id=vm["name"], system_id=vm["id"]) for vm in made]


@pytest.mark.parametrize(
    ("nlb_type", "ranges"),
    [
        ("PUBLIC", ["209.85.152.0/22", "209.85.204.0/22", "35.191.0.0/16"]),
        ("INTERNAL", ["130.211.0.0/22", "35.191.0.0/16"]),
    ],
)
def test_health_check_probes_reach_the_backends(
    fake: FakeGCP, gcp: GCPConnection, vms: list[IID], nlb_type: str, ranges: list[str]
) -> None:
    nlbs = gcp.nlb()
    created = nlbs.create_nlb(req=_nlb(*vms, nlb_type=nlb_type))
    health = nlbs.get_health(nlb_iid=created.iid)
    assert (health.healthy_vms, health.unhealthy_vms) == (tuple(vms), ())
    firewall = fake.collection(PROJECT, FIREWALLS)["nlb-01-fw"]
    assert sorted(firewall["sourceRanges"]) == ranges and firewall["direction"] == "INGRESS"
    assert firewall["allowed"] == [{"IPProtocol": "tcp", "ports": ["8080"]}]

    nlbs.change_health_checker(
        nlb_iid=created.iid,
        health_checker=HealthCheckerInfo(protocol="HTTP", port=9000, interval_s=10, timeout_s=5, threshold=3),
    )
    assert fake.collection(PROJECT, FIREWALLS)["nlb-01-fw"]["allowed"] == [{"IPProtocol": "tcp", "ports": ["9000"]}]
    assert nlbs.get_health(nlb_iid=created.iid).healthy_vms == tuple(vms)

    nlbs.delete_nlb(iid=created.iid)
    assert "nlb-01-fw" not in fake.collection(PROJECT, FIREWALLS)


def test_probes_the_firewalls_drop_leave_backends_unhealthy(fake: FakeGCP, gcp: GCPConnection, vms: list[IID]) -> None:
    created = gcp.nlb().create_nlb(req=_nlb(*vms))
    del fake.collection(PROJECT, FIREWALLS)["nlb-01-fw"]  # as before the driver opened it
    health = gcp.nlb().get_health(nlb_iid=created.iid)
    assert (health.healthy_vms, health.unhealthy_vms) == ((), tuple(vms))


def _cluster_with_security_group(gcp: GCPConnection) -> tuple[GCPClusterHandler, ClusterReqInfo]:
    make_vpc(gcp)
    gcp.security_group().create_security_group(
        req=SecurityReqInfo(
            name="sg-k8s",
            vpc_iid=IID(name_id="vpc-01"),
            rules=(SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22, cidr="0.0.0.0/0"),),
        )
    )
    gcp.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-k8s"))
    req = ClusterReqInfo(
        name="k8s-01",
        vpc_iid=IID(name_id="vpc-01"),
        subnet_iids=(IID(name_id="vpc-01-sn"),),
        security_group_iids=(IID(name_id="sg-k8s"),),
        node_groups=(group("ng", key_pair_iid=IID(name_id="key-k8s")),),
    )
    return GCPClusterHandler(gcp._clients), req


def _settle(clusters: GCPClusterHandler) -> Any:
    for _ in range(1000):
        info = clusters.get_cluster(iid=IID(name_id="k8s-01"))
        if info.status != ClusterStatus.CREATING:
            return info
    raise AssertionError("the cluster never settled")


def test_nodes_in_a_security_group_reach_the_control_plane(fake: FakeGCP, gcp: GCPConnection) -> None:
    clusters, req = _cluster_with_security_group(gcp)
    clusters.create_cluster(req=req)
    active = _settle(clusters)
    assert active.status == ClusterStatus.ACTIVE and [ng.status for ng in active.node_groups] == [ClusterStatus.ACTIVE]
    assert active.security_group_iids[0].name_id == "sg-k8s" and len(active.security_group_iids) == 1
    egress = fake.collection(PROJECT, FIREWALLS)["sw-k8s-01-nodes"]
    assert (egress["direction"], egress["targetTags"], egress["priority"]) == ("EGRESS", ["sw-k8s-01-nodes"], 1000)
    node_tags = fake.collection(PROJECT, "gke/clusters")["us-central1-a/k8s-01"]["nodePools"][0]["config"]["tags"]
    assert sorted(node_tags) == ["sg-k8s", "sw-k8s-01-nodes"]
    clusters.delete_cluster(iid=active.iid)
    assert "sw-k8s-01-nodes" not in fake.collection(PROJECT, FIREWALLS)


def test_nodes_the_deny_all_egress_holds_in_never_register(
    fake: FakeGCP, gcp: GCPConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    clusters, req = _cluster_with_security_group(gcp)
    monkeypatch.setattr("drivers.gcp._probes.node_egress_firewall", _no_egress_rule)
    monkeypatch.setattr("drivers.gcp.cluster.EARLY_WAIT", 0.0)  # GKE gives up on the nodes after minutes
    clusters.create_cluster(req=req)
    failed = _settle(clusters)
    assert failed.status == ClusterStatus.INACTIVE
    assert "have registered" in str(failed.extra.get("statusMessage", ""))


def _no_egress_rule(cluster: str, *, network: str) -> Any:
    from google.cloud.compute_v1.types import compute

    # An egress rule that lets nothing out: the group's deny-all decides, as without the driver's rule.
    return compute.Firewall(
        name=f"sw-{cluster}-nodes",
        network=network,
        direction="EGRESS",
        priority=1000,
        allowed=[compute.Allowed(I_p_protocol="tcp", ports=["1"])],
        destination_ranges=["192.0.2.0/32"],
        target_tags=[f"sw-{cluster}-nodes"],
    )
