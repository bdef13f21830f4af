"""VPCs and their vSwitches (the VPC API 2016-04-28). Both are created Pending and usable once
Available, so creation waits for each; a vSwitch lives in one zone (the request's, else the
connection's, else the region's first). Names need not be unique on Alibaba Cloud: the driver looks
the name up first so that a name stands for one VPC."""

from __future__ import annotations

from typing import Any

from drivers.alibaba._common import default_zone, tag_params, tags_of
from drivers.alibaba._session import AlibabaClients, dig, wait_until
from drivers.errors import AlreadyExistsError, DependencyError, NotFoundError
from drivers.types import IID, SubnetInfo, SubnetReqInfo, VPCInfo, VPCReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}

PAGE = 50


def find_vpc(clients: AlibabaClients, iid: IID) -> dict[str, Any]:
    """The VPC's answer by id when given, else by name; `NotFoundError` when absent."""
    params: dict[str, Any] = {"RegionId": clients.region}
    if iid.system_id:
        params["VpcId"] = iid.system_id
    else:
        params["VpcName"] = iid.name_id
    vpcs = clients.pages("vpc", "DescribeVpcs", params, items=lambda body: dig(body, "Vpcs", "Vpc"), page_size=PAGE)
    for vpc in vpcs:
        if (iid.system_id and vpc.get("VpcId") == iid.system_id) or (
            not iid.system_id and vpc.get("VpcName") == iid.name_id
        ):
            return dict(vpc)
    raise NotFoundError(f"VPC '{iid.system_id or iid.name_id}' does not exist in {clients.region}.")


def vswitches(clients: AlibabaClients, vpc_id: str) -> list[dict[str, Any]]:
    params = {"RegionId": clients.region, "VpcId": vpc_id}
    found = clients.pages(
        "vpc", "DescribeVSwitches", params, items=lambda body: dig(body, "VSwitches", "VSwitch"), page_size=PAGE
    )
    return sorted(found, key=lambda sw: str(sw.get("CreationTime", "")))


def find_vswitch(clients: AlibabaClients, vpc_id: str, iid: IID) -> dict[str, Any]:
    for switch in vswitches(clients, vpc_id):
        if switch.get("VSwitchId") == iid.system_id or (not iid.system_id and switch.get("VSwitchName") == iid.name_id):
            return switch
    raise NotFoundError(f"vSwitch '{iid.system_id or iid.name_id}' does not exist in VPC {vpc_id}.")


def subnet_info(switch: dict[str, Any]) -> SubnetInfo:
    return SubnetInfo(
        iid=IID(name_id=str(switch.get("VSwitchName", "")), system_id=str(switch.get("VSwitchId", ""))),
        ipv4_cidr=str(switch.get("CidrBlock", "")),
        zone=str(switch.get("ZoneId", "")),
        tags=tags_of(switch),
        extra={"Status": str(switch.get("Status", ""))},
    )


