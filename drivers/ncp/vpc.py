"""VPCs and subnets of NCP's VPC platform (the `vpc` API).

`createVpc` (regionCode, vpcName, ipv4CidrBlock) answers the VPC in state INIT; it turns CREATING and
then RUN, and only a RUN VPC takes subnets. NCP makes a default network ACL (and ACG) with every VPC;
`createSubnet` needs that ACL's number, a zone, `subnetTypeCode` (PUBLIC here, so VMs can get a public
IP) and `usageTypeCode` GEN. Deletes are asynchronous too (TERMTING), and a VPC is deleted only once
its subnets are gone. VPCs have neither tags nor a description: their tags are kept in the description
of a marker network ACL `tags-<vpcNo>` (removed with the VPC); subnets take no tags.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, NotFoundError
from drivers.ncp._client import NCPClient
from drivers.ncp._common import (
    check_name,
    code,
    describe,
    described_tags,
    find,
    matches,
    no_tags,
    rows,
    wait_for,
)
from drivers.types import IID, SubnetInfo, SubnetReqInfo, VPCInfo, VPCReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES = {
    "vpc": "VPC tags are kept in the description of a marker network ACL, as NCP VPCs have no tags; subnets take none."
}


def _tag_acl_name(vpc_no: str) -> str:
    return f"tags-{vpc_no}"


class NCPVPCHandler:
    def __init__(self, client: NCPClient, zone: str) -> None:
        self._client = client
        self._zone = zone

    # --- reading ------------------------------------------------------------------------------------

    def _raw_vpcs(self) -> list[dict[str, Any]]:
        return [
            v for v in rows(self._client.call("vpc", "getVpcList"), "vpcList") if code(v["vpcStatus"]) != "TERMTING"
        ]

    def _raw_vpc(self, iid: IID) -> dict[str, Any]:
        return find(self._raw_vpcs(), iid, lambda v: (str(v["vpcNo"]), str(v["vpcName"])), "VPC")

    def _subnets(self, vpc_no: str) -> list[dict[str, Any]]:
        answer = self._client.call("vpc", "getSubnetList", {"vpcNo": vpc_no})
        return [s for s in rows(answer, "subnetList") if code(s["subnetStatus"]) != "TERMTING"]

    def _acls(self, vpc_no: str) -> list[dict[str, Any]]:
        return rows(self._client.call("vpc", "getNetworkAclList", {"vpcNo": vpc_no}), "networkAclList")

    def _info(self, raw: dict[str, Any]) -> VPCInfo:
        vpc_no = str(raw["vpcNo"])
        tags: dict[str, str] = {}
        for acl in self._acls(vpc_no):
            if acl.get("networkAclName") == _tag_acl_name(vpc_no):
                tags = described_tags(acl.get("networkAclDescription"))
        subnets = sorted(self._subnets(vpc_no), key=lambda s: (str(s.get("createDate", "")), str(s["subnetNo"])))
        return VPCInfo(
            iid=IID(name_id=str(raw["vpcName"]), system_id=vpc_no),
            ipv4_cidr=str(raw["ipv4CidrBlock"]),
            subnets=tuple(
                SubnetInfo(
                    iid=IID(name_id=str(s["subnetName"]), system_id=str(s["subnetNo"])),
                    ipv4_cidr=str(s["subnet"]),
                    zone=str(s.get("zoneCode", "")),
                    extra={"type": code(s.get("subnetType")), "usage": code(s.get("usageType"))},
                )
                for s in subnets
            ),
            tags=tags,
            extra={"status": code(raw.get("vpcStatus"))},
        )

    def list_vpcs(self) -> list[VPCInfo]:
        return [self._info(raw) for raw in self._raw_vpcs()]

    def get_vpc(self, *, iid: IID) -> VPCInfo:
        return self._info(self._raw_vpc(iid))

    # --- changing -----------------------------------------------------------------------------------

    def create_vpc(self, *, req: VPCReqInfo) -> VPCInfo:
        check_name(req.name, field="name", what="VPC")
        try:
            network = ipaddress.IPv4Network(req.ipv4_cidr)
        except ValueError:
            raise InvalidRequestError(f"{req.ipv4_cidr!r} is not an IPv4 CIDR block.", field="ipv4_cidr") from None
        for index, subnet in enumerate(req.subnets):
            self._check_subnet(subnet, network, field=f"subnets[{index}]")
        description = describe(req.tags) if req.tags else ""
        if any(str(v["vpcName"]) == req.name for v in self._raw_vpcs()):
            raise AlreadyExistsError(f"A VPC named '{req.name}' already exists.", field="name")
        answer = self._client.call("vpc", "createVpc", {"vpcName": req.name, "ipv4CidrBlock": req.ipv4_cidr})
        vpc_no = str(rows(answer, "vpcList")[0]["vpcNo"])
        self._wait_vpc(vpc_no)
        if description:
            self._client.call(
                "vpc",
                "createNetworkAcl",
                {"vpcNo": vpc_no, "networkAclName": _tag_acl_name(vpc_no), "networkAclDescription": description},
            )
        for subnet in req.subnets:
            self._create_subnet(vpc_no, subnet)
        return self.get_vpc(iid=IID(name_id=req.name, system_id=vpc_no))

    def _check_subnet(self, req: SubnetReqInfo, network: ipaddress.IPv4Network, *, field: str) -> None:
        check_name(req.name, field=f"{field}.name", what="subnet")
        no_tags(req.tags, field=f"{field}.tags", what="subnets")
        try:
            block = ipaddress.IPv4Network(req.ipv4_cidr)
        except ValueError:
            raise InvalidRequestError(
                f"{req.ipv4_cidr!r} is not an IPv4 CIDR block.", field=f"{field}.ipv4_cidr"
            ) from None
        if not block.subnet_of(network):
            raise InvalidRequestError(
                f"Subnet {block} is not inside the VPC's block {network}.", field=f"{field}.ipv4_cidr"
            )

    def _wait_vpc(self, vpc_no: str) -> None:
        wait_for(lambda: self._status("Vpc", vpc_no), lambda status: status == "RUN", f"VPC {vpc_no}")

    def _create_subnet(self, vpc_no: str, req: SubnetReqInfo) -> str:
        zone = req.zone or self._zone or self._first_zone()
        default_acl = next((a for a in self._acls(vpc_no) if a.get("isDefault")), None)
        if default_acl is None:
            raise NotFoundError(f"VPC {vpc_no} has no default network ACL.")
        params = {
            "vpcNo": vpc_no,
            "subnetName": req.name,
            "subnet": req.ipv4_cidr,
            "zoneCode": zone,
            "networkAclNo": default_acl["networkAclNo"],
            "subnetTypeCode": "PUBLIC",
            "usageTypeCode": "GEN",
        }
        answer = self._client.call("vpc", "createSubnet", params)
        subnet_no = str(rows(answer, "subnetList")[0]["subnetNo"])

        wait_for(lambda: self._status("Subnet", subnet_no), lambda status: status == "RUN", f"subnet {subnet_no}")
        return subnet_no

    def _status(self, kind: str, number: str) -> str:
        """The state of a VPC or subnet, "GONE" once NCP no longer knows it."""
        key = kind[0].lower() + kind[1:]
        try:
            found = rows(self._client.call("vpc", f"get{kind}Detail", {f"{key}No": number}), f"{key}List")
        except NotFoundError:
            return "GONE"
        return code(found[0][f"{key}Status"]) if found else "GONE"

    def _first_zone(self) -> str:
        zones = rows(self._client.call("vserver", "getZoneList"), "zoneList")
        if not zones:
            raise NotFoundError(f"NCP region {self._client.region} has no zone.")
        return str(zones[0]["zoneCode"])

    def add_subnet(self, *, vpc_iid: IID, req: SubnetReqInfo) -> VPCInfo:
        raw = self._raw_vpc(vpc_iid)
        vpc_no = str(raw["vpcNo"])
        self._check_subnet(req, ipaddress.IPv4Network(str(raw["ipv4CidrBlock"])), field="req")
        if any(str(s["subnetName"]) == req.name for s in self._subnets(vpc_no)):
            raise AlreadyExistsError(f"VPC '{raw['vpcName']}' already has a subnet named '{req.name}'.", field="name")
        self._create_subnet(vpc_no, req)
        return self.get_vpc(iid=IID(name_id=str(raw["vpcName"]), system_id=vpc_no))

    def remove_subnet(self, *, vpc_iid: IID, subnet_iid: IID) -> None:
        try:
            raw = self._raw_vpc(vpc_iid)
        except NotFoundError:
            return
        for subnet in self._subnets(str(raw["vpcNo"])):
            if matches(subnet_iid, number=str(subnet["subnetNo"]), name=str(subnet["subnetName"])):
                self._delete_subnet(str(subnet["subnetNo"]))

    def _delete_subnet(self, subnet_no: str) -> None:
        servers = self._client.call("vserver", "getServerInstanceList", {"subnetNo": subnet_no})
        if any(code(s["serverInstanceStatus"]) != "TERMT" for s in rows(servers, "serverInstanceList")):
            raise DependencyError(f"Subnet {subnet_no} still has servers.")
        self._client.call("vpc", "deleteSubnet", {"subnetNo": subnet_no})

        wait_for(lambda: self._status("Subnet", subnet_no), lambda status: status == "GONE", f"subnet {subnet_no}")

    def delete_vpc(self, *, iid: IID) -> None:
        try:
            raw = self._raw_vpc(iid)
        except NotFoundError:
            return
        vpc_no = str(raw["vpcNo"])
        # Checked first so that a VPC still in use keeps its subnets.
        groups = rows(
            self._client.call("vserver", "getAccessControlGroupList", {"vpcNo": vpc_no}), "accessControlGroupList"
        )
        servers = self._client.call("vserver", "getServerInstanceList", {"vpcNo": vpc_no})
        balancers = self._client.call("vloadbalancer", "getLoadBalancerInstanceList", {"vpcNo": vpc_no})
        if (
            any(not g.get("isDefault") for g in groups)
            or rows(servers, "serverInstanceList")
            or rows(balancers, "loadBalancerInstanceList")
        ):
            raise DependencyError(f"VPC '{raw['vpcName']}' still has servers, access control groups or load balancers.")
        for subnet in self._subnets(vpc_no):
            self._delete_subnet(str(subnet["subnetNo"]))
        for acl in self._acls(vpc_no):
            if acl.get("networkAclName") == _tag_acl_name(vpc_no):
                self._client.call("vpc", "deleteNetworkAcl", {"vpcNo": vpc_no, "networkAclNo": acl["networkAclNo"]})
        self._client.call("vpc", "deleteVpc", {"vpcNo": vpc_no})

        wait_for(lambda: self._status("Vpc", vpc_no), lambda status: status == "GONE", f"VPC {vpc_no}")
