"""What the AWS NLB handler does beyond the conformance suite: what reaches ELBv2, the checks made
before any call, rollback of a half-made NLB, and the converters on a recorded DescribeX answer set."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from drivers.aws import AWSConnection
from drivers.aws._nlb_convert import (
    copied_health,
    health_info,
    main_listener,
    name_from_arn,
    nlb_info,
    one_subnet_per_zone,
    target_group_name,
)
from drivers.aws.nlb import list_nlb_iids, nlb_arn
from drivers.errors import (
    AlreadyExistsError,
    DependencyError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
    QuotaError,
)
from drivers.types import (
    IID,
    HealthCheckerInfo,
    KeyPairReqInfo,
    ListenerInfo,
    NLBReqInfo,
    SecurityReqInfo,
    SubnetReqInfo,
    VMGroupInfo,
    VMReqInfo,
    VMStatus,
    VPCReqInfo,
)

DATA = Path(__file__).parent / "data"
IMAGE = IID(name_id="ami-03c3da4cfa8e8943a")  # in moto's default catalogue


def _recorded() -> dict[str, Any]:
    answers: dict[str, Any] = json.loads((DATA / "elbv2_describe_nlb.json").read_text())
    return answers


@pytest.fixture
def vpc(aws: AWSConnection) -> IID:
    subnets = (
        SubnetReqInfo(name="front-a", ipv4_cidr="10.40.1.0/24", zone="us-east-1a"),
        SubnetReqInfo(name="front-b", ipv4_cidr="10.40.2.0/24", zone="us-east-1b"),
        SubnetReqInfo(name="spare-a", ipv4_cidr="10.40.3.0/24", zone="us-east-1a"),
    )
    return aws.vpc().create_vpc(req=VPCReqInfo(name="web", ipv4_cidr="10.40.0.0/16", subnets=subnets)).iid


def _vm(aws: AWSConnection, vpc: IID, name: str) -> IID:
    if not any(group.iid.name_id == "web-sg" for group in aws.security_group().list_security_groups()):
        aws.security_group().create_security_group(req=SecurityReqInfo(name="web-sg", vpc_iid=vpc))
        aws.key_pair().create_key_pair(req=KeyPairReqInfo(name="web-key"))
    subnet = aws.vpc().get_vpc(iid=vpc).subnets[0].iid
    req = VMReqInfo(
        name=name,
        image_iid=IMAGE,
        spec_name="t3.micro",
        vpc_iid=vpc,
        subnet_iid=subnet,
        security_group_iids=(IID(name_id="web-sg"),),
        key_pair_iid=IID(name_id="web-key"),
    )
    vm = aws.vm().start_vm(req=req).iid
    _wait(lambda: aws.vm().get_vm_status(iid=vm) == VMStatus.RUNNING)
    return vm


def _wait(check: Any) -> None:
    deadline = time.monotonic() + 20
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _req(vpc: IID, *vms: IID, name: str = "shop") -> NLBReqInfo:
    return NLBReqInfo(
        name=name,
        vpc_iid=vpc,
        listener=ListenerInfo(protocol="TCP", port=80),
        vm_group=VMGroupInfo(protocol="TCP", port=8080, vm_iids=vms),
        health_checker=HealthCheckerInfo(protocol="TCP", port=8080, interval_s=10, timeout_s=5, threshold=3),
        tags={"team": "shop"},
    )


def _groups(aws: AWSConnection) -> list[dict[str, Any]]:
    return [dict(group) for group in aws._clients.elbv2().describe_target_groups()["TargetGroups"]]


def test_an_internal_nlb_takes_one_subnet_per_zone_and_a_tagged_target_group(aws: AWSConnection, vpc: IID) -> None:
    nlb = aws.nlb().create_nlb(req=replace(_req(vpc), type="INTERNAL"))
    assert nlb.type == "INTERNAL" and nlb.listener.dns_name and nlb.listener.ip == ""
    assert nlb.created_at is not None and nlb.extra["zones"] == "us-east-1a,us-east-1b"
    elb = aws._clients.elbv2()
    lb = elb.describe_load_balancers(Names=["shop"])["LoadBalancers"][0]
    assert (lb["Type"], lb["Scheme"]) == ("network", "internal")
    names = {s.iid.system_id: s.iid.name_id for s in aws.vpc().get_vpc(iid=vpc).subnets}
    assert sorted(names[zone["SubnetId"]] for zone in lb["AvailabilityZones"]) == ["front-a", "front-b"]
    [group] = _groups(aws)
    assert (group["TargetGroupName"], group["TargetType"], group["VpcId"]) == (
        "shop-tcp-8080",
        "instance",
        vpc.system_id,
    )
    assert (group["HealthCheckProtocol"], group["HealthCheckPort"]) == ("TCP", "8080")
    assert (group["HealthCheckIntervalSeconds"], group["HealthCheckTimeoutSeconds"]) == (10, 5)
    assert (group["HealthyThresholdCount"], group["UnhealthyThresholdCount"]) == (3, 3)
    tags = elb.describe_tags(ResourceArns=[group["TargetGroupArn"], lb["LoadBalancerArn"]])["TagDescriptions"]
    assert [{t["Key"]: t["Value"] for t in d["Tags"]} for d in tags] == [{"Name": "shop", "team": "shop"}] * 2


@pytest.mark.parametrize("name", ["", "-shop", "shop-", "a" * 33, "my shop", "shop_1", "internal-shop", "shöp"])
def test_names_elb_refuses_are_refused_before_any_call(aws: AWSConnection, vpc: IID, name: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        aws.nlb().create_nlb(req=_req(vpc, name=name))
    assert caught.value.field == "name"
    assert aws.nlb().list_nlbs() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scope": "GLOBAL"}, "scope"),
        ({"vm_group": VMGroupInfo(protocol="UDP", port=8080)}, "vm_group.protocol"),
        ({"listener": ListenerInfo(protocol="TCP", port=0)}, "listener.port"),
        ({"health_checker": HealthCheckerInfo(protocol="TCP", port=80, interval_s=3)}, "health_checker.interval_s"),
        (
            {"health_checker": HealthCheckerInfo(protocol="TCP", port=80, interval_s=10, timeout_s=20)},
            "health_checker.timeout_s",
        ),
        ({"health_checker": HealthCheckerInfo(protocol="TCP", port=80, threshold=11)}, "health_checker.threshold"),
        ({"health_checker": HealthCheckerInfo(protocol="UDP", port=80)}, "health_checker.protocol"),  # type: ignore[arg-type]
        ({"tags": {"Name": "x"}}, "tags"),
    ],
)
def test_requests_elb_would_refuse_name_their_field(
    aws: AWSConnection, vpc: IID, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        aws.nlb().create_nlb(req=replace(_req(vpc), **change))
    assert caught.value.field == field
    assert aws.nlb().list_nlbs() == [] and _groups(aws) == []


def test_a_vm_of_another_vpc_is_refused(aws: AWSConnection, vpc: IID) -> None:
    other = aws.vpc().create_vpc(
        req=VPCReqInfo(
            name="other", ipv4_cidr="10.50.0.0/16", subnets=(SubnetReqInfo(name="o", ipv4_cidr="10.50.1.0/24"),)
        )
    )
    vm = _vm(aws, vpc, "web-01")
    with pytest.raises(InvalidRequestError) as caught:
        aws.nlb().create_nlb(req=replace(_req(other.iid, vm), name="other-lb"))
    assert caught.value.field == "vm_group.vm_iids[0]"
    assert aws.nlb().list_nlbs() == []


def test_a_failing_listener_leaves_no_load_balancer_nor_target_group(aws: AWSConnection, vpc: IID) -> None:
    elb = aws._clients.elbv2()

    def refuse(**_: Any) -> tuple[Any, dict[str, Any]]:
        answer = {
            "Error": {"Code": "TooManyListeners", "Message": "You've reached the limit on the number of listeners"}
        }
        return type("Answer", (), {"status_code": 400})(), {**answer, "ResponseMetadata": {"HTTPStatusCode": 400}}

    # A before-call handler that answers stands in for AWS: botocore sends nothing and raises the error.
    event = f"before-call.{elb.meta.service_model.service_id.hyphenize()}.CreateListener"
    elb.meta.events.register(event, refuse)  # type: ignore[arg-type]
    try:
        with pytest.raises(QuotaError):
            aws.nlb().create_nlb(req=_req(vpc, _vm(aws, vpc, "web-01")))
    finally:
        elb.meta.events.unregister(event, refuse)  # type: ignore[arg-type]
    assert elb.describe_load_balancers()["LoadBalancers"] == [] and _groups(aws) == []
    assert aws.nlb().create_nlb(req=_req(vpc)).iid.name_id == "shop"


def test_a_leftover_target_group_is_swept_but_anothers_is_not(aws: AWSConnection, vpc: IID) -> None:
    elb = aws._clients.elbv2()
    common = {"Protocol": "TCP", "Port": 8080, "VpcId": vpc.system_id, "TargetType": "instance"}
    elb.create_target_group(Name="shop-tcp-8080", Tags=[{"Key": "Name", "Value": "shop"}], **common)  # type: ignore[arg-type]
    assert aws.nlb().create_nlb(req=_req(vpc)).vm_group.port == 8080
    aws.nlb().delete_nlb(iid=IID(name_id="shop"))
    assert _groups(aws) == []
    elb.create_target_group(Name="shop-tcp-8080", Tags=[{"Key": "team", "Value": "ops"}], **common)  # type: ignore[arg-type]
    with pytest.raises(AlreadyExistsError):
        aws.nlb().create_nlb(req=_req(vpc))
    assert aws.nlb().list_nlbs() == [] and [g["TargetGroupName"] for g in _groups(aws)] == ["shop-tcp-8080"]


def test_an_application_load_balancer_is_not_an_nlb_but_holds_its_name(aws: AWSConnection, vpc: IID) -> None:
    subnets = [s.iid.system_id for s in aws.vpc().get_vpc(iid=vpc).subnets][:2]
    alb = aws._clients.elbv2().create_load_balancer(Name="shop", Subnets=subnets, Type="application")
    arn = alb["LoadBalancers"][0]["LoadBalancerArn"]
    with pytest.raises(NotFoundError):
        aws.nlb().get_nlb(iid=IID(name_id="shop"))
    with pytest.raises(AlreadyExistsError) as caught:
        aws.nlb().create_nlb(req=_req(vpc))
    assert caught.value.field == "name"
    aws.nlb().delete_nlb(iid=IID(name_id="shop", system_id=arn))
    assert aws.nlb().list_nlbs() == [] and len(aws._clients.elbv2().describe_load_balancers()["LoadBalancers"]) == 1


def test_a_stopped_vm_stays_in_the_group_and_is_unhealthy(aws: AWSConnection, vpc: IID) -> None:
    first, second = _vm(aws, vpc, "web-01"), _vm(aws, vpc, "web-02")
    nlb = aws.nlb().create_nlb(req=_req(vpc, second, first))
    assert nlb.vm_group.vm_iids == (first, second)  # by name: AWS keeps no registration order
    aws.vm().suspend_vm(iid=first)
    _wait(lambda: aws.vm().get_vm_status(iid=first) == VMStatus.SUSPENDED)
    health = aws.nlb().get_health(nlb_iid=IID(name_id="shop"))
    assert (health.all_vms, health.healthy_vms, health.unhealthy_vms) == ((first, second), (second,), (first,))
    assert aws.nlb().get_nlb(iid=nlb.iid).vm_group.vm_iids == (first, second)


def test_vms_are_added_and_removed_by_name_or_id(aws: AWSConnection, vpc: IID) -> None:
    first, second = _vm(aws, vpc, "web-01"), _vm(aws, vpc, "web-02")
    nlb = aws.nlb().create_nlb(req=_req(vpc))
    both = aws.nlb().add_vms(nlb_iid=nlb.iid, vm_iids=[IID(name_id="web-02"), IID(name_id=first.system_id), second])
    assert both.vm_group.vm_iids == (first, second)
    assert aws.nlb().add_vms(nlb_iid=nlb.iid, vm_iids=[first]).vm_group.vm_iids == (first, second)
    left = aws.nlb().remove_vms(nlb_iid=nlb.iid, vm_iids=[IID(name_id="web-01"), IID(name_id="never-was")])
    assert left.vm_group.vm_iids == (second,)
    with pytest.raises(NotFoundError) as caught:
        aws.nlb().add_vms(nlb_iid=nlb.iid, vm_iids=[second, IID(name_id="web-09")])
    assert caught.value.field == "vm_iids[1]"
    aws.vm().terminate_vm(iid=first)
    with pytest.raises(InvalidStateError):
        aws.nlb().add_vms(nlb_iid=nlb.iid, vm_iids=[IID(name_id=first.system_id)])


def test_a_new_vm_group_is_a_new_target_group_with_the_same_vms_and_check(aws: AWSConnection, vpc: IID) -> None:
    first, second = _vm(aws, vpc, "web-01"), _vm(aws, vpc, "web-02")
    nlb = aws.nlb().create_nlb(req=_req(vpc, first, second))
    checker = HealthCheckerInfo(protocol="HTTP", port=9000, interval_s=30, timeout_s=10, threshold=4)
    aws.nlb().change_health_checker(nlb_iid=nlb.iid, health_checker=checker)
    with pytest.raises(InvalidRequestError) as caught:
        aws.nlb().change_vm_group(nlb_iid=nlb.iid, vm_group=VMGroupInfo(protocol="TCP", port=8443, vm_iids=(first,)))
    assert caught.value.field == "vm_group.vm_iids"
    changed = aws.nlb().change_vm_group(nlb_iid=nlb.iid, vm_group=VMGroupInfo(protocol="TCP", port=8443))
    assert (changed.vm_group.port, changed.vm_group.vm_iids, changed.health_checker) == (8443, (first, second), checker)
    assert changed.tags == {"team": "shop"} and changed.listener.port == 80
    [group] = _groups(aws)
    assert (group["TargetGroupName"], group["HealthCheckPath"]) == ("shop-tcp-8443", "/")
    [listener] = aws._clients.elbv2().describe_listeners(LoadBalancerArn=nlb.iid.system_id)["Listeners"]
    assert listener["DefaultActions"][0]["TargetGroupArn"] == group["TargetGroupArn"]
    with pytest.raises(InvalidRequestError) as caught:
        aws.nlb().change_vm_group(nlb_iid=nlb.iid, vm_group=VMGroupInfo(protocol="UDP", port=8443))
    assert caught.value.field == "vm_group.protocol"
    with pytest.raises(InvalidRequestError) as caught:
        aws.nlb().change_listener(nlb_iid=nlb.iid, listener=ListenerInfo(protocol="UDP", port=53))
    assert caught.value.field == "listener.protocol"


def test_delete_removes_target_groups_and_frees_the_vpc(aws: AWSConnection, vpc: IID) -> None:
    nlb = aws.nlb().create_nlb(req=_req(vpc))
    aws.nlb().change_vm_group(nlb_iid=nlb.iid, vm_group=VMGroupInfo(protocol="TCP", port=9090))
    with pytest.raises(DependencyError, match="load balancers: shop"):
        aws.vpc().delete_vpc(iid=vpc)
    assert len(aws.vpc().get_vpc(iid=vpc).subnets) == 3  # refused before anything went
    aws.nlb().delete_nlb(iid=IID(name_id="x", system_id=nlb.iid.system_id))
    assert _groups(aws) == [] and aws.nlb().list_nlbs() == []
    aws.nlb().delete_nlb(iid=nlb.iid)
    aws.vpc().delete_vpc(iid=vpc)


def test_iids_and_arns_for_tagging(aws: AWSConnection, vpc: IID) -> None:
    made = [aws.nlb().create_nlb(req=_req(vpc, name=name)).iid for name in ("web-b", "web-a")]
    assert list_nlb_iids(aws._clients) == [(iid, iid.system_id) for iid in reversed(made)]
    assert nlb_arn(aws._clients, IID(name_id="web-b")) == (made[0], made[0].system_id)
    assert nlb_arn(aws._clients, IID(name_id=made[1].system_id)) == (made[1], made[1].system_id)
    with pytest.raises(NotFoundError):
        nlb_arn(aws._clients, IID(name_id="web-c"))
    with pytest.raises(NotFoundError):  # the id decides when there is one
        aws.nlb().get_nlb(iid=IID(name_id="web-a", system_id="arn:aws:nonsense"))


# --- converters on a recorded answer set -----------------------------------------------------------


def test_recorded_nlb_converts_with_its_forwarding_listener_and_live_members() -> None:
    answers = _recorded()
    [lb] = answers["DescribeLoadBalancers"]["LoadBalancers"]
    listener = main_listener(answers["DescribeListeners"]["Listeners"])
    assert listener is not None and listener["Port"] == 80  # the lowest port, not the TLS one on 8443
    [group] = answers["DescribeTargetGroups"]["TargetGroups"]
    targets = answers["DescribeTargetHealth"]["TargetHealthDescriptions"]
    instances = {i["InstanceId"]: i for r in answers["DescribeInstances"]["Reservations"] for i in r["Instances"]}
    info = nlb_info(
        lb,
        listener=listener,
        group=group,
        targets=targets,
        instances=instances,
        vpc_names={"vpc-0f1e2d3c4b5a69788": "shop-vpc"},
        tags=answers["DescribeTags"]["TagDescriptions"][0]["Tags"],
    )
    assert info.iid == IID(name_id="shop-front", system_id=lb["LoadBalancerArn"])
    assert info.vpc_iid == IID(name_id="shop-vpc", system_id="vpc-0f1e2d3c4b5a69788")
    assert (info.type, info.scope, info.tags) == ("INTERNAL", "REGION", {"team": "shop"})
    assert info.created_at == datetime(2024, 5, 14, 9, 12, 33, 120000, tzinfo=UTC)
    assert (info.listener.protocol, info.listener.port, info.listener.ip) == ("TCP", 80, "")
    assert info.listener.dns_name == "shop-front-7b3e1f0c9d2a4b58.elb.eu-central-1.amazonaws.com"
    # web-d is draining and web-e terminated: they have left; stopped web-a is still a member.
    assert [vm.name_id for vm in info.vm_group.vm_iids] == ["web-a", "web-b", "web-c"]
    assert (info.vm_group.protocol, info.vm_group.port) == ("TCP", 8080)
    assert info.health_checker == HealthCheckerInfo(protocol="HTTP", port=8080, interval_s=30, timeout_s=6, threshold=5)
    assert info.extra["zones"] == "eu-central-1a,eu-central-1b" and info.extra["state"] == "active"
    health = health_info(targets, instances)
    assert [vm.name_id for vm in health.healthy_vms] == ["web-b"]
    assert [vm.name_id for vm in health.unhealthy_vms] == ["web-a", "web-c"]
    assert (
        copied_health(group)["HealthCheckPath"] == "/healthz"
        and copied_health(group)["HealthCheckPort"] == "traffic-port"
    )
    assert name_from_arn(lb["LoadBalancerArn"]) == "shop-front"


def test_target_group_names_fit_elbv2_and_stay_apart() -> None:
    assert target_group_name("shop", "TCP", 8080) == "shop-tcp-8080"
    long_a, long_b = "a" * 28 + "-one", "a" * 28 + "-two"
    names = {target_group_name(name, "UDP", 65535) for name in (long_a, long_b, "web--front")}
    assert len(names) == 3
    assert all(len(name) <= 32 and "--" not in name and not name.startswith("-") for name in names)


def test_one_subnet_per_zone_by_name() -> None:
    subnets = [
        {"SubnetId": "subnet-3", "AvailabilityZone": "eu-central-1a", "Tags": [{"Key": "Name", "Value": "b"}]},
        {"SubnetId": "subnet-1", "AvailabilityZone": "eu-central-1b", "Tags": [{"Key": "Name", "Value": "c"}]},
        {"SubnetId": "subnet-2", "AvailabilityZone": "eu-central-1a", "Tags": [{"Key": "Name", "Value": "a"}]},
    ]
    assert one_subnet_per_zone(subnets) == ["subnet-2", "subnet-1"]
