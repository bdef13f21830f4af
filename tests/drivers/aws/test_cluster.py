"""What the AWS cluster handler does beyond the conformance suite, against the emulator: IAM roles,
the kubeconfig, node groups asked for before the cluster is Active, checks, and what a cluster uses.

The paths moto cannot show (clusters still creating or failed, upgrades) run on recorded answers
in test_cluster_recorded.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
import yaml

from drivers.aws import AWSConnection
from drivers.aws import _eks_convert as convert
from drivers.aws._eks_nodes import group_params
from drivers.aws._eks_roles import CLUSTER_ROLE, NODE_ROLE, ensure_role, role_of
from drivers.aws.cluster import cluster_arn, clusters_using, list_cluster_iids
from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.types import (
    IID,
    ClusterReqInfo,
    ClusterStatus,
    KeyPairReqInfo,
    NodeGroupReqInfo,
    SecurityReqInfo,
    SubnetReqInfo,
    VPCReqInfo,
)
from tests.drivers.aws import emulator


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr("drivers.aws.cluster.DELETE_POLL_SECONDS", 0.0)
    yield


@pytest.fixture
def with_managed_policies(monkeypatch: pytest.MonkeyPatch, aws: AWSConnection) -> AWSConnection:
    """The emulator with AWS's managed policies, as AWS has them (moto loads them on request only)."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    emulator.reset()
    return aws


@pytest.fixture
def network(aws: AWSConnection) -> dict[str, IID]:
    vpc = aws.vpc().create_vpc(
        req=VPCReqInfo(
            name="k8s-net",
            ipv4_cidr="10.50.0.0/16",
            subnets=(
                SubnetReqInfo(name="k8s-a", ipv4_cidr="10.50.1.0/24", zone="us-east-1a"),
                SubnetReqInfo(name="k8s-b", ipv4_cidr="10.50.2.0/24", zone="us-east-1b"),
            ),
        )
    )
    sg = aws.security_group().create_security_group(req=SecurityReqInfo(name="k8s-sg", vpc_iid=vpc.iid))
    key = aws.key_pair().create_key_pair(req=KeyPairReqInfo(name="k8s-key"))
    return {"vpc": vpc.iid, "a": vpc.subnets[0].iid, "b": vpc.subnets[1].iid, "sg": sg.iid, "key": key.iid}


def _group(name: str = "ng", **changes: object) -> NodeGroupReqInfo:
    req = NodeGroupReqInfo(
        name=name, spec_name="t3.micro", key_pair_iid=IID(name_id="k8s-key"), desired_node_size=2, max_node_size=3
    )
    return replace(req, **changes)  # type: ignore[arg-type]


def _cluster(network: dict[str, IID], *groups: NodeGroupReqInfo, **changes: object) -> ClusterReqInfo:
    req = ClusterReqInfo(
        name="k8s",
        vpc_iid=network["vpc"],
        version="1.30",
        subnet_iids=(network["a"], network["b"]),
        security_group_iids=(network["sg"],),
        node_groups=groups,
        tags={"team": "platform"},
    )
    return replace(req, **changes)  # type: ignore[arg-type]


