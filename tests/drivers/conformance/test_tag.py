"""Tags: add -> list -> get -> remove on each taggable kind, search by keyword, and the edge cases."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drivers.errors import NotFoundError
from drivers.types import IID, KeyPairReqInfo, ResourceKind, SecurityReqInfo, SubnetReqInfo, VPCReqInfo
from tests.drivers.conformance.harness import Harness


def _vpc(cloud: Harness, name: str = "vpc-tag") -> IID:
    subnet = SubnetReqInfo(name=f"{name}-sn", ipv4_cidr=cloud.subnet_cidrs[0])
    req = VPCReqInfo(name=name, ipv4_cidr=cloud.vpc_cidr, subnets=(subnet,), tags={"team": "web"})
    return cloud.conn.vpc().create_vpc(req=req).iid


def _subnet(cloud: Harness) -> IID:
    return cloud.conn.vpc().get_vpc(iid=_vpc(cloud)).subnets[0].iid


def _sg(cloud: Harness) -> IID:
    req = SecurityReqInfo(name="sg-tag", vpc_iid=_vpc(cloud), tags={"team": "web"})
    return cloud.conn.security_group().create_security_group(req=req).iid


def _key(cloud: Harness) -> IID:
    return cloud.conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-tag", tags={"team": "web"})).iid


# The kinds any cloud can create without a VM; the mock's rule tests cover the others.
MAKERS: dict[ResourceKind, Callable[[Harness], IID]] = {
    ResourceKind.VPC: _vpc,
    ResourceKind.SUBNET: _subnet,
    ResourceKind.SECURITY_GROUP: _sg,
    ResourceKind.KEY_PAIR: _key,
}


def _require_tags(cloud: Harness, kind: ResourceKind) -> None:
    cloud.require("tag")
    if kind.value not in cloud.driver.capabilities.tag_kinds:
        pytest.skip(f"driver {cloud.driver.name!r} cannot tag {kind}")


@pytest.mark.parametrize("kind", list(MAKERS), ids=str)
def test_tag_lifecycle(cloud: Harness, kind: ResourceKind) -> None:
    _require_tags(cloud, kind)
    tags = cloud.conn.tag()
    resource = MAKERS[kind](cloud)
    before = dict(tags.list_tags(kind=kind, iid=resource).tags)

    added = tags.add_tag(kind=kind, iid=resource, key="env", value="prod")
    assert (added.kind, added.resource_iid) == (kind, resource)
    assert added.tags == {**before, "env": "prod"}
    assert tags.get_tag(kind=kind, iid=IID(name_id="", system_id=resource.system_id), key="env") == "prod"
    assert tags.add_tag(kind=kind, iid=resource, key="env", value="staging").tags["env"] == "staging"
    assert tags.list_tags(kind=kind, iid=resource).tags == {**before, "env": "staging"}

    tags.remove_tag(kind=kind, iid=resource, key="env")
    assert tags.list_tags(kind=kind, iid=resource).tags == before
    with pytest.raises(NotFoundError):
        tags.get_tag(kind=kind, iid=resource, key="env")
    assert tags.remove_tag(kind=kind, iid=resource, key="env") is None


def test_tags_show_on_the_resource_itself(cloud: Harness) -> None:
    _require_tags(cloud, ResourceKind.VPC)
    vpc = _vpc(cloud)
    cloud.conn.tag().add_tag(kind=ResourceKind.VPC, iid=vpc, key="cost-centre", value="42")
    assert cloud.conn.vpc().get_vpc(iid=vpc).tags == {"team": "web", "cost-centre": "42"}


def test_find_tags_by_key_or_value(cloud: Harness) -> None:
    _require_tags(cloud, ResourceKind.VPC)
    _require_tags(cloud, ResourceKind.KEY_PAIR)
    tags = cloud.conn.tag()
    vpc, key = _vpc(cloud), _key(cloud)
    tags.add_tag(kind=ResourceKind.VPC, iid=vpc, key="owner", value="alice")
    tags.add_tag(kind=ResourceKind.KEY_PAIR, iid=key, key="alice-key", value="yes")

    found = {(info.kind, info.resource_iid) for info in tags.find_tags(keyword="alice")}
    assert found == {(ResourceKind.VPC, vpc), (ResourceKind.KEY_PAIR, key)}
    only_vpcs = tags.find_tags(kind=ResourceKind.VPC, keyword="alice")
    assert [(info.resource_iid, info.tags["owner"]) for info in only_vpcs] == [(vpc, "alice")]
    assert tags.find_tags(keyword="nobody-has-this") == []


def test_tags_of_a_missing_resource(cloud: Harness) -> None:
    _require_tags(cloud, ResourceKind.VPC)
    tags, missing = cloud.conn.tag(), IID(name_id="no-such-vpc")
    with pytest.raises(NotFoundError):
        tags.add_tag(kind=ResourceKind.VPC, iid=missing, key="a", value="b")
    with pytest.raises(NotFoundError):
        tags.list_tags(kind=ResourceKind.VPC, iid=missing)
    with pytest.raises(NotFoundError):
        tags.get_tag(kind=ResourceKind.VPC, iid=missing, key="a")
    assert tags.remove_tag(kind=ResourceKind.VPC, iid=missing, key="a") is None
