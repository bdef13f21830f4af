"""What the AWS driver does beyond the conformance suite: AWS's defaults, rollbacks, rules, keys."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

import drivers.aws.key_pair
from drivers.aws import AWSConnection
from drivers.aws._common import read_after_write
from drivers.errors import DependencyError, InvalidRequestError, NotFoundError
from drivers.types import IID, KeyPairReqInfo, SecurityReqInfo, SecurityRule, SubnetReqInfo, VPCReqInfo


def _vpc(aws: AWSConnection, name: str = "web") -> IID:
    req = VPCReqInfo(
        name=name, ipv4_cidr="10.30.0.0/16", subnets=(SubnetReqInfo(name="front", ipv4_cidr="10.30.1.0/24"),)
    )
    return aws.vpc().create_vpc(req=req).iid


def test_the_default_vpc_is_not_listed_but_can_be_fetched(aws: AWSConnection) -> None:
    ec2 = aws._clients.ec2()
    default_id = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    assert aws.vpc().list_vpcs() == []
    default = aws.vpc().get_vpc(iid=IID(name_id=default_id))
    assert default.iid == IID(name_id=default_id, system_id=default_id) and default.subnets
    assert default.extra["is_default"] == "true"


def test_a_new_vpc_routes_to_the_internet_and_delete_removes_the_gateway(aws: AWSConnection) -> None:
    vpc = _vpc(aws)
    ec2 = aws._clients.ec2()
    attached = [{"Name": "attachment.vpc-id", "Values": [vpc.system_id]}]
    gateways = ec2.describe_internet_gateways(Filters=attached)["InternetGateways"]
    assert len(gateways) == 1
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc.system_id]}])["RouteTables"]
    routes = [route for table in tables for route in table["Routes"]]
    assert {"0.0.0.0/0": gateways[0]["InternetGatewayId"]}.items() <= {
        route.get("DestinationCidrBlock", ""): route.get("GatewayId", "") for route in routes
    }.items()
    aws.vpc().delete_vpc(iid=vpc)
    assert ec2.describe_internet_gateways(Filters=attached)["InternetGateways"] == []


def test_a_subnet_outside_the_vpc_fails_with_aws_message_and_leaves_no_vpc(aws: AWSConnection) -> None:
    req = VPCReqInfo(
        name="broken", ipv4_cidr="10.30.0.0/16", subnets=(SubnetReqInfo(name="away", ipv4_cidr="10.99.1.0/24"),)
    )
    with pytest.raises(InvalidRequestError) as caught:
        aws.vpc().create_vpc(req=req)
    assert caught.value.field == "subnets[0].ipv4_cidr"
    assert caught.value.provider_message
    assert aws.vpc().list_vpcs() == []


def test_a_vpc_cidr_aws_refuses_names_the_field(aws: AWSConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        aws.vpc().create_vpc(req=VPCReqInfo(name="huge", ipv4_cidr="10.0.0.0/8"))
    assert caught.value.field == "ipv4_cidr" and caught.value.provider_message


def test_a_vpc_with_a_security_group_is_refused_and_kept_whole(aws: AWSConnection) -> None:
    vpc = _vpc(aws)
    aws.security_group().create_security_group(req=SecurityReqInfo(name="web-sg", vpc_iid=vpc))
    with pytest.raises(DependencyError) as caught:
        aws.vpc().delete_vpc(iid=vpc)
    assert "web-sg" in str(caught.value)
    assert [subnet.iid.name_id for subnet in aws.vpc().get_vpc(iid=vpc).subnets] == ["front"]


def test_security_groups_hold_exactly_their_rules_both_ways(aws: AWSConnection) -> None:
    vpc = _vpc(aws)
    dns = SecurityRule(direction="outbound", protocol="UDP", from_port=53, to_port=53, cidr="10.0.0.2/32")
    anything = SecurityRule(direction="inbound", protocol="ALL", cidr="10.30.0.0/16")
    sg = aws.security_group().create_security_group(
        req=SecurityReqInfo(name="app", vpc_iid=vpc, rules=(dns, anything), tags={"tier": "app"})
    )
    assert set(sg.rules) == {dns, anything}  # AWS's allow-all outbound rule is gone
    assert sg.tags == {"tier": "app"}
    lowered = SecurityRule(direction="outbound", protocol="udp", from_port=53, to_port=53, cidr="10.0.0.2/32")
    assert set(aws.security_group().remove_rules(sg_iid=sg.iid, rules=[lowered]).rules) == {anything}
    assert [group.iid.name_id for group in aws.security_group().list_security_groups()] == ["app"]


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (SecurityRule(direction="inbound", protocol="TCP", from_port=0, to_port=22), "rules[0].from_port"),
        (SecurityRule(direction="inbound", protocol="TCP", from_port=80, to_port=22), "rules[0].to_port"),
        (SecurityRule(direction="inbound", protocol="GRE"), "rules[0].protocol"),  # type: ignore[arg-type]
        (SecurityRule(direction="inbound", protocol="ICMP", cidr="10.0.0.300/8"), "rules[0].cidr"),
    ],
)
def test_bad_rules_are_refused_before_anything_is_created(aws: AWSConnection, rule: SecurityRule, field: str) -> None:
    vpc = _vpc(aws)
    with pytest.raises(InvalidRequestError) as caught:
        aws.security_group().create_security_group(req=SecurityReqInfo(name="bad", vpc_iid=vpc, rules=(rule,)))
    assert caught.value.field == field
    assert aws.security_group().list_security_groups() == []


def test_the_key_pairs_private_key_matches_its_public_key(aws: AWSConnection) -> None:
    created = aws.key_pair().create_key_pair(req=KeyPairReqInfo(name="ops", tags={"owner": "ops"}))
    private = serialization.load_pem_private_key(created.private_key.encode(), password=None)
    public = private.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    assert created.public_key.split()[:2] == public.decode().split()[:2]
    assert aws.key_pair().get_key_pair(iid=IID(name_id="ops")).tags == {"owner": "ops"}


def test_lookups_by_id_given_as_name_work_like_the_mock(aws: AWSConnection) -> None:
    vpc = _vpc(aws)
    assert aws.vpc().get_vpc(iid=IID(name_id=vpc.system_id)).iid == vpc
    key = aws.key_pair().create_key_pair(req=KeyPairReqInfo(name="k"))
    assert aws.key_pair().get_key_pair(iid=IID(name_id=key.iid.system_id)).iid == key.iid
    with pytest.raises(NotFoundError):
        aws.security_group().get_security_group(iid=IID(name_id="sg-0123456789abcdef0"))


def test_reads_right_after_a_create_wait_for_aws_to_show_the_resource() -> None:
    answers: list[object] = [NotFoundError("not yet"), NotFoundError("not yet"), "vpc"]

    def read() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    assert read_after_write(read, delays=(0, 0, 0)) == "vpc"
    calls: list[int] = []

    def never() -> str:
        calls.append(1)
        raise NotFoundError("not yet")

    with pytest.raises(NotFoundError):
        read_after_write(never, delays=(0, 0))
    assert len(calls) == 3


def test_a_new_key_reaches_the_caller_even_when_aws_is_slow_to_show_it(
    aws: AWSConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = aws.key_pair()
    monkeypatch.setattr(drivers.aws.key_pair, "read_after_write", _never_shows)
    created = handler.create_key_pair(req=KeyPairReqInfo(name="slow", tags={"team": "ops"}))
    assert "PRIVATE KEY" in created.private_key
    assert created.iid.system_id and created.tags == {"team": "ops"}
    monkeypatch.undo()
    assert created.public_key.split()[:2] == handler.get_key_pair(iid=created.iid).public_key.split()[:2]


def _never_shows(read: object, **_: object) -> object:
    raise NotFoundError("not yet")


def test_an_icmp_rule_keeps_its_type_and_can_be_removed(aws: AWSConnection) -> None:
    vpc = _vpc(aws)
    echo = SecurityRule(direction="inbound", protocol="ICMP", from_port=8, to_port=-1, cidr="10.30.0.0/16")
    any_icmp = SecurityRule(direction="inbound", protocol="ICMP", cidr="10.30.0.0/16")
    sg = aws.security_group().create_security_group(req=SecurityReqInfo(name="ping", vpc_iid=vpc, rules=(echo,)))
    assert sg.rules == (echo,)
    assert set(aws.security_group().add_rules(sg_iid=sg.iid, rules=[any_icmp]).rules) == {echo, any_icmp}
    assert aws.security_group().remove_rules(sg_iid=sg.iid, rules=[echo]).rules == (any_icmp,)