def test_roles_are_made_once_with_the_eks_policies_and_reused(
    with_managed_policies: AWSConnection, network: dict[str, IID]
) -> None:
    aws = with_managed_policies
    iam = aws._clients.iam()
    made: list[str] = []
    iam.meta.events.register(
        "before-parameter-build.iam.CreateRole", lambda params, **_: made.append(params["RoleName"])
    )
    aws.cluster().create_cluster(req=_cluster(network, _group()))
    aws.cluster().create_cluster(req=_cluster(network, _group(), name="k8s-2"))
    assert made == [CLUSTER_ROLE.name, NODE_ROLE.name]
    for spec in (CLUSTER_ROLE, NODE_ROLE):
        role = iam.get_role(RoleName=spec.name)["Role"]
        trust = role["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        assert trust["Statement"][0]["Principal"] == {"Service": spec.service}
        attached = iam.list_attached_role_policies(RoleName=spec.name)["AttachedPolicies"]
        assert sorted(p["PolicyName"] for p in attached) == sorted(spec.policies)
    eks = aws._clients.eks()
    assert eks.describe_cluster(name="k8s")["cluster"]["roleArn"].endswith(f":role/{CLUSTER_ROLE.name}")
    group = eks.describe_nodegroup(clusterName="k8s-2", nodegroupName="ng")["nodegroup"]
    assert group["nodeRole"].endswith(f":role/{NODE_ROLE.name}")


def test_a_role_whose_policy_cannot_be_attached_is_not_left_behind(aws: AWSConnection) -> None:
    # moto, unasked, has none of AWS's managed policies: on AWS itself that is an error.
    iam = aws._clients.iam()
    with pytest.raises(NotFoundError):
        ensure_role(iam, CLUSTER_ROLE, aws_endpoint=True)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=CLUSTER_ROLE.name)
    # An AWS-compatible endpoint without them gets the role with the policies it has.
    arn, made = ensure_role(iam, CLUSTER_ROLE, aws_endpoint=False)
    assert made and arn.endswith(f":role/{CLUSTER_ROLE.name}")
    assert ensure_role(iam, CLUSTER_ROLE, aws_endpoint=False) == (arn, False)


