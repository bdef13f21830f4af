"""VPCs as custom-mode networks with regional subnetworks, through the fake Google Cloud."""

from __future__ import annotations

import json

import pytest

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, NotFoundError, QuotaError
from drivers.gcp import GCPConnection, GCPDriver
from drivers.types import IID, SecurityReqInfo, SubnetReqInfo, VPCReqInfo
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.net_support import VPC_CIDR, make_vpc, seed_instance
from tests.drivers.gcp.support import DEFAULT_ZONE, PROJECT, REGION, connection_info

NETWORKS = f"/compute/v1/projects/{PROJECT}/global/networks"
SUBNETS = f"/compute/v1/projects/{PROJECT}/regions/{REGION}/subnetworks"


def test_a_vpc_is_a_custom_mode_network_keeping_its_block_and_tags_in_its_description(
    fake: FakeGCP, gcp: GCPConnection
) -> None:
    req = VPCReqInfo(
        name="vpc-01",
        ipv4_cidr=VPC_CIDR,
        subnets=(SubnetReqInfo(name="sn-a", ipv4_cidr="10.20.1.0/24", tags={"tier": "web"}),),
        tags={"team": "web"},
    )
    created = gcp.vpc().create_vpc(req=req)

    network = fake.collection(PROJECT, "global/networks")["vpc-01"]
    assert network["autoCreateSubnetworks"] is False
    assert network["routingConfig"] == {"routingMode": "REGIONAL"}
    assert json.loads(network["description"]) == {"cidr": VPC_CIDR, "tags": {"team": "web"}}
    subnet = fake.collection(PROJECT, f"regions/{REGION}/subnetworks")["sn-a"]
    assert subnet["network"] == network["selfLink"] and subnet["ipCidrRange"] == "10.20.1.0/24"
    assert json.loads(subnet["description"]) == {"zone": DEFAULT_ZONE, "tags": {"tier": "web"}}

    assert created.iid == IID(name_id="vpc-01", system_id=network["id"])
    assert (created.ipv4_cidr, created.tags, created.extra["mode"]) == (VPC_CIDR, {"team": "web"}, "custom")
    [info] = created.subnets
    assert info.iid == IID(name_id="sn-a", system_id=subnet["id"])
    assert (info.zone, info.tags, info.extra["region"], info.extra["gateway"]) == (
        DEFAULT_ZONE,
        {"tier": "web"},
        REGION,
        "10.20.1.1",
    )


def test_inserts_are_followed_through_their_operations(fake: FakeGCP, gcp: GCPConnection) -> None:
    make_vpc(gcp)
    polls = [call for call in fake.calls if "/operations/" in call]
    assert any("/global/operations/" in call for call in polls)
    assert any(f"/regions/{REGION}/operations/" in call for call in polls)
    assert fake.calls.index(f"POST {NETWORKS}") < fake.calls.index(f"POST {SUBNETS}")


def test_a_subnet_reports_the_zone_asked_for(gcp: GCPConnection) -> None:
    created = make_vpc(gcp, "vpc-01", SubnetReqInfo(name="sn-f", ipv4_cidr="10.20.3.0/24", zone="us-central1-f"))
    assert created.subnets[0].zone == "us-central1-f"
    with pytest.raises(InvalidRequestError) as caught:
        gcp.vpc().add_subnet(
            vpc_iid=created.iid, req=SubnetReqInfo(name="sn-x", ipv4_cidr="10.20.4.0/24", zone="us-east1-c")
        )
    assert caught.value.field == "zone"