class AlibabaVPCHandler:
    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients

    def _info(self, vpc: dict[str, Any]) -> VPCInfo:
        vpc_id = str(vpc.get("VpcId", ""))
        return VPCInfo(
            iid=IID(name_id=str(vpc.get("VpcName", "")), system_id=vpc_id),
            ipv4_cidr=str(vpc.get("CidrBlock", "")),
            subnets=tuple(subnet_info(switch) for switch in vswitches(self._clients, vpc_id)),
            tags=tags_of(vpc),
            extra={"Status": str(vpc.get("Status", "")), "VRouterId": str(vpc.get("VRouterId", ""))},
        )

    def _wait_available(self, iid: IID) -> dict[str, Any]:
        found: dict[str, Any] = {}

        def available() -> bool:
            found.update(find_vpc(self._clients, iid))
            return found.get("Status") == "Available"

        wait_until(available, what=f"VPC {iid.system_id} to become Available")
        return found

    def create_vpc(self, *, req: VPCReqInfo) -> VPCInfo:
        try:
            find_vpc(self._clients, IID(name_id=req.name))
        except NotFoundError:
            pass
        else:
            raise AlreadyExistsError(f"A VPC named '{req.name}' already exists in {self._clients.region}.")
        body = self._clients.rpc(
            "vpc",
            "CreateVpc",
            {
                "RegionId": self._clients.region,
                "VpcName": req.name,
                "CidrBlock": req.ipv4_cidr,
                "Tag": tag_params(req.tags),
            },
        )
        iid = IID(name_id=req.name, system_id=str(body["VpcId"]))
        self._wait_available(iid)
        for subnet in req.subnets:
            self._create_vswitch(iid.system_id, subnet)
        return self.get_vpc(iid=iid)

    def _create_vswitch(self, vpc_id: str, req: SubnetReqInfo) -> str:
        body = self._clients.rpc(
            "vpc",
            "CreateVSwitch",
            {
                "RegionId": self._clients.region,
                "VpcId": vpc_id,
                "VSwitchName": req.name,
                "CidrBlock": req.ipv4_cidr,
                "ZoneId": req.zone or default_zone(self._clients),
                "Tag": tag_params(req.tags),
            },
        )
        switch_id = str(body["VSwitchId"])
        wait_until(
            lambda: (
                find_vswitch(self._clients, vpc_id, IID(name_id=req.name, system_id=switch_id)).get("Status")
                == "Available"
            ),
            what=f"vSwitch {switch_id} to become Available",
        )
        return switch_id

    def list_vpcs(self) -> list[VPCInfo]:
        params = {"RegionId": self._clients.region}
        vpcs = self._clients.pages(
            "vpc", "DescribeVpcs", params, items=lambda body: dig(body, "Vpcs", "Vpc"), page_size=PAGE
        )
        return [self._info(vpc) for vpc in vpcs]

    def get_vpc(self, *, iid: IID) -> VPCInfo:
        return self._info(find_vpc(self._clients, iid))

    def delete_vpc(self, *, iid: IID) -> None:
        try:
            vpc = find_vpc(self._clients, iid)
        except NotFoundError:
            return
        vpc_id = str(vpc["VpcId"])
        from drivers.alibaba.nlb import balancers_in_vpc  # the load balancers build on VPCs

        users = balancers_in_vpc(self._clients, vpc_id)
        if users:
            raise DependencyError(f"VPC '{vpc.get('VpcName')}' is used by load balancer(s) {', '.join(users)}.")
        for switch in vswitches(self._clients, vpc_id):
            self._delete_vswitch(str(switch["VSwitchId"]))
        try:
            self._clients.rpc("vpc", "DeleteVpc", {"RegionId": self._clients.region, "VpcId": vpc_id})
        except NotFoundError:
            return

    def _delete_vswitch(self, switch_id: str) -> None:
        try:
            self._clients.rpc("vpc", "DeleteVSwitch", {"RegionId": self._clients.region, "VSwitchId": switch_id})
        except NotFoundError:
            return

    def add_subnet(self, *, vpc_iid: IID, req: SubnetReqInfo) -> VPCInfo:
        vpc = find_vpc(self._clients, vpc_iid)
        vpc_id = str(vpc["VpcId"])
        if any(switch.get("VSwitchName") == req.name for switch in vswitches(self._clients, vpc_id)):
            raise AlreadyExistsError(f"VPC '{vpc.get('VpcName')}' already has a vSwitch named '{req.name}'.")
        if vpc.get("Status") != "Available":
            self._wait_available(IID(name_id=str(vpc.get("VpcName", "")), system_id=vpc_id))
        self._create_vswitch(vpc_id, req)
        return self._info(vpc)

    def remove_subnet(self, *, vpc_iid: IID, subnet_iid: IID) -> None:
        try:
            vpc = find_vpc(self._clients, vpc_iid)
            switch = find_vswitch(self._clients, str(vpc["VpcId"]), subnet_iid)
        except NotFoundError:
            return
        self._delete_vswitch(str(switch["VSwitchId"]))