def test_the_kubeconfig_reaches_the_endpoint_and_signs_in_with_aws_eks_get_token(
    aws: AWSConnection, network: dict[str, IID]
) -> None:
    info = aws.cluster().create_cluster(req=_cluster(network))
    described = aws._clients.eks().describe_cluster(name="k8s")["cluster"]
    config = yaml.safe_load(info.kubeconfig)
    arn = described["arn"]
    assert info.iid == IID(name_id="k8s", system_id=arn) and info.endpoint == described["endpoint"]
    assert config["current-context"] == arn
    assert config["clusters"] == [
        {
            "name": arn,
            "cluster": {
                "server": described["endpoint"],
                "certificate-authority-data": described["certificateAuthority"]["data"],
            },
        }
    ]
    assert config["contexts"] == [{"name": arn, "context": {"cluster": arn, "user": arn}}]
    user = config["users"][0]["user"]["exec"]
    assert user["command"] == "aws" and user["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert user["args"] == ["--region", "us-east-1", "eks", "get-token", "--cluster-name", "k8s", "--output", "json"]


def test_a_node_group_gets_the_spec_key_sizes_disk_and_an_ami_type_for_the_spec(
    aws: AWSConnection, network: dict[str, IID]
) -> None:
    group = _group(on_auto_scaling=False, root_disk_size_gb=40, tags={"cost": "ci"})
    info = aws.cluster().create_cluster(req=_cluster(network, group)).node_groups[0]
    assert (info.spec_name, info.key_pair_iid, info.root_disk_size_gb) == ("t3.micro", network["key"], 40)
    assert (info.desired_node_size, info.min_node_size, info.max_node_size) == (2, 1, 3)
    assert info.on_auto_scaling is False and info.tags == {"cost": "ci"}
    assert info.image_iid == IID(name_id="AL2023_x86_64_STANDARD", system_id="AL2023_x86_64_STANDARD")
    raw = aws._clients.eks().describe_nodegroup(clusterName="k8s", nodegroupName="ng")["nodegroup"]
    assert raw["subnets"] == [network["a"].system_id, network["b"].system_id]
    # SSH to the nodes only from the cluster's groups, not from anywhere (EKS's default).
    assert raw["remoteAccess"] == {"ec2SshKey": "k8s-key", "sourceSecurityGroups": [network["sg"].system_id]}
    assert raw["labels"] == {convert.AUTOSCALING_LABEL: "off"}


def test_node_groups_wanted_before_the_cluster_was_active_are_made_by_the_first_read(
    aws: AWSConnection, network: dict[str, IID]
) -> None:
    # A cluster as create_cluster leaves it while EKS still creates it (moto makes clusters Active at once).
    eks = aws._clients.eks()
    wanted = [group_params(aws._clients, _group(name), prefix="") for name in ("ng-a", "ng-b")]
    role, _ = role_of(aws._clients, CLUSTER_ROLE)
    config = {"subnetIds": [network["a"].system_id], "securityGroupIds": [network["sg"].system_id]}
    eks.create_cluster(
        name="later", roleArn=role, resourcesVpcConfig=config, tags={"team": "x", **convert.wanted_tags(wanted)}
    )

    info = aws.cluster().get_cluster(iid=IID(name_id="later"))
    assert [g.iid.name_id for g in info.node_groups] == ["ng-a", "ng-b"]
    assert all(
        g.iid.system_id.startswith("arn:aws:eks:") and g.key_pair_iid == network["key"] for g in info.node_groups
    )
    assert eks.describe_cluster(name="later")["cluster"]["tags"] == {"team": "x"} and info.tags == {"team": "x"}
    assert eks.describe_nodegroup(clusterName="later", nodegroupName="ng-a")["nodegroup"]["nodeRole"].endswith(
        f":role/{NODE_ROLE.name}"
    )
    assert [g.iid.name_id for g in aws.cluster().get_cluster(iid=IID(name_id="later")).node_groups] == ["ng-a", "ng-b"]


def test_spiderweb_tags_are_reserved(aws: AWSConnection, network: dict[str, IID]) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        aws.cluster().create_cluster(req=_cluster(network, tags={"spiderweb:node-version": "1.31"}))
    assert caught.value.field == "tags"
    with pytest.raises(InvalidRequestError) as caught:
        aws.cluster().create_cluster(req=_cluster(network, _group(tags={"Spiderweb:x": "y"})))
    assert caught.value.field == "node_groups[0].tags"


@pytest.mark.parametrize(
    ("sizes", "field"),
    [
        ({"desired_node_size": 5, "min_node_size": 1, "max_node_size": 3}, "desired_node_size"),
        ({"desired_node_size": 1, "min_node_size": 2, "max_node_size": 3}, "min_node_size"),
        ({"desired_node_size": 0, "min_node_size": 0, "max_node_size": 0}, "max_node_size"),
        ({"desired_node_size": 1, "min_node_size": -1, "max_node_size": 3}, "min_node_size"),
        ({"desired_node_size": 1.5, "min_node_size": 1, "max_node_size": 3}, "desired_node_size"),
    ],
)
def test_bad_sizes_are_refused_naming_the_field_before_anything_is_made(
    aws: AWSConnection, network: dict[str, IID], sizes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        aws.cluster().create_cluster(req=_cluster(network, _group("ok"), _group("bad", **sizes)))
    assert caught.value.field == f"node_groups[1].{field}"
    assert aws.cluster().list_clusters() == []
    cluster = aws.cluster().create_cluster(req=_cluster(network)).iid
    with pytest.raises(InvalidRequestError) as caught:
        aws.cluster().add_node_group(cluster_iid=cluster, req=_group("bad", **sizes))
    assert caught.value.field == field
    with pytest.raises(InvalidRequestError) as caught:
        aws.cluster().change_node_group_scaling(
            cluster_iid=cluster,
            node_group_iid=IID(name_id="bad"),
            desired_node_size=sizes["desired_node_size"],  # type: ignore[arg-type]
            min_node_size=sizes["min_node_size"],  # type: ignore[arg-type]
            max_node_size=sizes["max_node_size"],  # type: ignore[arg-type]
        )
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"key_pair_iid": IID(name_id="no-such-key")}, NotFoundError, "key_pair_iid"),
        ({"spec_name": "t9.nonexistent"}, NotFoundError, "spec_name"),
        ({"image_iid": IID(name_id="ami-03c3da4cfa8e8943a")}, InvalidRequestError, "image_iid"),
        ({"image_iid": IID(name_id="AL2023_ARM_64_STANDARD")}, InvalidRequestError, "image_iid"),
        ({"root_disk_type": "gp3"}, InvalidRequestError, "root_disk_type"),
        ({"name": "-starts-with-a-hyphen"}, InvalidRequestError, "name"),
        ({"name": "n" * 64}, InvalidRequestError, "name"),
    ],
)
def test_a_node_group_aws_cannot_make_is_refused_before_the_cluster(
    aws: AWSConnection, network: dict[str, IID], changes: dict[str, object], error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as caught:
        aws.cluster().create_cluster(req=_cluster(network, _group(**changes)))
    assert getattr(caught.value, "field", "") == f"node_groups[0].{field}"
    assert aws.cluster().list_clusters() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "k8s.prod"}, "name"),
        ({"name": "c" * 101}, "name"),
        ({"version": "1.30.2"}, "version"),
        ({"subnet_iids": ()}, "subnet_iids"),
        ({"subnet_iids": (IID(name_id="subnet-elsewhere"),)}, "subnet_iids[0]"),
        ({"security_group_iids": (IID(name_id="no-such-sg"),)}, "security_group_iids[0]"),
        ({"vpc_iid": IID(name_id="no-such-vpc")}, "vpc_iid"),
    ],
)
def test_a_cluster_aws_cannot_make_is_refused_naming_the_field(
    aws: AWSConnection, network: dict[str, IID], changes: dict[str, object], field: str
) -> None:
    with pytest.raises((InvalidRequestError, NotFoundError)) as caught:
        aws.cluster().create_cluster(req=_cluster(network, **changes))
    assert getattr(caught.value, "field", "") == field
    assert aws.cluster().list_clusters() == []