@pytest.mark.parametrize(
    ("req", "field"),
    [
        (VPCReqInfo(name="VPC_01", ipv4_cidr=VPC_CIDR), "name"),
        (VPCReqInfo(name="v" * 64, ipv4_cidr=VPC_CIDR), "name"),
        (VPCReqInfo(name="vpc-", ipv4_cidr=VPC_CIDR), "name"),
        (VPCReqInfo(name="vpc-01", ipv4_cidr="10.20.0.1/16"), "ipv4_cidr"),
        (VPCReqInfo(name="vpc-01", ipv4_cidr="10.0.0.0/30"), "ipv4_cidr"),
        (
            VPCReqInfo(name="vpc-01", ipv4_cidr=VPC_CIDR, subnets=(SubnetReqInfo(name="A", ipv4_cidr="10.20.1.0/24"),)),
            "subnets[0].name",
        ),
        (
            VPCReqInfo(name="vpc-01", ipv4_cidr=VPC_CIDR, subnets=(SubnetReqInfo(name="s", ipv4_cidr="10.30.1.0/24"),)),
            "subnets[0].ipv4_cidr",
        ),
        (
            VPCReqInfo(
                name="vpc-01",
                ipv4_cidr=VPC_CIDR,
                subnets=(
                    SubnetReqInfo(name="s1", ipv4_cidr="10.20.0.0/20"),
                    SubnetReqInfo(name="s2", ipv4_cidr="10.20.1.0/24"),
                ),
            ),
            "subnets[1].ipv4_cidr",
        ),
    ],
)
def test_bad_requests_are_refused_before_anything_is_made(
    fake: FakeGCP, gcp: GCPConnection, req: VPCReqInfo, field: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        gcp.vpc().create_vpc(req=req)
    assert caught.value.field == field
    assert not [call for call in fake.calls if call.startswith("POST /compute")]


def test_a_failed_subnet_leaves_no_vpc_behind(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.fail(
        "/subnetworks", method="POST", status=403, reason="quotaExceeded", message="Quota 'SUBNETWORKS' exceeded."
    )
    with pytest.raises(QuotaError):
        make_vpc(gcp)
    assert fake.collection(PROJECT, "global/networks") == {}
    assert gcp.vpc().list_vpcs() == []


def test_subnet_names_are_unique_in_the_region_across_vpcs(gcp: GCPConnection) -> None:
    make_vpc(gcp, "vpc-01", SubnetReqInfo(name="shared", ipv4_cidr="10.20.1.0/24"))
    with pytest.raises(AlreadyExistsError) as caught:
        make_vpc(gcp, "vpc-02", SubnetReqInfo(name="shared", ipv4_cidr="10.20.1.0/24"))
    assert caught.value.field == "subnets[0].name"
    assert [vpc.iid.name_id for vpc in gcp.vpc().list_vpcs()] == ["vpc-01"]


def test_an_overlapping_subnet_is_refused(gcp: GCPConnection) -> None:
    created = make_vpc(gcp)
    with pytest.raises(InvalidRequestError) as caught:
        gcp.vpc().add_subnet(vpc_iid=created.iid, req=SubnetReqInfo(name="sn-2", ipv4_cidr="10.20.1.128/25"))
    assert caught.value.field == "ipv4_cidr"


def test_lookups_by_id_and_networks_made_elsewhere(fake: FakeGCP, gcp: GCPConnection) -> None:
    created = make_vpc(gcp)
    assert gcp.vpc().get_vpc(iid=IID(name_id="", system_id=created.iid.system_id)) == created
    assert gcp.vpc().get_vpc(iid=IID(name_id=created.iid.system_id)) == created
    with pytest.raises(NotFoundError):
        gcp.vpc().get_vpc(iid=IID(name_id="vpc-01", system_id="123"))
    fake.collection(PROJECT, "global/networks")["default"] = {
        "kind": "compute#network",
        "id": "9000",
        "name": "default",
        "description": "Default network for the project",
        "selfLink": fake.link(PROJECT, "global/networks/default"),
        "autoCreateSubnetworks": True,
    }
    fake.page_cap = 1
    listed = {vpc.iid.name_id: vpc for vpc in gcp.vpc().list_vpcs()}
    assert list(listed) == ["default", "vpc-01"]
    assert (listed["default"].ipv4_cidr, listed["default"].tags, listed["default"].extra["mode"]) == ("", {}, "auto")


def test_another_regions_connection_sees_the_network_without_this_regions_subnets(
    fake: FakeGCP, gcp: GCPConnection
) -> None:
    make_vpc(gcp)
    other = GCPDriver().connect(connection_info(region="europe-west1"))
    [vpc] = other.vpc().list_vpcs()
    assert vpc.iid.name_id == "vpc-01" and vpc.subnets == ()
    other.close()


def test_delete_is_refused_while_vms_or_security_groups_use_the_vpc(fake: FakeGCP, gcp: GCPConnection) -> None:
    created = make_vpc(gcp)
    seed_instance(fake, "vm-01", network="vpc-01", subnet="vpc-01-sn")
    with pytest.raises(DependencyError, match="vm-01"):
        gcp.vpc().delete_vpc(iid=created.iid)
    with pytest.raises(DependencyError):
        gcp.vpc().remove_subnet(vpc_iid=created.iid, subnet_iid=IID(name_id="vpc-01-sn"))
    fake.collection(PROJECT, "zones/us-central1-a/instances").clear()

    gcp.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=created.iid))
    with pytest.raises(DependencyError, match="sg-01"):
        gcp.vpc().delete_vpc(iid=created.iid)
    assert gcp.vpc().get_vpc(iid=created.iid) == created  # nothing was deleted

    gcp.security_group().delete_security_group(iid=IID(name_id="sg-01"))
    gcp.vpc().delete_vpc(iid=created.iid)
    assert fake.collection(PROJECT, f"regions/{REGION}/subnetworks") == {}
    assert fake.collection(PROJECT, "global/networks") == {}


def test_a_vm_in_another_network_is_no_user(fake: FakeGCP, gcp: GCPConnection) -> None:
    created = make_vpc(gcp)
    seed_instance(fake, "vm-01", network="elsewhere", subnet="other", zone="us-east1-c")
    gcp.vpc().delete_vpc(iid=created.iid)
    with pytest.raises(NotFoundError):
        gcp.vpc().get_vpc(iid=created.iid)


def test_delete_is_refused_while_the_network_has_subnets_in_another_region(fake: FakeGCP, gcp: GCPConnection) -> None:
    created = make_vpc(gcp)
    other = GCPDriver().connect(connection_info(region="europe-west1"))
    other.vpc().add_subnet(vpc_iid=created.iid, req=SubnetReqInfo(name="sn-eu", ipv4_cidr="10.20.9.0/24"))
    with pytest.raises(DependencyError, match=r"sn-eu \(europe-west1\)"):
        gcp.vpc().delete_vpc(iid=created.iid)
    assert [s.iid.name_id for s in gcp.vpc().get_vpc(iid=created.iid).subnets] == ["vpc-01-sn"]

    other.vpc().remove_subnet(vpc_iid=created.iid, subnet_iid=IID(name_id="sn-eu"))
    other.close()
    gcp.vpc().delete_vpc(iid=created.iid)
    assert fake.collection(PROJECT, "global/networks") == {}
