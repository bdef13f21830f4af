"""The cluster handler on what moto cannot show: clusters still creating or failed, node groups
degraded, upgrades (moto has no UpdateClusterVersion), updates in progress, slow deletes, and a
role IAM has not spread yet.

Recorded EKS answers (tests/drivers/aws/data/eks_*.json, as the API sends them) are parsed by
botocore as for any call, and handed to the handler's EKS client through botocore's Stubber, which
also checks each request; EC2 and IAM calls go to the emulator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.parsers
import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from drivers.aws import AWSConnection
from drivers.aws import _eks_convert as convert
from drivers.aws._errors import from_client_error
from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, QuotaError, TransientError
from drivers.types import IID, ClusterReqInfo, ClusterStatus, SecurityReqInfo, SubnetReqInfo, VPCReqInfo

DATA = Path(__file__).parent / "data"
EKS = botocore.session.get_session().get_service_model("eks")
ARN = "arn:aws:eks:us-east-1:111122223333:cluster/prod-k8s"
NAME = {"name": "prod-k8s"}
GROUP = {"clusterName": "prod-k8s", "nodegroupName": "ng-a"}


def recorded(name: str, operation: str) -> dict[str, Any]:
    """A recorded answer as boto3 hands it over (timestamps as datetimes, unknown keys dropped)."""
    answer = {"body": (DATA / name).read_bytes(), "headers": {}, "status_code": 200}
    parsed: dict[str, Any] = botocore.parsers.create_parser("rest-json").parse(
        answer, EKS.operation_model(operation).output_shape
    )
    parsed.pop("ResponseMetadata", None)
    return parsed


def cluster(state: str = "active", **changes: Any) -> dict[str, Any]:
    answer = recorded(f"eks_describe_cluster_{state}.json", "DescribeCluster")
    answer["cluster"].update(changes)
    return answer


def group(state: str = "active", **changes: Any) -> dict[str, Any]:
    answer = recorded(f"eks_describe_nodegroup_{state}.json", "DescribeNodegroup")
    answer["nodegroup"].update(changes)
    return answer


@pytest.fixture
def stub(aws: AWSConnection, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    monkeypatch.setattr("drivers.aws.cluster.DELETE_POLL_SECONDS", 0.0)
    monkeypatch.setattr("drivers.aws._eks_roles.NEW_ROLE_DELAYS", (0.0, 0.0))
    with Stubber(aws._clients.eks()) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def expect_reading(stub: Stubber, described: dict[str, Any], *groups: dict[str, Any]) -> None:
    """The calls that read a cluster and its node groups."""
    stub.add_response("describe_cluster", described, NAME)
    names = [g["nodegroup"]["nodegroupName"] for g in groups]
    stub.add_response("list_nodegroups", {"nodegroups": names}, {"clusterName": "prod-k8s"})
    for answer, name in zip(groups, names, strict=True):
        stub.add_response("describe_nodegroup", answer, {"clusterName": "prod-k8s", "nodegroupName": name})


@pytest.mark.parametrize(
    ("state", "status"),
    [("creating", ClusterStatus.CREATING), ("active", ClusterStatus.ACTIVE), ("failed", ClusterStatus.INACTIVE)],
)
def test_cluster_states(state: str, status: ClusterStatus) -> None:
    info = convert.cluster_info(cluster(state)["cluster"], [], convert.Lookups())
    assert info.status == status and info.iid == IID(name_id="prod-k8s", system_id=ARN)
    assert info.vpc_iid == IID(name_id="vpc-0abc1234def567890", system_id="vpc-0abc1234def567890")
    assert [s.system_id for s in info.subnet_iids] == ["subnet-0a1b2c3d4e5f60718", "subnet-0f9e8d7c6b5a49382"]
    assert info.created_at is not None and info.created_at.timestamp() == pytest.approx(1717405331.279)
    assert info.tags == {"team": "platform"} and info.version == "1.30"
    # Only an Active cluster has an endpoint to reach; a creating or failed one has neither it nor a CA.
    assert bool(info.endpoint) == bool(info.kubeconfig) == (state == "active")


def test_a_failed_cluster_says_why() -> None:
    info = convert.cluster_info(cluster("failed")["cluster"], [], convert.Lookups())
    assert info.extra["status"] == "FAILED"
    assert info.extra["issues"] == "Ec2SubnetNotFound: One or more subnets were not found: subnet-0f9e8d7c6b5a49382."


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("active", ClusterStatus.ACTIVE),
        ("creating", ClusterStatus.CREATING),
        ("degraded", ClusterStatus.INACTIVE),
        ("create_failed", ClusterStatus.INACTIVE),
    ],
)
def test_node_group_states(state: str, status: ClusterStatus) -> None:
    lookups = convert.Lookups(key_ids={"key-k8s": "key-0123456789abcdef0"})
    info = convert.node_group_info(group(state)["nodegroup"], lookups, cluster_name="prod-k8s")
    assert info.status == status
    assert info.key_pair_iid == IID(name_id="key-k8s", system_id="key-0123456789abcdef0")
    assert info.extra["status"] == state.upper() and ("issues" in info.extra) == (status == ClusterStatus.INACTIVE)


def test_a_node_group_reads_its_spec_sizes_image_disk_and_autoscaling_label() -> None:
    nodes = (IID(name_id="i-0aa", system_id="i-0aa"),)
    lookups = convert.Lookups(nodes={("prod-k8s", "ng-b"): nodes})
    info = convert.node_group_info(group("creating")["nodegroup"], lookups, cluster_name="prod-k8s")
    assert (info.spec_name, info.root_disk_size_gb, info.on_auto_scaling) == ("m6g.large", 20, False)
    assert (info.desired_node_size, info.min_node_size, info.max_node_size) == (1, 0, 4)
    assert info.image_iid == IID(name_id="AL2023_ARM_64_STANDARD", system_id="AL2023_ARM_64_STANDARD")
    assert info.nodes == nodes and info.extra["kubernetes_version"] == "1.30"


def test_the_node_groups_asked_for_show_as_creating_while_the_cluster_is(aws: AWSConnection, stub: Stubber) -> None:
    wanted = [{"nodegroupName": "ng-z", "scalingConfig": {"minSize": 1, "maxSize": 2, "desiredSize": 1}}]
    tags = {"team": "platform", **convert.wanted_tags(wanted)}
    expect_reading(stub, cluster("creating", tags=tags))
    info = aws.cluster().get_cluster(iid=IID(name_id="prod-k8s"))  # no CreateNodegroup: it would be unexpected
    assert info.status == ClusterStatus.CREATING and info.tags == {"team": "platform"}
    assert [(g.iid.name_id, g.status, g.desired_node_size) for g in info.node_groups] == [
        ("ng-z", ClusterStatus.CREATING, 1)
    ]


def test_upgrade_moves_the_control_plane_and_shows_the_new_version(aws: AWSConnection, stub: Stubber) -> None:
    expect_reading(stub, cluster(), group())
    update = recorded("eks_update_cluster_version.json", "UpdateClusterVersion")
    stub.add_response("update_cluster_version", update, {**NAME, "version": "1.31"})
    target = {convert.NODE_VERSION_TAG: f"1.31/{update['update']['id']}"}
    stub.add_response("tag_resource", {}, {"resourceArn": ARN, "tags": target})
    expect_reading(stub, cluster(status="UPDATING", tags={"team": "platform", **target}), group())
    info = aws.cluster().upgrade_cluster(cluster_iid=IID(name_id="prod-k8s"), version="1.31")
    assert (info.version, info.status, info.extra["upgrading_from"]) == ("1.31", ClusterStatus.UPDATING, "1.30")
    assert info.tags == {"team": "platform"}


@pytest.mark.parametrize("version", ["1.30", "1.29", "1.32", "2.0"])
def test_upgrade_goes_up_one_minor_version_only(aws: AWSConnection, stub: Stubber, version: str) -> None:
    stub.add_response("describe_cluster", cluster(), NAME)
    with pytest.raises(InvalidRequestError) as caught:
        aws.cluster().upgrade_cluster(cluster_iid=IID(name_id="prod-k8s"), version=version)
    assert caught.value.field == "version"


def test_the_node_groups_follow_once_the_control_plane_is_upgraded(aws: AWSConnection, stub: Stubber) -> None:
    tags = {"team": "platform", convert.NODE_VERSION_TAG: "1.31/b5f0e4d2-7c3a-3b8e-9f1d-6a2c4e8b0d17"}
    stub.add_response("describe_cluster", cluster(version="1.31", tags=tags), NAME)
    stub.add_response("list_nodegroups", {"nodegroups": ["ng-a"]}, {"clusterName": "prod-k8s"})
    stub.add_response("describe_nodegroup", group(), GROUP)
    stub.add_response("update_nodegroup_version", {"update": {"id": "u-1", "status": "InProgress"}}, GROUP)
    expect_reading(stub, cluster(version="1.31", tags=tags), group(status="UPDATING"))
    first = aws.cluster().get_cluster(iid=IID(name_id="prod-k8s"))
    assert first.node_groups[0].status == ClusterStatus.UPDATING
    # Once every group runs the new version, nothing is left to follow.
    stub.add_response("describe_cluster", cluster(version="1.31", tags=tags), NAME)
    stub.add_response("list_nodegroups", {"nodegroups": ["ng-a"]}, {"clusterName": "prod-k8s"})
    stub.add_response("describe_nodegroup", group(version="1.31"), GROUP)
    stub.add_response("untag_resource", {}, {"resourceArn": ARN, "tagKeys": [convert.NODE_VERSION_TAG]})
    expect_reading(stub, cluster(version="1.31"), group(version="1.31"))
    settled = aws.cluster().get_cluster(iid=IID(name_id="prod-k8s"))
    assert settled.status == settled.node_groups[0].status == ClusterStatus.ACTIVE and settled.version == "1.31"


def test_a_failed_upgrade_leaves_the_node_groups_as_they_are(aws: AWSConnection, stub: Stubber) -> None:
    tags = {"team": "platform", convert.NODE_VERSION_TAG: "1.31/b5f0e4d2-7c3a-3b8e-9f1d-6a2c4e8b0d17"}
    stub.add_response("describe_cluster", cluster(tags=tags), NAME)
    failed = recorded("eks_update_cluster_version.json", "UpdateClusterVersion")
    failed["update"]["status"] = "Failed"
    stub.add_response("describe_update", failed, {**NAME, "updateId": "b5f0e4d2-7c3a-3b8e-9f1d-6a2c4e8b0d17"})
    stub.add_response("untag_resource", {}, {"resourceArn": ARN, "tagKeys": [convert.NODE_VERSION_TAG]})
    expect_reading(stub, cluster(), group())
    info = aws.cluster().get_cluster(iid=IID(name_id="prod-k8s"))
    assert (info.version, info.status) == ("1.30", ClusterStatus.ACTIVE)


def test_a_resize_shows_the_sizes_asked_for_and_updating(aws: AWSConnection, stub: Stubber) -> None:
    stub.add_response("describe_cluster", cluster(), NAME)
    stub.add_response("describe_nodegroup", group(), GROUP)
    scaling = {"minSize": 2, "maxSize": 5, "desiredSize": 3}
    update = recorded("eks_update_nodegroup_config.json", "UpdateNodegroupConfig")
    stub.add_response("update_nodegroup_config", update, {**GROUP, "scalingConfig": scaling})
    stub.add_response("describe_nodegroup", group(), GROUP)
    info = aws.cluster().change_node_group_scaling(
        cluster_iid=IID(name_id="prod-k8s"),
        node_group_iid=IID(name_id="ng-a"),
        desired_node_size=3,
        min_node_size=2,
        max_node_size=5,
    )
    assert (info.desired_node_size, info.min_node_size, info.max_node_size) == (3, 2, 5)
    assert info.status == ClusterStatus.UPDATING


def test_delete_waits_for_the_node_groups_then_deletes_the_cluster(aws: AWSConnection, stub: Stubber) -> None:
    expect_reading(stub, cluster(), group())
    stub.add_response("delete_nodegroup", group(status="DELETING"), GROUP)
    stub.add_response("list_nodegroups", {"nodegroups": ["ng-a"]}, {"clusterName": "prod-k8s"})
    stub.add_response("describe_nodegroup", group(status="DELETING"), GROUP)
    stub.add_response("list_nodegroups", {"nodegroups": []}, {"clusterName": "prod-k8s"})
    stub.add_response("delete_cluster", cluster(status="DELETING"), NAME)
    assert aws.cluster().delete_cluster(iid=IID(name_id="prod-k8s")) is None


def test_a_delete_still_waiting_for_node_groups_is_transient(
    aws: AWSConnection, stub: Stubber, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("drivers.aws.cluster.DELETE_WAIT_SECONDS", 0.0)
    expect_reading(stub, cluster(), group(status="DELETING"))
    stub.add_response("list_nodegroups", {"nodegroups": ["ng-a"]}, {"clusterName": "prod-k8s"})
    stub.add_response("describe_nodegroup", group(status="DELETING"), GROUP)
    with pytest.raises(TransientError, match="ng-a"):
        aws.cluster().delete_cluster(iid=IID(name_id="prod-k8s"))
    # A cluster already being deleted is left to it.
    stub.add_response("describe_cluster", cluster(status="DELETING"), NAME)
    assert aws.cluster().delete_cluster(iid=IID(name_id="prod-k8s")) is None


@pytest.fixture
def request_(aws: AWSConnection) -> ClusterReqInfo:
    vpc = aws.vpc().create_vpc(
        req=VPCReqInfo(
            name="net", ipv4_cidr="10.60.0.0/16", subnets=(SubnetReqInfo(name="a", ipv4_cidr="10.60.1.0/24"),)
        )
    )
    aws.security_group().create_security_group(req=SecurityReqInfo(name="sg", vpc_iid=vpc.iid))
    return ClusterReqInfo(
        name="prod-k8s", vpc_iid=vpc.iid, subnet_iids=(vpc.subnets[0].iid,), security_group_iids=(IID(name_id="sg"),)
    )


def test_create_waits_for_a_new_role_to_reach_eks(aws: AWSConnection, stub: Stubber, request_: ClusterReqInfo) -> None:
    missing = {"clusterName": "prod-k8s", "message": "No cluster found for name: prod-k8s."}
    stub.add_client_error("describe_cluster", "ResourceNotFoundException", missing["message"], 404, NAME)
    params = {"name": "prod-k8s", "roleArn": ANY, "resourcesVpcConfig": ANY, "tags": {}}
    refused = "Role with arn: arn:aws:iam::123456789012:role/spiderweb-eks-cluster-role, could not be assumed."
    stub.add_client_error("create_cluster", "InvalidParameterException", refused, 400, params)
    stub.add_response("create_cluster", cluster("creating", tags={}), params)
    stub.add_response("list_nodegroups", {"nodegroups": []}, {"clusterName": "prod-k8s"})
    info = aws.cluster().create_cluster(req=request_)
    assert info.status == ClusterStatus.CREATING and info.endpoint == ""


def test_a_name_taken_meanwhile_is_already_exists(aws: AWSConnection, stub: Stubber, request_: ClusterReqInfo) -> None:
    aws._clients.iam().create_role(RoleName="spiderweb-eks-cluster-role", AssumeRolePolicyDocument=json.dumps({}))
    stub.add_client_error("describe_cluster", "ResourceNotFoundException", "No cluster found", 404, NAME)
    stub.add_client_error("create_cluster", "ResourceInUseException", "Cluster already exists with name: prod-k8s", 409)
    with pytest.raises(AlreadyExistsError):
        aws.cluster().create_cluster(req=request_)


def test_subnets_eks_refuses_are_named(aws: AWSConnection, stub: Stubber, request_: ClusterReqInfo) -> None:
    aws._clients.iam().create_role(RoleName="spiderweb-eks-cluster-role", AssumeRolePolicyDocument=json.dumps({}))
    stub.add_client_error("describe_cluster", "ResourceNotFoundException", "No cluster found", 404, NAME)
    message = "Subnets specified must be in at least two different AZs"
    stub.add_client_error("create_cluster", "InvalidParameterException", message, 400)
    with pytest.raises(InvalidRequestError, match="two different AZs") as caught:
        aws.cluster().create_cluster(req=request_)
    assert caught.value.field == "subnet_iids"


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("ResourceInUseException", 409, DependencyError),
        ("ResourceLimitExceededException", 400, QuotaError),
        ("InvalidParameterException", 400, InvalidRequestError),
        ("InvalidRequestException", 400, InvalidRequestError),
        ("UnsupportedAvailabilityZoneException", 400, InvalidRequestError),
    ],
)
def test_eks_error_codes(code: str, status: int, error: type[Exception]) -> None:
    from botocore.exceptions import ClientError

    answer = {"Error": {"Code": code, "Message": "EKS says no"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    assert isinstance(from_client_error(ClientError(answer, "CreateCluster")), error)  # type: ignore[arg-type]