def test_two_node_groups_of_one_name_are_refused(aws: AWSConnection, network: dict[str, IID]) -> None:
    with pytest.raises(AlreadyExistsError) as caught:
        aws.cluster().create_cluster(req=_cluster(network, _group("same"), _group("same")))
    assert caught.value.field == "node_groups[1].name"
    cluster = aws.cluster().create_cluster(req=_cluster(network, _group("same"))).iid
    with pytest.raises(AlreadyExistsError):
        aws.cluster().add_node_group(cluster_iid=cluster, req=_group("same"))


def test_switching_autoscaling_needs_an_existing_group_and_a_boolean(
    aws: AWSConnection, network: dict[str, IID]
) -> None:
    cluster = aws.cluster().create_cluster(req=_cluster(network, _group())).iid
    with pytest.raises(NotFoundError) as caught:
        aws.cluster().set_node_group_autoscaling(cluster_iid=cluster, node_group_iid=IID(name_id="other"), on=False)
    assert caught.value.field == "node_group_iid"
    with pytest.raises(InvalidRequestError):
        aws.cluster().set_node_group_autoscaling(cluster_iid=cluster, node_group_iid=IID(name_id="ng"), on="no")  # type: ignore[arg-type]


def test_lookups_by_arn_find_only_that_cluster_and_node_group(aws: AWSConnection, network: dict[str, IID]) -> None:
    info = aws.cluster().create_cluster(req=_cluster(network, _group()))
    group = info.node_groups[0].iid
    assert aws.cluster().get_cluster(iid=IID(name_id="", system_id=info.iid.system_id)).iid == info.iid
    aws.cluster().remove_node_group(cluster_iid=info.iid, node_group_iid=group)
    aws.cluster().add_node_group(cluster_iid=info.iid, req=_group())
    # The same name made again is another node group: the old ARN finds nothing to remove.
    aws.cluster().remove_node_group(cluster_iid=info.iid, node_group_iid=group)
    assert [g.iid.name_id for g in aws.cluster().get_cluster(iid=info.iid).node_groups] == ["ng"]
    with pytest.raises(NotFoundError):
        aws.cluster().get_cluster(iid=IID(name_id="k8s", system_id="arn:aws:eks:us-east-1:123456789012:cluster/other"))


