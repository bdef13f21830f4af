"""Emulated VPCs and security groups: what they accept, and that every process sees the same records."""

from __future__ import annotations

import pytest

from drivers.errors import DependencyError, InvalidRequestError
from drivers.ktclassic import KTClassicConnection, KTClassicDriver
from drivers.types import IID, KeyPairReqInfo, SecurityReqInfo, SecurityRule, SubnetReqInfo, VPCReqInfo
from tests.drivers.ktclassic.fake import FakeKT
from tests.drivers.ktclassic.net_support import vm_setup
from tests.drivers.ktclassic.support import connection_info


def test_records_are_shared_by_every_driver_instance(kt: KTClassicConnection, driver: KTClassicDriver) -> None:
    kt.vpc().create_vpc(req=VPCReqInfo(name="vpc-01", ipv4_cidr="172.25.0.0/16"))
    other = KTClassicDriver(store_url=driver.store_url).connect(connection_info())
    assert [vpc.iid.name_id for vpc in other.vpc().list_vpcs()] == ["vpc-01"]
    assert other.vpc().get_vpc(iid=IID(name_id="vpc-01")).extra["emulated"] == "true"
    # Another zone of the same account keeps its own records.
    central = KTClassicDriver(store_url=driver.store_url).connect(
        connection_info(region="KOR-Central", zone="KOR-Central A")
    )
    assert central.vpc().list_vpcs() == []


def test_subnets_must_fit_the_vpc_and_not_overlap(kt: KTClassicConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        kt.vpc().create_vpc(
            req=VPCReqInfo(
                name="vpc-01", ipv4_cidr="172.25.0.0/16", subnets=(SubnetReqInfo(name="s", ipv4_cidr="10.0.0.0/24"),)
            )
        )
    assert caught.value.field == "subnets[0].ipv4_cidr"
    vpc = kt.vpc().create_vpc(req=VPCReqInfo(name="vpc-01", ipv4_cidr="172.25.0.0/16"))
    kt.vpc().add_subnet(vpc_iid=vpc.iid, req=SubnetReqInfo(name="a", ipv4_cidr="172.25.1.0/24"))
    with pytest.raises(InvalidRequestError):
        kt.vpc().add_subnet(vpc_iid=vpc.iid, req=SubnetReqInfo(name="b", ipv4_cidr="172.25.1.128/25"))


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (SecurityRule(direction="outbound", protocol="TCP", from_port=80, to_port=80), "rules[0].direction"),
        (SecurityRule(direction="inbound", protocol="ALL"), "rules[0].protocol"),
    ],
)
def test_rules_the_classic_firewall_cannot_express_are_refused(
    kt: KTClassicConnection, rule: SecurityRule, field: str
) -> None:
    vpc = kt.vpc().create_vpc(req=VPCReqInfo(name="vpc-01", ipv4_cidr="172.25.0.0/16"))
    with pytest.raises(InvalidRequestError) as caught:
        kt.security_group().create_security_group(req=SecurityReqInfo(name="sg", vpc_iid=vpc.iid, rules=(rule,)))
    assert caught.value.field == field
    assert kt.security_group().list_security_groups() == []


def test_what_a_vm_uses_cannot_be_deleted_under_it(kt: KTClassicConnection, fake: FakeKT) -> None:
    vm = kt.vm().start_vm(req=vm_setup(kt)).iid
    with pytest.raises(DependencyError):
        kt.security_group().delete_security_group(iid=IID(name_id="sg-01"))
    with pytest.raises(DependencyError):
        kt.vpc().remove_subnet(vpc_iid=IID(name_id="vpc-01"), subnet_iid=IID(name_id="sn-01"))
    with pytest.raises(DependencyError):
        kt.vpc().delete_vpc(iid=IID(name_id="vpc-01"))
    kt.vm().terminate_vm(iid=vm)
    kt.region_zone().list_region_zones()
    kt.security_group().delete_security_group(iid=IID(name_id="sg-01"))
    kt.vpc().delete_vpc(iid=IID(name_id="vpc-01"))
    assert kt.vpc().list_vpcs() == []


def test_key_pairs_keep_their_public_key(kt: KTClassicConnection, fake: FakeKT) -> None:
    created = kt.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    assert created.public_key == fake.table("keys")["key-01"]["publickey"]
    assert (
        kt.key_pair().get_key_pair(iid=IID(name_id="key-01")).fingerprint == fake.table("keys")["key-01"]["fingerprint"]
    )
    kt.key_pair().delete_key_pair(iid=created.iid)
    assert "key-01" not in fake.table("keys")
