"""VPCs and subnets: create -> get -> list -> change -> delete, and the contract's edge cases."""

from __future__ import annotations

import json

import pytest

from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.types import IID, SubnetReqInfo, VPCReqInfo, to_jsonable
from tests.drivers.conformance.harness import Harness


def _vpc_req(cloud: Harness, name: str = "vpc-01") -> VPCReqInfo:
    return VPCReqInfo(
        name=name,
        ipv4_cidr=cloud.vpc_cidr,
        subnets=(SubnetReqInfo(name="subnet-01", ipv4_cidr=cloud.subnet_cidrs[0]),),
        tags={"team": "web"},
    )


def test_vpc_lifecycle(cloud: Harness) -> None:
    cloud.require("vpc")
    handler = cloud.conn.vpc()

    created = handler.create_vpc(req=_vpc_req(cloud))
    assert created.iid.name_id == "vpc-01" and created.iid.system_id
    assert created.ipv4_cidr == cloud.vpc_cidr
    assert [(s.iid.name_id, s.ipv4_cidr) for s in created.subnets] == [("subnet-01", cloud.subnet_cidrs[0])]
    assert created.subnets[0].iid.system_id and created.subnets[0].zone
    assert created.tags == {"team": "web"}

    assert handler.get_vpc(iid=IID(name_id="vpc-01")) == created
    assert handler.get_vpc(iid=IID(name_id="", system_id=created.iid.system_id)) == created
    assert created.iid in [vpc.iid for vpc in handler.list_vpcs()]

    grown = handler.add_subnet(
        vpc_iid=created.iid, req=SubnetReqInfo(name="subnet-02", ipv4_cidr=cloud.subnet_cidrs[1])
    )
    assert [s.iid.name_id for s in grown.subnets] == ["subnet-01", "subnet-02"]
    handler.remove_subnet(vpc_iid=created.iid, subnet_iid=IID(name_id="subnet-02"))
    assert [s.iid.name_id for s in handler.get_vpc(iid=created.iid).subnets] == ["subnet-01"]

    handler.delete_vpc(iid=created.iid)
    with pytest.raises(NotFoundError):
        handler.get_vpc(iid=created.iid)
    assert created.iid not in [vpc.iid for vpc in handler.list_vpcs()]


def test_vpc_info_is_json_serialisable(cloud: Harness) -> None:
    cloud.require("vpc")
    created = cloud.conn.vpc().create_vpc(req=_vpc_req(cloud))
    data = json.loads(json.dumps(to_jsonable(created)))
    assert data["iid"] == {"name_id": "vpc-01", "system_id": created.iid.system_id}
    assert data["subnets"][0]["ipv4_cidr"] == cloud.subnet_cidrs[0]


def test_creating_an_existing_vpc_name_is_refused(cloud: Harness) -> None:
    cloud.require("vpc")
    cloud.conn.vpc().create_vpc(req=_vpc_req(cloud))
    with pytest.raises(AlreadyExistsError):
        cloud.conn.vpc().create_vpc(req=_vpc_req(cloud))
    assert [vpc.iid.name_id for vpc in cloud.conn.vpc().list_vpcs()] == ["vpc-01"]


def test_adding_an_existing_subnet_name_is_refused(cloud: Harness) -> None:
    cloud.require("vpc")
    created = cloud.conn.vpc().create_vpc(req=_vpc_req(cloud))
    with pytest.raises(AlreadyExistsError):
        cloud.conn.vpc().add_subnet(
            vpc_iid=created.iid, req=SubnetReqInfo(name="subnet-01", ipv4_cidr=cloud.subnet_cidrs[1])
        )


def test_missing_vpc_is_not_found(cloud: Harness) -> None:
    cloud.require("vpc")
    with pytest.raises(NotFoundError):
        cloud.conn.vpc().get_vpc(iid=IID(name_id="no-such-vpc"))
    with pytest.raises(NotFoundError):
        cloud.conn.vpc().add_subnet(
            vpc_iid=IID(name_id="no-such-vpc"), req=SubnetReqInfo(name="s", ipv4_cidr="10.0.0.0/24")
        )


def test_vpc_and_subnet_deletes_are_idempotent(cloud: Harness) -> None:
    cloud.require("vpc")
    handler = cloud.conn.vpc()
    created = handler.create_vpc(req=_vpc_req(cloud))
    handler.remove_subnet(vpc_iid=created.iid, subnet_iid=IID(name_id="subnet-01"))
    assert handler.remove_subnet(vpc_iid=created.iid, subnet_iid=IID(name_id="subnet-01")) is None
    handler.delete_vpc(iid=created.iid)
    assert handler.delete_vpc(iid=created.iid) is None
    assert handler.delete_vpc(iid=IID(name_id="never-existed")) is None
    assert handler.remove_subnet(vpc_iid=IID(name_id="never-existed"), subnet_iid=IID(name_id="s")) is None