def test_the_nodes_are_the_vms_eks_tags_with_the_cluster_and_node_group(
    aws: AWSConnection, network: dict[str, IID]
) -> None:
    cluster = aws.cluster().create_cluster(req=_cluster(network, _group("ng-a"), _group("ng-b"))).iid
    tags = [{"Key": "eks:cluster-name", "Value": "k8s"}, {"Key": "eks:nodegroup-name", "Value": "ng-b"}]
    started = aws._clients.ec2().run_instances(
        ImageId="ami-03c3da4cfa8e8943a",
        InstanceType="t3.micro",
        MinCount=2,
        MaxCount=2,
        SubnetId=network["a"].system_id,
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
    )
    ids = sorted(i["InstanceId"] for i in started["Instances"])
    groups = aws.cluster().get_cluster(iid=cluster).node_groups
    assert groups[0].nodes == ()
    assert sorted(node.system_id for node in groups[1].nodes) == ids


def test_what_a_cluster_uses_is_refused_naming_it(aws: AWSConnection, network: dict[str, IID]) -> None:
    aws.cluster().create_cluster(req=_cluster(network, _group()))
    with pytest.raises(DependencyError, match="k8s"):
        aws.security_group().delete_security_group(iid=network["sg"])
    with pytest.raises(DependencyError, match="k8s"):
        aws.key_pair().delete_key_pair(iid=network["key"])
    clients = aws._clients
    assert clusters_using(clients, vpc_id=network["vpc"].system_id) == ["k8s"]
    assert clusters_using(clients, security_group_id="sg-0000000000000000") == []
    aws.cluster().remove_node_group(cluster_iid=IID(name_id="k8s"), node_group_iid=IID(name_id="ng"))
    assert clusters_using(clients, key_name="k8s-key") == []


def test_a_key_a_wanted_node_group_will_use_is_in_use(aws: AWSConnection, network: dict[str, IID]) -> None:
    eks = aws._clients.eks()
    role = "arn:aws:iam::123456789012:role/spiderweb-eks-cluster-role"
    wanted = convert.wanted_tags([{"nodegroupName": "ng", "remoteAccess": {"ec2SshKey": "k8s-key"}}])
    config = {"subnetIds": [network["a"].system_id]}
    eks.create_cluster(name="creating", roleArn=role, resourcesVpcConfig=config, tags=wanted)
    assert clusters_using(aws._clients, key_name="k8s-key") == ["creating"]


def test_the_cluster_iids_and_arns_the_tag_calls_need(aws: AWSConnection, network: dict[str, IID]) -> None:
    first = aws.cluster().create_cluster(req=_cluster(network, name="b-cluster")).iid
    second = aws.cluster().create_cluster(req=_cluster(network, name="a-cluster")).iid
    assert list_cluster_iids(aws._clients) == [(second, second.system_id), (first, first.system_id)]
    assert cluster_arn(aws._clients, IID(name_id="b-cluster")) == (first, first.system_id)
    with pytest.raises(NotFoundError):
        cluster_arn(aws._clients, IID(name_id="nope"))


def test_a_node_group_still_wanted_can_be_dropped_but_not_changed(aws: AWSConnection, network: dict[str, IID]) -> None:
    eks = aws._clients.eks()
    role = "arn:aws:iam::123456789012:role/spiderweb-eks-cluster-role"
    wanted = convert.wanted_tags([{"nodegroupName": "ng", "remoteAccess": {"ec2SshKey": "k8s-key"}}])
    cluster = eks.create_cluster(name="w", roleArn=role, resourcesVpcConfig={"subnetIds": []}, tags=wanted)
    aws.cluster().remove_node_group(cluster_iid=IID(name_id="w"), node_group_iid=IID(name_id="ng"))
    assert eks.describe_cluster(name="w")["cluster"]["tags"] == {}
    eks.tag_resource(resourceArn=cluster["cluster"]["arn"], tags=wanted)
    with pytest.raises(InvalidStateError):
        aws.cluster().change_node_group_scaling(
            cluster_iid=IID(name_id="w"),
            node_group_iid=IID(name_id="ng"),
            desired_node_size=1,
            min_node_size=1,
            max_node_size=1,
        )
    assert aws.cluster().get_cluster(iid=IID(name_id="w")).node_groups[0].status == ClusterStatus.ACTIVE
