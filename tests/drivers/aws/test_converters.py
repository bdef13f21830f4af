"""Converters from EC2 answers to Spiderweb infos, on answers shaped as AWS sends them."""

from __future__ import annotations

import json
from pathlib import Path

from drivers.aws.security_group import AWSSecurityGroupHandler, rules_of
from drivers.types import IID, SecurityRule

DATA = Path(__file__).parent / "data"


def _group() -> dict[str, object]:
    group: dict[str, object] = json.loads((DATA / "ec2_describe_security_groups.json").read_text())["SecurityGroups"][0]
    return group


def test_rules_split_per_cidr_and_read_protocol_numbers() -> None:
    rules = rules_of(_group())
    assert rules == [
        SecurityRule(direction="inbound", protocol="TCP", from_port=443, to_port=443, cidr="0.0.0.0/0"),
        SecurityRule(direction="inbound", protocol="TCP", from_port=443, to_port=443, cidr="10.0.0.0/8"),
        SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22, cidr="192.0.2.0/24"),
        SecurityRule(direction="inbound", protocol="ICMP", from_port=8, to_port=-1, cidr="10.0.0.0/16"),
        SecurityRule(direction="outbound", protocol="ALL", cidr="0.0.0.0/0"),
    ]  # the group-to-group rule and the ESP (protocol 50) rule have no Spiderweb form


def test_group_info_names_its_vpc_and_hides_the_name_tag() -> None:
    info = AWSSecurityGroupHandler._info(_group(), {"vpc-0f1e2d3c4b5a69788": "shop"})
    assert info.iid == IID(name_id="web", system_id="sg-0a1b2c3d4e5f60718")
    assert info.vpc_iid == IID(name_id="shop", system_id="vpc-0f1e2d3c4b5a69788")
    assert info.tags == {"team": "shop"}
    assert info.extra == {"description": "web tier", "owner_id": "111122223333"}
