"""VPCs and subnets (VPC CreateVpc/DescribeVpcs/DeleteVpc, CreateSubnet/DescribeSubnets/DeleteSubnet).

A Tencent subnet lives in one zone; a subnet asked for without a zone goes to the connection's zone,
else to the region's first available zone. Tags are given at creation (`Tags`) and read from `TagSet`.
Deleting a VPC deletes its subnets first, so that what is still in use is reported as such
(`ResourceInUse` -> `DependencyError`) rather than half deleted.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.tencent._common import find_subnet, find_vpc, require
from drivers.tencent._session import TencentClients, tag_list, tags_of
from drivers.tencent.region_zone import available_zones
from drivers.types import IID, SubnetInfo, SubnetReqInfo, VPCInfo, VPCReqInfo


def _cidr(text: str, field: str) -> str:
    try:
        return str(ipaddress.IPv4Network(text))
    except ValueError:
        raise InvalidRequestError(f"{text!r} is not an IPv4 CIDR block.", field=field) from None


def subnet_info(subnet: dict[str, Any]) -> SubnetInfo:
    return SubnetInfo(
        iid=IID(name_id=subnet["SubnetName"], system_id=subnet["SubnetId"]),
        ipv4_cidr=subnet["CidrBlock"],
        zone=subnet.get("Zone") or "",
        tags=tags_of(subnet.get("TagSet")),
        extra={"RouteTableId": str(subnet.get("RouteTableId") or "")},
    )


class TencentVPCHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients

    def _subnets(self, vpc_id: str) -> list[dict[str, Any]]:
        params = {"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]}
        found = list(self._clients.pages("vpc", "DescribeSubnets", params, "SubnetSet", as_text=True))
        return sorted(found, key=lambda subnet: str(subnet.get("CreatedTime") or ""))

    def _info(self, vpc: dict[str, Any], subnets: list[dict[str, Any]] | None = None) -> VPCInfo:
        if subnets is None:
            subnets = self._subnets(vpc["VpcId"])
        return VPCInfo(
            iid=IID(name_id=vpc["VpcName"], system_id=vpc["VpcId"]),
            ipv4_cidr=vpc["CidrBlock"],
            subnets=tuple(subnet_info(subnet) for subnet in subnets),
            tags=tags_of(vpc.get("TagSet")),
            extra={"IsDefault": str(bool(vpc.get("IsDefault"))).lower()},
        )

    def _zone(self, zone: str) -> str:
        if zone:
            return zone
        if self._clients.zone:
            return self._clients.zone
        zones = available_zones(self._clients)
        if not zones:
            raise InvalidRequestError(f"Region {self._clients.region} has no available zone.", field="zone")
        return zones[0]

    def _create_subnet(self, vpc_id: str, req: SubnetReqInfo, field: str) -> None:
        params: dict[str, Any] = {
            "VpcId": vpc_id,
            "SubnetName": req.name,
            "CidrBlock": _cidr(req.ipv4_cidr, f"{field}.ipv4_cidr"),
            "Zone": self._zone(req.zone),
        }
        if req.tags:
            params["Tags"] = tag_list(req.tags)
        self._clients.call("vpc", "CreateSubnet", params)

    def create_vpc(self, *, req: VPCReqInfo) -> VPCInfo:
        cidr = _cidr(req.ipv4_cidr, "ipv4_cidr")
        if find_vpc(self._clients, IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"VPC '{req.name}' already exists.")
        names = [subnet.name for subnet in req.subnets]
        if len(set(names)) != len(names):
            raise InvalidRequestError("Subnet names must be unique within the VPC.", field="subnets")
        params: dict[str, Any] = {"VpcName": req.name, "CidrBlock": cidr}
        if req.tags:
            params["Tags"] = tag_list(req.tags)
        vpc = self._clients.call("vpc", "CreateVpc", params)["Vpc"]
        try:
            for index, subnet in enumerate(req.subnets):
                self._create_subnet(vpc["VpcId"], subnet, f"subnets[{index}]")
        except Exception:
            # Leave nothing half made behind: a retry creates the whole VPC again.
            self.delete_vpc(iid=IID(name_id=req.name, system_id=vpc["VpcId"]))
            raise
        return self._info(vpc)

    def list_vpcs(self) -> list[VPCInfo]:
        vpcs = list(self._clients.pages("vpc", "DescribeVpcs", {}, "VpcSet", as_text=True))
        subnets: dict[str, list[dict[str, Any]]] = {}
        for subnet in self._clients.pages("vpc", "DescribeSubnets", {}, "SubnetSet", as_text=True):
            subnets.setdefault(subnet["VpcId"], []).append(subnet)
        return [
            self._info(vpc, sorted(subnets.get(vpc["VpcId"], []), key=lambda s: str(s.get("CreatedTime") or "")))
            for vpc in vpcs
        ]

    def get_vpc(self, *, iid: IID) -> VPCInfo:
        return self._info(require(find_vpc(self._clients, iid), "VPC", iid))

    def delete_vpc(self, *, iid: IID) -> None:
        vpc = find_vpc(self._clients, iid)
        if vpc is None:
            return
        for subnet in self._subnets(vpc["VpcId"]):
            self._delete_subnet(subnet["SubnetId"])
        try:
            self._clients.call("vpc", "DeleteVpc", {"VpcId": vpc["VpcId"]})
        except NotFoundError:
            return

    def add_subnet(self, *, vpc_iid: IID, req: SubnetReqInfo) -> VPCInfo:
        vpc = require(find_vpc(self._clients, vpc_iid), "VPC", vpc_iid)
        if find_subnet(self._clients, IID(name_id=req.name), vpc_id=vpc["VpcId"]) is not None:
            raise AlreadyExistsError(f"Subnet '{req.name}' already exists in VPC '{vpc['VpcName']}'.")
        self._create_subnet(vpc["VpcId"], req, "subnet")
        return self._info(vpc)

    def remove_subnet(self, *, vpc_iid: IID, subnet_iid: IID) -> None:
        vpc = find_vpc(self._clients, vpc_iid)
        if vpc is None:
            return
        subnet = find_subnet(self._clients, subnet_iid, vpc_id=vpc["VpcId"])
        if subnet is not None:
            self._delete_subnet(subnet["SubnetId"])

    def _delete_subnet(self, subnet_id: str) -> None:
        try:
            self._clients.call("vpc", "DeleteSubnet", {"SubnetId": subnet_id})
        except NotFoundError:
            return
