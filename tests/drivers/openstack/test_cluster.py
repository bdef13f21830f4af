"""Magnum clusters: what the driver sends Magnum, how it follows Magnum's states, and its kubeconfig."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography import x509

from drivers.errors import DependencyError, InvalidRequestError, InvalidStateError, NotSupportedError
from drivers.openstack import OpenStackConnection, OpenStackDriver
from drivers.types import IID, ClusterReqInfo, ClusterStatus, NodeGroupReqInfo
from tests.drivers.openstack.fake import LAYOUTS, FakeOpenStack
from tests.drivers.openstack.fake.magnum import magnum_error
from tests.drivers.openstack.net_support import network
from tests.drivers.openstack.support import connection_info

REGION = "RegionOne"


def _group(name: str, **changes: Any) -> NodeGroupReqInfo:
    values: dict[str, Any] = {"desired_node_size": 2, "min_node_size": 1, "max_node_size": 3}
    values.update(changes)
    return NodeGroupReqInfo(name=name, spec_name="m1.small", key_pair_iid=IID(name_id="key-net"), **values)


def _req(conn: OpenStackConnection, *groups: NodeGroupReqInfo, version: str = "1.27") -> ClusterReqInfo:
    vpc, subnet, sg, _ = network(conn)
    return ClusterReqInfo(
        name="k8s", vpc_iid=vpc, version=version, subnet_iids=(subnet,), security_group_iids=(sg,), node_groups=groups
    )


def _magnum(fake: FakeOpenStack) -> dict[str, Any]:
    (cluster,) = fake.coll(REGION, "magnum-clusters").values()
    return cluster


def _settle(conn: OpenStackConnection) -> Any:
    for _ in range(20):
        info = conn.cluster().get_cluster(iid=IID(name_id="k8s"))
        if {info.status, *(g.status for g in info.node_groups)} == {ClusterStatus.ACTIVE}:
            return info
    pytest.fail("the cluster did not settle")


def test_a_cluster_is_creating_for_several_polls_then_active(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.polls_until_done = 4  # the read that answers create_cluster is the first poll
    created = conn.cluster().create_cluster(req=_req(conn, _group("ng-a")))
    assert created.status == ClusterStatus.CREATING and created.version == "1.27.8"
    assert _magnum(fake)["status"] == "CREATE_IN_PROGRESS"
    statuses = [conn.cluster().get_cluster(iid=created.iid).status for _ in range(3)]
    assert statuses == [ClusterStatus.CREATING, ClusterStatus.CREATING, ClusterStatus.ACTIVE]
    sent = [call for call in fake.calls if call.startswith("POST") and call.endswith("/v1/clusters")]
    assert len(sent) == 1


def test_the_request_becomes_a_template_override_and_labels(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    conn.cluster().create_cluster(req=_req(conn, _group("ng-a"), _group("ng-b", on_auto_scaling=False)))
    cluster = _magnum(fake)
    template = fake.coll(REGION, "magnum-templates")[cluster["cluster_template_id"]]
    assert template["labels"]["kube_tag"] == "v1.27.8"
    assert cluster["fixed_network"] and cluster["fixed_subnet"] and cluster["keypair"] == "key-net"
    assert (cluster["flavor_id"], cluster["node_count"]) == ("m1.small", 2)
    labels = cluster["labels"]
    assert (labels["min_node_count"], labels["max_node_count"], labels["auto_scaling_enabled"]) == ("1", "3", "true")
    # Magnum takes no node group while the cluster is being created: the second waits in a label.
    assert [g["name"] for g in cluster["nodegroups"]] == ["default-master", "default-worker"]
    assert json.loads(labels["spiderweb_node_groups"])[0]["name"] == "ng-b"


def test_the_further_groups_are_made_once_the_cluster_is_complete(
    fake: FakeOpenStack, conn: OpenStackConnection
) -> None:
    conn.cluster().create_cluster(req=_req(conn, _group("ng-a"), _group("ng-b", on_auto_scaling=False)))
    info = _settle(conn)
    assert [g.iid.name_id for g in info.node_groups] == ["ng-a", "ng-b"]
    ng_b = next(g for g in _magnum(fake)["nodegroups"] if g["name"] == "ng-b")
    assert (ng_b["node_count"], ng_b["min_node_count"], ng_b["max_node_count"]) == (2, 2, 2)
    assert info.node_groups[1].on_auto_scaling is False
    posts = [call for call in fake.calls if call.startswith("POST") and call.endswith("/nodegroups")]
    assert len(posts) == 1  # and not again on later reads
    conn.cluster().get_cluster(iid=info.iid)
    assert len([call for call in fake.calls if call.startswith("POST") and call.endswith("/nodegroups")]) == 1


def test_every_magnum_request_carries_the_microversion(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.polls_until_done = 1
    conn.cluster().create_cluster(req=_req(conn, _group("ng-a")))
    _settle(conn)
    assert any("/nodegroups" in call for call in fake.calls)  # the fake answers 406 below 1.9


def test_scaling_waits_for_each_magnum_update_to_settle(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    created = conn.cluster().create_cluster(req=_req(conn, _group("ng-a")))
    _settle(conn)
    ng = IID(name_id="ng-a")
    conn.cluster().change_node_group_scaling(
        cluster_iid=created.iid, node_group_iid=ng, desired_node_size=4, min_node_size=3, max_node_size=5
    )
    assert _magnum(fake)["status"] == "UPDATE_IN_PROGRESS"
    # From 4 in 3..5 to 1 in 1..2: widen to 1..5 (a nodegroup PATCH), resize, then narrow, each once settled.
    scaled = conn.cluster().change_node_group_scaling(
        cluster_iid=created.iid, node_group_iid=ng, desired_node_size=1, min_node_size=1, max_node_size=2
    )
    assert (scaled.desired_node_size, scaled.min_node_size, scaled.max_node_size) == (1, 1, 2)
    worker = next(g for g in _magnum(fake)["nodegroups"] if g["name"] == "default-worker")
    assert (worker["node_count"], worker["min_node_count"], worker["max_node_count"]) == (1, 1, 2)


def test_magnum_refuses_a_resize_of_an_unsettled_cluster(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    created = conn.cluster().create_cluster(req=_req(conn, _group("ng-a")))
    fake.fail("/actions/resize", magnum_error(409, "Cluster k8s is in UPDATE_IN_PROGRESS state."))
    _settle(conn)
    with pytest.raises(InvalidStateError) as caught:
        conn.cluster().change_node_group_scaling(
            cluster_iid=created.iid,
            node_group_iid=IID(name_id="ng-a"),
            desired_node_size=3,
            min_node_size=1,
            max_node_size=3,
        )
    assert caught.value.provider_message == "Cluster k8s is in UPDATE_IN_PROGRESS state."


def test_magnums_error_detail_is_kept(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    created = conn.cluster().create_cluster(req=_req(conn, _group("ng-a")))
    fake.fail("/actions/upgrade", magnum_error(400, "Cluster template is not newer than the current one."))
    _settle(conn)
    with pytest.raises(InvalidRequestError) as caught:
        conn.cluster().upgrade_cluster(cluster_iid=created.iid, version="1.28")
    assert caught.value.provider_message == "Cluster template is not newer than the current one."


def test_an_unpublished_version_names_the_published_ones(conn: OpenStackConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        conn.cluster().create_cluster(req=_req(conn, _group("ng-a"), version="1.99"))
    assert caught.value.field == "version" and "1.27.8, 1.28.9" in str(caught.value)


def test_the_kubeconfig_holds_a_client_certificate_signed_by_the_cluster_ca(
    fake: FakeOpenStack, conn: OpenStackConnection
) -> None:
    conn.cluster().create_cluster(req=_req(conn, _group("ng-a")))
    info = _settle(conn)
    config = json.loads(info.kubeconfig)
    assert config["clusters"][0]["cluster"]["server"] == info.endpoint
    ca = x509.load_pem_x509_certificate(
        base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"])
    )
    client = x509.load_pem_x509_certificate(base64.b64decode(config["users"][0]["user"]["client-certificate-data"]))
    client.verify_directly_issued_by(ca)
    assert client.subject.rfc4514_string() == "O=system:masters,CN=admin"
    assert any(call.startswith("POST") and call.endswith("/v1/certificates") for call in fake.calls)


def test_removing_the_first_group_scales_magnums_default_worker_to_zero(
    fake: FakeOpenStack, conn: OpenStackConnection
) -> None:
    created = conn.cluster().create_cluster(req=_req(conn, _group("ng-a")))
    _settle(conn)
    conn.cluster().remove_node_group(cluster_iid=created.iid, node_group_iid=IID(name_id="ng-a"))
    worker = next(g for g in _magnum(fake)["nodegroups"] if g["name"] == "default-worker")
    assert worker["node_count"] == 0 and worker["min_node_count"] == 0
    assert conn.cluster().get_cluster(iid=created.iid).node_groups == ()


def test_a_key_pair_a_cluster_uses_cannot_be_deleted(conn: OpenStackConnection) -> None:
    created = conn.cluster().create_cluster(req=_req(conn, _group("ng-a")))
    with pytest.raises(DependencyError) as caught:
        conn.key_pair().delete_key_pair(iid=IID(name_id="key-net"))
    assert "k8s" in str(caught.value)
    conn.cluster().delete_cluster(iid=created.iid)
    conn.key_pair().delete_key_pair(iid=IID(name_id="key-net"))


def test_a_catalogue_without_magnum_makes_clusters_unsupported(fake: FakeOpenStack) -> None:
    del LAYOUTS["openstack"].endpoints["container-infra"]
    try:
        conn = OpenStackDriver().connect(connection_info())
        with pytest.raises(NotSupportedError):
            conn.cluster()
        conn.close()
    finally:
        LAYOUTS["openstack"].endpoints["container-infra"] = "https://{region}.openstack.test:9511/v1"
