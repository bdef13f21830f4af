"""AKS clusters: the managed cluster and agent pool JSON sent, states mapped, the hidden system pool,
autoscaling switched for real, upgrades, bounded waits on deletes and AKS's refusals mapped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from drivers.azure import AzureConnection
from drivers.azure._aks import clusters_using
from drivers.azure.cluster import AzureClusterHandler
from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError, TransientError
from drivers.types import IID, ClusterInfo, ClusterReqInfo, ClusterStatus, NodeGroupReqInfo
from tests.drivers.azure.fake import FakeAzure, aks, tags

GROUP = "spiderweb-koreacentral"
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests cb-user"


@pytest.fixture
def clusters(azure: AzureConnection, fake_azure: FakeAzure) -> Iterator[AzureClusterHandler]:
    azure._session.resource_group()
    vnet = tags.resource_id(fake_azure, GROUP, "Microsoft.Network/virtualNetworks", "vpc-k8s")
    tags.seed(
        fake_azure,
        GROUP,
        "Microsoft.Network/virtualNetworks",
        "vpc-k8s",
        properties={
            "provisioningState": "Succeeded",
            "addressSpace": {"addressPrefixes": ["10.20.0.0/16"]},
            "subnets": [
                {
                    "id": f"{vnet}/subnets/sn-k8s",
                    "name": "sn-k8s",
                    "properties": {"addressPrefix": "10.20.1.0/24", "provisioningState": "Succeeded"},
                }
            ],
        },
    )
    tags.seed(
        fake_azure,
        GROUP,
        "Microsoft.Network/networkSecurityGroups",
        "sg-k8s",
        properties={"provisioningState": "Succeeded", "securityRules": []},
    )
    tags.seed(fake_azure, GROUP, "Microsoft.Compute/sshPublicKeys", "key-k8s", properties={"publicKey": PUBLIC_KEY})
    yield AzureClusterHandler(azure._session)
    aks.settle(fake_azure)  # what AKS would finish later, so no operation is left running


def follow(clusters: AzureClusterHandler, iid: IID, until: ClusterStatus) -> tuple[ClusterInfo, int]:
    """Read the cluster as the caller does until it reaches `until`; the info and how many reads it took."""
    for reads in range(1, 1000):
        info = clusters.get_cluster(iid=iid)
        if info.status == until:
            return info, reads
    raise AssertionError(f"the cluster never became {until}")


def _group(name: str, **changes: Any) -> NodeGroupReqInfo:
    values: dict[str, Any] = {
        "name": name,
        "spec_name": "Standard_B2s",
        "key_pair_iid": IID(name_id="key-k8s"),
        "desired_node_size": 2,
        "min_node_size": 1,
        "max_node_size": 3,
        **changes,
    }
    return NodeGroupReqInfo(**values)


def _req(*groups: NodeGroupReqInfo, **changes: Any) -> ClusterReqInfo:
    values: dict[str, Any] = {
        "name": "k8s-01",
        "vpc_iid": IID(name_id="vpc-k8s"),
        "subnet_iids": (IID(name_id="sn-k8s"),),
        "security_group_iids": (IID(name_id="sg-k8s"),),
        "node_groups": groups,
        "tags": {"team": "platform"},
        **changes,
    }
    return ClusterReqInfo(**values)


def _sent(fake: FakeAzure, method: str, pattern: str) -> list[dict[str, Any]]:
    return [json.loads(call.body) for call in fake.calls if call.method == method and pattern in call.path]


def test_create_sends_an_aks_cluster_with_a_system_pool_and_user_pools(
    clusters: AzureClusterHandler, fake_azure: FakeAzure
) -> None:
    created = clusters.create_cluster(req=_req(_group("ng-a"), _group("ng-b", on_auto_scaling=False)))
    assert created.status == ClusterStatus.CREATING
    assert created.iid.name_id == "k8s-01" and created.iid.system_id.endswith("/managedClusters/k8s-01")
    assert [group.iid.name_id for group in created.node_groups] == ["ng-a", "ng-b"]
    assert created.vpc_iid.name_id == "vpc-k8s" and created.subnet_iids[0].name_id == "sn-k8s"
    assert [sg.name_id for sg in created.security_group_iids] == ["sg-k8s"]
    assert created.tags == {"team": "platform"}
    assert created.node_groups[0].key_pair_iid.name_id == "key-k8s"

    (body,) = _sent(fake_azure, "PUT", "/managedClusters/k8s-01")
    props = body["properties"]
    assert body["identity"] == {"type": "SystemAssigned"}
    assert props["linuxProfile"] == {"adminUsername": "cb-user", "ssh": {"publicKeys": [{"keyData": PUBLIC_KEY}]}}
    assert props["networkProfile"]["networkPluginMode"] == "overlay"
    pools = {pool["name"]: pool for pool in props["agentPoolProfiles"]}
    assert list(pools) == ["system", "nga", "ngb"]
    assert pools["system"]["mode"] == "System" and pools["system"]["count"] == 1
    assert pools["nga"]["mode"] == "User" and pools["nga"]["tags"]["spiderweb-name"] == "ng-a"
    assert (pools["nga"]["enableAutoScaling"], pools["nga"]["minCount"], pools["nga"]["maxCount"]) == (True, 1, 3)
    assert pools["ngb"]["enableAutoScaling"] is False and "minCount" not in pools["ngb"]
    assert pools["nga"]["vnetSubnetID"].endswith("/virtualNetworks/vpc-k8s/subnets/sn-k8s")


def test_a_cluster_settles_active_with_endpoint_and_kubeconfig(
    clusters: AzureClusterHandler, fake_azure: FakeAzure
) -> None:
    clusters.create_cluster(req=_req(_group("ng-a")))
    first = clusters.get_cluster(iid=IID(name_id="k8s-01"))
    assert first.status == ClusterStatus.CREATING and first.kubeconfig == ""
    active, reads = follow(clusters, IID(name_id="k8s-01"), ClusterStatus.ACTIVE)
    assert reads > aks.POLLS["Creating"] // 2  # AKS's minutes
    assert {group.status for group in active.node_groups} == {ClusterStatus.ACTIVE}
    assert active.version == aks.DEFAULT_VERSION
    assert active.endpoint.startswith("https://") and active.endpoint.endswith(".azmk8s.io:443")
    assert "kind: Config" in active.kubeconfig and active.endpoint in active.kubeconfig
    assert [info.iid.name_id for info in clusters.list_clusters()] == ["k8s-01"]
    nodes = active.node_groups[0].nodes
    assert len(nodes) == 2 and all(node.name_id.startswith("aks-nga-") for node in nodes)
    assert nodes[0].system_id.startswith(
        f"/subscriptions/{fake_azure.subscription_id}/resourceGroups/MC_{GROUP}_k8s-01"
    )


def test_the_system_pool_takes_a_size_aks_accepts(clusters: AzureClusterHandler, fake_azure: FakeAzure) -> None:
    clusters.create_cluster(req=_req(_group("ng-a", spec_name="Standard_B1s"), name="k8s-small"))
    (small,) = _sent(fake_azure, "PUT", "/managedClusters/k8s-small")
    sizes = {pool["name"]: pool["vmSize"] for pool in small["properties"]["agentPoolProfiles"]}
    assert sizes == {"system": "Standard_D2s_v5", "nga": "Standard_B1s"}  # 1 vCPU, 1 GiB: too small for it
    clusters.create_cluster(req=_req(_group("ng-a", spec_name="Standard_B2s"), name="k8s-fit"))
    (fit,) = _sent(fake_azure, "PUT", "/managedClusters/k8s-fit")
    assert {pool["vmSize"] for pool in fit["properties"]["agentPoolProfiles"]} == {"Standard_B2s"}


def test_stopped_cluster_is_inactive(clusters: AzureClusterHandler, fake_azure: FakeAzure) -> None:
    clusters.create_cluster(req=_req(_group("ng-a")))
    aks.settle(fake_azure)
    body = aks.find(fake_azure, GROUP, "k8s-01")
    assert body is not None
    body["properties"]["powerState"] = {"code": "Stopped"}
    assert clusters.get_cluster(iid=IID(name_id="k8s-01")).status == ClusterStatus.INACTIVE


def test_node_groups_scale_and_switch_autoscaling(clusters: AzureClusterHandler, fake_azure: FakeAzure) -> None:
    created = clusters.create_cluster(req=_req(_group("ng-a")))
    aks.settle(fake_azure)
    added = clusters.add_node_group(cluster_iid=created.iid, req=_group("ng-c", desired_node_size=1))
    assert added.iid.name_id == "ng-c" and added.status == ClusterStatus.CREATING
    assert added.iid.system_id.endswith("/agentPools/ngc")
    with pytest.raises(TransientError) as busy:  # AKS's 409 OperationNotAllowed: retried later, with backoff
        clusters.remove_node_group(cluster_iid=created.iid, node_group_iid=IID(name_id="ng-a"))
    assert "in progress" in busy.value.provider_message
    aks.settle(fake_azure)

    scaled = clusters.change_node_group_scaling(
        cluster_iid=created.iid, node_group_iid=added.iid, desired_node_size=3, min_node_size=2, max_node_size=5
    )
    assert (scaled.desired_node_size, scaled.min_node_size, scaled.max_node_size) == (3, 2, 5)
    assert scaled.status == ClusterStatus.UPDATING
    aks.settle(fake_azure)
    off = clusters.set_node_group_autoscaling(cluster_iid=created.iid, node_group_iid=IID(name_id="ng-c"), on=False)
    assert off.on_auto_scaling is False
    sent = _sent(fake_azure, "PUT", "/agentPools/ngc")[-1]["properties"]
    assert (sent["enableAutoScaling"], sent["minCount"], sent["maxCount"], sent["count"]) == (False, None, None, 3)
    assert "provisioningState" not in sent
    aks.settle(fake_azure)
    on = clusters.set_node_group_autoscaling(cluster_iid=created.iid, node_group_iid=IID(name_id="ng-c"), on=True)
    assert (on.on_auto_scaling, on.min_node_size, on.max_node_size) == (True, 3, 3)
    aks.settle(fake_azure)

    clusters.remove_node_group(cluster_iid=created.iid, node_group_iid=IID(name_id="ng-a"))
    assert clusters.remove_node_group(cluster_iid=created.iid, node_group_iid=IID(name_id="ng-a")) is None
    after = clusters.get_cluster(iid=created.iid)
    assert [group.iid.name_id for group in after.node_groups] == ["ng-c"]


def test_node_group_rules(clusters: AzureClusterHandler, fake_azure: FakeAzure) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        clusters.create_cluster(req=_req(_group("ng", desired_node_size=5)))
    assert caught.value.field == "desired_node_size"
    with pytest.raises(InvalidRequestError) as caught:
        clusters.create_cluster(req=_req(_group("a"), _group("b", key_pair_iid=IID(name_id="other"))))
    assert caught.value.field == "key_pair_iid"
    with pytest.raises(InvalidRequestError) as caught:
        clusters.create_cluster(req=_req(name="-bad"))
    assert caught.value.field == "name"
    assert not _sent(fake_azure, "PUT", "/managedClusters/")
    created = clusters.create_cluster(req=_req(_group("ng")))
    aks.settle(fake_azure)
    with pytest.raises(AlreadyExistsError):
        clusters.add_node_group(cluster_iid=created.iid, req=_group("ng"))
    with pytest.raises(InvalidRequestError):
        clusters.add_node_group(cluster_iid=created.iid, req=_group("ng2", key_pair_iid=IID(name_id="other")))


def test_names_and_references(clusters: AzureClusterHandler) -> None:
    clusters.create_cluster(req=_req())
    with pytest.raises(AlreadyExistsError):
        clusters.create_cluster(req=_req())
    missing = IID(name_id="no-such-cluster")
    with pytest.raises(NotFoundError):
        clusters.get_cluster(iid=missing)
    with pytest.raises(NotFoundError):
        clusters.upgrade_cluster(cluster_iid=missing, version="1.32.0")
    with pytest.raises(NotFoundError) as caught:
        clusters.create_cluster(req=_req(name="k8s-02", vpc_iid=IID(name_id="no-such-vpc")))
    assert caught.value.field == "vpc_iid"
    with pytest.raises(NotFoundError) as caught:
        clusters.create_cluster(req=_req(name="k8s-02", subnet_iids=(IID(name_id="no-such-subnet"),)))
    assert caught.value.field == "subnet_iids"
    with pytest.raises(NotFoundError) as caught:
        clusters.create_cluster(req=_req(_group("ng", key_pair_iid=IID(name_id="no-key")), name="k8s-02"))
    assert caught.value.field == "key_pair_iid"


def test_upgrade_sends_the_version_to_the_control_plane_and_pools(
    clusters: AzureClusterHandler, fake_azure: FakeAzure
) -> None:
    created = clusters.create_cluster(req=_req(_group("ng-a"), version="1.31.3"))
    aks.settle(fake_azure)
    upgraded = clusters.upgrade_cluster(cluster_iid=created.iid, version="1.32.0")
    assert upgraded.status == ClusterStatus.UPDATING and upgraded.version == "1.31.3"
    body = _sent(fake_azure, "PUT", "/managedClusters/k8s-01")[-1]["properties"]
    assert body["kubernetesVersion"] == "1.32.0"
    assert {pool["orchestratorVersion"] for pool in body["agentPoolProfiles"]} == {"1.32.0"}
    assert "provisioningState" not in body and "fqdn" not in body
    aks.settle(fake_azure)
    assert clusters.get_cluster(iid=created.iid).version == "1.32.0"
    with pytest.raises(InvalidRequestError) as caught:
        clusters.upgrade_cluster(cluster_iid=created.iid, version="9.99.0")
    assert caught.value.field == "version"
    with pytest.raises(InvalidRequestError):
        clusters.upgrade_cluster(cluster_iid=created.iid, version="latest")


def test_delete_is_followed_through_reads_and_is_idempotent(
    clusters: AzureClusterHandler, fake_azure: FakeAzure
) -> None:
    created = clusters.create_cluster(req=_req(_group("ng")))
    clusters.delete_cluster(iid=created.iid)
    # AKS's minutes passed in the driver's bounded wait, read after read.
    assert len(fake_azure.requests("GET", r"/managedClusters/k8s-01\?")) > aks.POLLS["Deleting"] // 2
    with pytest.raises(NotFoundError):
        clusters.get_cluster(iid=created.iid)
    assert clusters.delete_cluster(iid=created.iid) is None
    assert clusters.remove_node_group(cluster_iid=created.iid, node_group_iid=IID(name_id="ng")) is None


def test_a_slow_delete_answers_deleting_and_a_retry_is_the_delete_in_progress(
    clusters: AzureClusterHandler, fake_azure: FakeAzure, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("drivers.azure.cluster.EARLY_WAIT", 0.0)  # AKS slower than the driver's wait
    created = clusters.create_cluster(req=_req(_group("ng")))
    follow(clusters, created.iid, ClusterStatus.ACTIVE)
    assert clusters.delete_cluster(iid=created.iid) is None
    assert clusters.get_cluster(iid=created.iid).status == ClusterStatus.DELETING
    assert clusters.delete_cluster(iid=created.iid) is None  # a retried delete
    assert len(fake_azure.requests("DELETE", "/managedClusters/k8s-01")) == 1
    with pytest.raises(NotFoundError):
        follow(clusters, created.iid, ClusterStatus.INACTIVE)


def test_clusters_using_a_key_pair_or_security_group(
    clusters: AzureClusterHandler, azure: AzureConnection, fake_azure: FakeAzure
) -> None:
    clusters.create_cluster(req=_req(_group("ng")))
    session = azure._session
    assert clusters_using(session, key_pair="KEY-k8s") == ["k8s-01"]
    assert clusters_using(session, security_group="sg-k8s") == ["k8s-01"]
    assert clusters_using(session, key_pair="other", security_group="other") == []
