"""VPCs and vSwitches of the VPC API 2016-04-28 (CreateVpc, DescribeVpcs, DeleteVpc, CreateVSwitch,
DescribeVSwitches, DeleteVSwitch; https://www.alibabacloud.com/help/en/vpc/developer-reference/api-vpc-2016-04-28-dir).

Both are created Pending and become Available on a later describe, and a vSwitch cannot be created
in a VPC that is still Pending (IncorrectVpcStatus). A VPC cannot be deleted while it has vSwitches
or security groups, nor a vSwitch while instances, load balancers or clusters use it
(DependencyViolation.*). Names need not be unique, as on Alibaba Cloud.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from tests.drivers.alibaba.fake.server import ApiError, Call, FakeAlibaba, not_found

MAX_PAGE = 50  # DescribeVpcs and DescribeVSwitches answer at most 50 per page


def tags_of(call: Call) -> list[dict[str, str]]:
    return [{"Key": tag.get("Key", ""), "Value": tag.get("Value", "")} for tag in call.indexed_maps("Tag")]


def vpc_of(fake: FakeAlibaba, vpc_id: str) -> dict[str, Any]:
    vpc = fake.table("vpcs").get(vpc_id)
    if vpc is None:
        raise not_found("InvalidVpcId.NotFound", "Specified VPC does not exist.")
    return vpc


def creation_time(fake: FakeAlibaba) -> str:
    # Alibaba's CreationTime has second resolution; a counter keeps the fake's order strict.
    fake.state.setdefault("clock", {"tick": 0})["tick"] += 1
    return f"2026-01-01T00:{fake.state['clock']['tick'] // 60:02d}:{fake.state['clock']['tick'] % 60:02d}Z"


def register(fake: FakeAlibaba) -> None:
    @fake.route("vpc", "CreateVpc")
    def create_vpc(call: Call) -> dict[str, Any]:
        cidr = call.get("CidrBlock", "172.16.0.0/12")
        try:
            ipaddress.IPv4Network(cidr)
        except ValueError:
            raise ApiError(400, "InvalidCidrBlock.Malformed", "Specified CIDR block is not valid.") from None
        vpc_id = fake.new_id("vpc-")
        fake.table("vpcs")[vpc_id] = {
            "VpcId": vpc_id,
            "VpcName": call.get("VpcName"),
            "CidrBlock": cidr,
            "Status": "Pending",
            "_steps": ["Pending", "Available"],
            "RegionId": call.region(),
            "IsDefault": False,
            "VRouterId": fake.new_id("vrt-"),
            "CreationTime": creation_time(fake),
            "Tags": {"Tag": tags_of(call)},
        }
        return {
            "VpcId": vpc_id,
            "VRouterId": fake.table("vpcs")[vpc_id]["VRouterId"],
            "RouteTableId": fake.new_id("vtb-"),
        }

    @fake.route("vpc", "DescribeVpcs")
    def describe_vpcs(call: Call) -> dict[str, Any]:
        region = call.region()
        ids = [item for item in call.get("VpcId").split(",") if item]
        name = call.get("VpcName")
        found = []
        for vpc in fake.table("vpcs").values():
            if vpc["RegionId"] != region or (ids and vpc["VpcId"] not in ids) or (name and vpc["VpcName"] != name):
                continue
            switches = [sw["VSwitchId"] for sw in fake.table("vswitches").values() if sw["VpcId"] == vpc["VpcId"]]
            found.append({**fake.public(vpc), "VSwitchIds": {"VSwitchId": switches}})
        page, meta = fake.page(found, call, max_size=MAX_PAGE)
        return {"Vpcs": {"Vpc": page}, **meta}

    @fake.route("vpc", "DeleteVpc")
    def delete_vpc(call: Call) -> dict[str, Any]:
        vpc = vpc_of(fake, call.need("VpcId"))
        if any(sw["VpcId"] == vpc["VpcId"] for sw in fake.table("vswitches").values()):
            raise ApiError(400, "DependencyViolation.VSwitch", "Specified VPC has VSwitches.")
        if any(sg["VpcId"] == vpc["VpcId"] for sg in fake.table("security_groups").values()):
            raise ApiError(400, "DependencyViolation.SecurityGroup", "Specified VPC has security groups.")
        del fake.table("vpcs")[vpc["VpcId"]]
        return {}

    @fake.route("vpc", "CreateVSwitch")
    def create_vswitch(call: Call) -> dict[str, Any]:
        vpc = vpc_of(fake, call.need("VpcId"))
        if vpc["Status"] != "Available":
            raise ApiError(400, "IncorrectVpcStatus", "Current VPC status does not support this operation.")
        zone = call.need("ZoneId")
        from tests.drivers.alibaba.fake.catalogue import REGIONS

        if zone not in REGIONS[vpc["RegionId"]][1]:
            raise ApiError(400, "InvalidZoneId.NotFound", "Specified zone does not exist.")
        try:
            cidr = ipaddress.IPv4Network(call.need("CidrBlock"))
        except ValueError:
            raise ApiError(400, "InvalidCidrBlock.Malformed", "Specified CIDR block is not valid.") from None
        if not cidr.subnet_of(ipaddress.IPv4Network(vpc["CidrBlock"])):
            raise ApiError(400, "InvalidCIDRBlock.Mismatch", "Specified CIDR block is not in the VPC's CIDR block.")
        for other in fake.table("vswitches").values():
            if other["VpcId"] == vpc["VpcId"] and cidr.overlaps(ipaddress.IPv4Network(other["CidrBlock"])):
                raise ApiError(
                    400, "InvalidCidrBlock.Overlapped", "Specified CIDR block overlapped with other vswitch."
                )
        vsw_id = fake.new_id("vsw-")
        fake.table("vswitches")[vsw_id] = {
            "VSwitchId": vsw_id,
            "VSwitchName": call.get("VSwitchName"),
            "VpcId": vpc["VpcId"],
            "CidrBlock": str(cidr),
            "ZoneId": zone,
            "Status": "Pending",
            "_steps": ["Available"],
            "AvailableIpAddressCount": cidr.num_addresses - 4,
            "CreationTime": creation_time(fake),
            "Tags": {"Tag": tags_of(call)},
        }
        return {"VSwitchId": vsw_id}

    @fake.route("vpc", "DescribeVSwitches")
    def describe_vswitches(call: Call) -> dict[str, Any]:
        vpc_id = call.get("VpcId")
        vsw_id = call.get("VSwitchId")
        name = call.get("VSwitchName")
        found = []
        for sw in fake.table("vswitches").values():
            if (vpc_id and sw["VpcId"] != vpc_id) or (vsw_id and sw["VSwitchId"] != vsw_id):
                continue
            if name and sw["VSwitchName"] != name:
                continue
            found.append(fake.public(sw))
        page, meta = fake.page(found, call, max_size=MAX_PAGE)
        return {"VSwitches": {"VSwitch": page}, **meta}

    @fake.route("vpc", "DeleteVSwitch")
    def delete_vswitch(call: Call) -> dict[str, Any]:
        vsw_id = call.need("VSwitchId")
        if vsw_id not in fake.table("vswitches"):
            raise not_found("InvalidVSwitchId.NotFound", "Specified virtual switch does not exist.")
        users = {
            "instances": "DependencyViolation.Instance",
            "load_balancers": "DependencyViolation.SLBInstance",
            "clusters": "DependencyViolation.Cluster",
        }
        for table, code in users.items():
            for item in fake.table(table).values():
                if vsw_id in (
                    item.get("VpcAttributes", {}).get("VSwitchId"),
                    item.get("VSwitchId"),
                ) or vsw_id in item.get("_vswitches", ()):
                    raise ApiError(400, code, "Specified virtual switch has dependent resources.")
        del fake.table("vswitches")[vsw_id]
        return {}
