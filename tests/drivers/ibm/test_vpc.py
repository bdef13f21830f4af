"""VPCs on IBM's model: one address prefix in one zone, subnets inside it behind a public gateway."""

from __future__ import annotations

import pytest

from drivers.errors import DependencyError, InvalidRequestError, NotFoundError
from drivers.ibm import IBMConnection, IBMDriver
from drivers.types import IID, SubnetReqInfo, VPCReqInfo
from tests.drivers.ibm.fake import FakeIBM
from tests.drivers.ibm.net_support import make_net, running_vm, state
from tests.drivers.ibm.support import connection_info


def _req(**change: object) -> VPCReqInfo:
    values: dict[str, object] = {
        "name": "vpc-1",
        "ipv4_cidr": "10.10.0.0/16",
        "subnets": (SubnetReqInfo(name="sn-1", ipv4_cidr="10.10.1.0/24"),),
    }
    return VPCReqInfo(**{**values, **change})  # type: ignore[arg-type]


def test_a_vpc_is_one_prefix_in_the_connection_zone_with_subnets_behind_a_gateway(fake: FakeIBM) -> None:
    conn = IBMDriver().connect(connection_info(zone="us-south-2"))
    vpc = conn.vpc().create_vpc(req=_req(tags={"team": "web"}))
    assert vpc.ipv4_cidr == "10.10.0.0/16" and vpc.extra["zone"] == "us-south-2"
    assert [(s.iid.name_id, s.zone) for s in vpc.subnets] == [("sn-1", "us-south-2")]
    [raw_vpc] = state(fake, "vpcs")
    assert raw_vpc["_auto"] is False  # made with manual address prefix management
    [gateway] = state(fake, "public_gateways")
    [subnet] = state(fake, "subnets")
    assert subnet["public_gateway"]["id"] == gateway["id"]  # type: ignore[index]
    assert vpc.tags == {"team": "web"}
    grown = conn.vpc().add_subnet(vpc_iid=vpc.iid, req=SubnetReqInfo(name="sn-2", ipv4_cidr="10.10.2.0/24"))
    assert [s.iid.name_id for s in grown.subnets] == ["sn-1", "sn-2"]
    assert len(state(fake, "public_gateways")) == 1  # one gateway per VPC and zone


def test_subnets_must_fit_the_prefix_and_its_zone(ibm: IBMConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        ibm.vpc().create_vpc(req=_req(subnets=(SubnetReqInfo(name="sn-1", ipv4_cidr="172.16.0.0/24"),)))
    assert caught.value.field == "subnets[0].ipv4_cidr"
    vpc = ibm.vpc().create_vpc(req=_req())
    with pytest.raises(InvalidRequestError) as caught:
        ibm.vpc().add_subnet(
            vpc_iid=vpc.iid, req=SubnetReqInfo(name="sn-2", ipv4_cidr="10.10.2.0/24", zone="us-south-3")
        )
    assert caught.value.field == "req.zone"
    with pytest.raises(InvalidRequestError) as caught:
        ibm.vpc().create_vpc(req=_req(name="Vpc_1"))
    assert caught.value.field == "name"


def test_a_failed_create_leaves_nothing_behind(fake: FakeIBM, ibm: IBMConnection) -> None:
    fake.fail("/subnets", method="POST", status=400, code="subnet_cidr_overlap", message="overlaps")
    with pytest.raises(InvalidRequestError):
        ibm.vpc().create_vpc(req=_req())
    assert state(fake, "vpcs") == [] and state(fake, "public_gateways") == []


def test_a_vpc_in_use_is_refused_before_anything_is_deleted(fake: FakeIBM, ibm: IBMConnection) -> None:
    net = make_net(ibm)
    running_vm(ibm, net)
    with pytest.raises(DependencyError) as caught:
        ibm.vpc().delete_vpc(iid=net.vpc)
    assert "vm-1" in str(caught.value)
    assert len(state(fake, "subnets")) == 1 and len(state(fake, "public_gateways")) == 1


def test_deleting_a_vpc_takes_its_subnets_and_gateway(fake: FakeIBM, ibm: IBMConnection) -> None:
    vpc = ibm.vpc().create_vpc(req=_req())
    ibm.vpc().delete_vpc(iid=IID(name_id="vpc-1"))
    assert state(fake, "vpcs") == state(fake, "subnets") == state(fake, "public_gateways") == []
    assert state(fake, "security_groups") == []  # the VPC's default group goes with it
    with pytest.raises(NotFoundError):
        ibm.vpc().get_vpc(iid=vpc.iid)


def test_the_default_security_group_is_not_listed_and_a_vpc_with_groups_stays(ibm: IBMConnection) -> None:
    net = make_net(ibm)
    assert [sg.iid.name_id for sg in ibm.security_group().list_security_groups()] == ["sg-1"]
    with pytest.raises(DependencyError):
        ibm.vpc().delete_vpc(iid=net.vpc)
