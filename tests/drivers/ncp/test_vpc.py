"""VPCs and subnets on NCP's VPC platform: asynchronous states, the default ACL, tags in a marker ACL."""

from __future__ import annotations

import pytest

from drivers.errors import DependencyError, InvalidRequestError, NotSupportedError
from drivers.ncp import NCPConnection
from drivers.types import IID, SecurityReqInfo, SubnetReqInfo, VPCReqInfo
from tests.drivers.ncp.fake import FakeNCP

REQ = VPCReqInfo(
    name="web-vpc",
    ipv4_cidr="10.10.0.0/16",
    subnets=(SubnetReqInfo(name="web-sn", ipv4_cidr="10.10.1.0/24"),),
    tags={"team": "web"},
)


def test_create_waits_for_run_before_the_subnets(ncp: NCPConnection, fake: FakeNCP) -> None:
    vpc = ncp.vpc().create_vpc(req=REQ)
    assert vpc.extra["status"] == "RUN"
    assert [(s.iid.name_id, s.ipv4_cidr, s.zone) for s in vpc.subnets] == [("web-sn", "10.10.1.0/24", "KR-1")]
    assert fake.actions("vpc").count("getVpcDetail") >= 2  # polled through INIT and CREATING
    subnet_call = next(c for c in fake.calls if c.action == "createSubnet")
    assert subnet_call.params["subnetTypeCode"] == "PUBLIC" and subnet_call.params["usageTypeCode"] == "GEN"
    default_acl = next(a for a in fake.table("acls").values() if a["isDefault"])
    assert subnet_call.params["networkAclNo"] == default_acl["networkAclNo"]


def test_tags_live_in_a_marker_network_acl(ncp: NCPConnection, fake: FakeNCP) -> None:
    vpc = ncp.vpc().create_vpc(req=REQ)
    marker = [a for a in fake.table("acls").values() if a["networkAclName"] == f"tags-{vpc.iid.system_id}"]
    assert len(marker) == 1 and '"team":"web"' in marker[0]["networkAclDescription"]
    assert ncp.vpc().get_vpc(iid=IID(name_id="web-vpc")).tags == {"team": "web"}
    ncp.vpc().delete_vpc(iid=vpc.iid)
    assert fake.table("acls") == {} and fake.table("vpcs") == {}


def test_the_connection_zone_places_subnets(fake: FakeNCP) -> None:
    from drivers.ncp import NCPDriver
    from tests.drivers.ncp.support import connection_info

    conn = NCPDriver().connect(connection_info(zone="KR-2"))
    vpc = conn.vpc().create_vpc(req=REQ)
    assert vpc.subnets[0].zone == "KR-2"


@pytest.mark.parametrize(
    ("req", "field"),
    [
        (VPCReqInfo(name="Web_VPC", ipv4_cidr="10.10.0.0/16"), "name"),
        (VPCReqInfo(name="web-vpc", ipv4_cidr="10.10.0.0/33"), "ipv4_cidr"),
        (
            VPCReqInfo(
                name="web-vpc", ipv4_cidr="10.10.0.0/16", subnets=(SubnetReqInfo(name="sn", ipv4_cidr="10.10.1.0/24"),)
            ),
            "subnets[0].name",
        ),
        (
            VPCReqInfo(
                name="web-vpc",
                ipv4_cidr="10.10.0.0/16",
                subnets=(SubnetReqInfo(name="web-sn", ipv4_cidr="10.99.1.0/24"),),
            ),
            "subnets[0].ipv4_cidr",
        ),
        (
            VPCReqInfo(
                name="web-vpc",
                ipv4_cidr="10.10.0.0/16",
                subnets=(SubnetReqInfo(name="web-sn", ipv4_cidr="10.10.1.0/24", tags={"a": "b"}),),
            ),
            "subnets[0].tags",
        ),
    ],
)
def test_bad_requests_are_refused_before_any_call(
    ncp: NCPConnection, fake: FakeNCP, req: VPCReqInfo, field: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        ncp.vpc().create_vpc(req=req)
    assert caught.value.field == field
    assert "createVpc" not in fake.actions("vpc")


def test_overlapping_subnets_are_refused_by_ncp(ncp: NCPConnection) -> None:
    vpc = ncp.vpc().create_vpc(req=REQ)
    with pytest.raises(InvalidRequestError) as caught:
        ncp.vpc().add_subnet(vpc_iid=vpc.iid, req=SubnetReqInfo(name="web-sn2", ipv4_cidr="10.10.1.128/25"))
    assert "overlaps" in str(caught.value)


def test_a_vpc_with_an_acg_cannot_be_deleted(ncp: NCPConnection, fake: FakeNCP) -> None:
    vpc = ncp.vpc().create_vpc(req=REQ)
    ncp.security_group().create_security_group(req=SecurityReqInfo(name="web-acg", vpc_iid=vpc.iid))
    with pytest.raises(DependencyError):
        ncp.vpc().delete_vpc(iid=vpc.iid)
    assert len(ncp.vpc().get_vpc(iid=vpc.iid).subnets) == 1  # nothing was taken apart
    assert "deleteSubnet" not in fake.actions("vpc")


def test_classic_has_no_vpc(classic: NCPConnection) -> None:
    with pytest.raises(NotSupportedError) as caught:
        classic.vpc()
    assert "connection's zone" in str(caught.value)
