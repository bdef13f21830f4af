"""The mock refuses what a cloud refuses: bad CIDRs, misplaced subnets, zones, in-use deletes."""

from __future__ import annotations

import pytest

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, NotFoundError
from drivers.mock import MockConnection
from drivers.types import IID, SecurityReqInfo, SecurityRule, SubnetReqInfo, VPCReqInfo
from tests.drivers.support import MakeConnection


def _vpc(conn: MockConnection, *subnets: SubnetReqInfo, cidr: str = "10.0.0.0/16", name: str = "vpc-01") -> IID:
    return conn.vpc().create_vpc(req=VPCReqInfo(name=name, ipv4_cidr=cidr, subnets=subnets)).iid


@pytest.mark.parametrize("cidr", ["10.0.0.0/33", "10.0.0.300/16", "not-a-cidr", "", "10.0.0.1/16", "10.0.0.0/8"])
def test_bad_vpc_cidr_is_invalid(conn: MockConnection, cidr: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        _vpc(conn, cidr=cidr)
    assert caught.value.field == "ipv4_cidr"
    assert conn.vpc().list_vpcs() == []


def test_subnet_outside_its_vpc_is_invalid_and_nothing_is_created(conn: MockConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        _vpc(conn, SubnetReqInfo(name="a", ipv4_cidr="10.0.1.0/24"), SubnetReqInfo(name="b", ipv4_cidr="10.1.0.0/24"))
    assert caught.value.field == "subnets[1].ipv4_cidr"
    assert "10.0.0.0/16" in str(caught.value)
    assert conn.vpc().list_vpcs() == []


def test_overlapping_sibling_subnets_are_invalid(conn: MockConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        _vpc(conn, SubnetReqInfo(name="a", ipv4_cidr="10.0.0.0/20"), SubnetReqInfo(name="b", ipv4_cidr="10.0.1.0/24"))
    assert caught.value.field == "subnets[1].ipv4_cidr"
    assert "'a'" in str(caught.value)
    vpc = _vpc(conn, SubnetReqInfo(name="a", ipv4_cidr="10.0.0.0/20"))
    with pytest.raises(InvalidRequestError) as caught:
        conn.vpc().add_subnet(vpc_iid=vpc, req=SubnetReqInfo(name="b", ipv4_cidr="10.0.8.0/24"))
    assert caught.value.field == "ipv4_cidr"


def test_duplicate_subnet_names_in_one_request_are_refused(conn: MockConnection) -> None:
    with pytest.raises(AlreadyExistsError) as caught:
        _vpc(conn, SubnetReqInfo(name="a", ipv4_cidr="10.0.1.0/24"), SubnetReqInfo(name="a", ipv4_cidr="10.0.2.0/24"))
    assert caught.value.field == "subnets[1].name"


def test_subnet_zone_must_belong_to_the_region_and_be_available(conn: MockConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        _vpc(conn, SubnetReqInfo(name="a", ipv4_cidr="10.0.1.0/24", zone="venus-z1"))
    assert caught.value.field == "subnets[0].zone"
    assert "mars-z1" in str(caught.value)
    # mars-z3 exists but is unavailable in the catalogue
    with pytest.raises(InvalidRequestError, match="Unavailable"):
        _vpc(conn, SubnetReqInfo(name="a", ipv4_cidr="10.0.1.0/24", zone="mars-z3"))
    vpc = conn.vpc().get_vpc(iid=_vpc(conn, SubnetReqInfo(name="a", ipv4_cidr="10.0.1.0/24", zone="mars-z2")))
    assert vpc.subnets[0].zone == "mars-z2"


def test_subnet_zone_defaults_to_the_connection_zone(make_connection: MakeConnection) -> None:
    conn = make_connection(region="venus", zone="venus-z3")
    vpc = conn.vpc().get_vpc(iid=_vpc(conn, SubnetReqInfo(name="a", ipv4_cidr="10.0.1.0/24")))
    assert vpc.subnets[0].zone == "venus-z3"


def test_connection_zone_outside_its_region_fails_every_call(make_connection: MakeConnection) -> None:
    conn = make_connection(region="mars", zone="venus-z1")
    with pytest.raises(InvalidRequestError) as caught:
        conn.verify()
    assert caught.value.field == "zone"


def test_unknown_region_fails_naming_it(make_connection: MakeConnection) -> None:
    conn = make_connection(region="pluto")
    with pytest.raises(InvalidRequestError) as caught:
        conn.verify()
    assert caught.value.field == "region"
    assert "pluto" in str(caught.value)


def test_names_are_checked(conn: MockConnection) -> None:
    for name in ("", "   ", " padded", "tab\there", "x" * 256):
        with pytest.raises(InvalidRequestError) as caught:
            _vpc(conn, name=name)
        assert caught.value.field == "name"


def test_lookups_accept_the_system_id_as_a_name(conn: MockConnection) -> None:
    vpc = _vpc(conn, SubnetReqInfo(name="a", ipv4_cidr="10.0.1.0/24"))
    assert conn.vpc().get_vpc(iid=IID(name_id=vpc.system_id)).iid == vpc
    # a stale system id does not fall back to the name
    with pytest.raises(NotFoundError):
        conn.vpc().get_vpc(iid=IID(name_id="vpc-01", system_id="vpc-0000000000000000"))


def test_vpc_with_security_groups_cannot_be_deleted(conn: MockConnection) -> None:
    vpc = _vpc(conn)
    conn.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc))
    with pytest.raises(DependencyError, match="sg-01"):
        conn.vpc().delete_vpc(iid=vpc)
    conn.security_group().delete_security_group(iid=IID(name_id="sg-01"))
    conn.vpc().delete_vpc(iid=vpc)
    assert conn.vpc().list_vpcs() == []


def test_security_groups_of_other_tenants_and_regions_are_invisible(
    conn: MockConnection, make_connection: MakeConnection
) -> None:
    vpc = _vpc(conn)
    conn.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc))
    assert make_connection(region="venus").security_group().list_security_groups() == []


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (SecurityRule(direction="sideways", protocol="TCP", from_port=1, to_port=2), "rules[0].direction"),  # type: ignore[arg-type]
        (SecurityRule(direction="inbound", protocol="SCTP", from_port=1, to_port=2), "rules[0].protocol"),  # type: ignore[arg-type]
        (SecurityRule(direction="inbound", protocol="TCP", from_port=0, to_port=22), "rules[0].from_port"),
        (SecurityRule(direction="inbound", protocol="UDP", from_port=53, to_port=70000), "rules[0].to_port"),
        (SecurityRule(direction="inbound", protocol="TCP", from_port=443, to_port=80), "rules[0].to_port"),
        (SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22, cidr="10/33"), "rules[0].cidr"),
    ],
)
def test_bad_rules_are_invalid(conn: MockConnection, rule: SecurityRule, field: str) -> None:
    vpc = _vpc(conn)
    with pytest.raises(InvalidRequestError) as caught:
        conn.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc, rules=(rule,)))
    assert caught.value.field == field
    assert conn.security_group().list_security_groups() == []


def test_rules_are_stored_the_way_the_cloud_normalises_them(conn: MockConnection) -> None:
    vpc = _vpc(conn)
    sent = (
        SecurityRule(direction="INBOUND", protocol="tcp", from_port=22, to_port=22, cidr="10.1.2.3/8"),  # type: ignore[arg-type]
        SecurityRule(direction="outbound", protocol="ALL", from_port=5, to_port=9),
    )
    sg = conn.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc, rules=sent))
    assert sg.rules == (
        SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22, cidr="10.0.0.0/8"),
        SecurityRule(direction="outbound", protocol="ALL", from_port=-1, to_port=-1, cidr="0.0.0.0/0"),
    )
