"""NCP's `vpc` API: VPCs, subnets and network ACLs (NCP API guide, VPC > VPC, Subnet, Network ACL).

A VPC is answered INIT, turns CREATING and then RUN; only a RUN VPC takes subnets, which go INIT ->
CREATING -> RUN. Each VPC gets a default network ACL and a default ACG. Deletes pass through
TERMTING; a VPC with subnets, servers, or ACGs and network ACLs other than the defaults is refused.
What the exact return codes and wording of these refusals are is not published; the fake's wording
is listed in docs/drivers-ncp.md as unconfirmed.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from tests.drivers.ncp.fake.server import Call, FakeNCP, ServiceError, code, listing, not_found, now

_ZONES = {"KR": ("KR-1", "KR-2")}


def _vpc(fake: FakeNCP, number: str) -> dict[str, Any]:
    vpc = fake.table("vpcs").get(number)
    if vpc is None:
        raise not_found("VPC")
    return vpc


def create_vpc(fake: FakeNCP, call: Call) -> dict[str, Any]:
    name = call.require("vpcName")
    block = ipaddress.IPv4Network(call.require("ipv4CidrBlock"))
    if block.prefixlen < 16 or block.prefixlen > 28 or not block.is_private:
        raise ServiceError("1000036", "The IPv4 CIDR block must be a private block from /16 to /28.")
    if any(v["vpcName"] == name for v in fake.table("vpcs").values()):
        raise ServiceError("1000031", f"The VPC name '{name}' is already in use by name.")
    number = fake.number()
    vpc = {
        "vpcNo": number,
        "vpcName": name,
        "ipv4CidrBlock": str(block),
        "vpcStatus": code("INIT"),
        "regionCode": fake.region,
        "createDate": now(),
    }
    fake.table("vpcs")[number] = vpc
    fake.later(1, lambda: vpc.update(vpcStatus=code("CREATING")))
    fake.later(2, lambda: vpc.update(vpcStatus=code("RUN")))
    acl_no = fake.number()
    fake.table("acls")[acl_no] = {
        "networkAclNo": acl_no,
        "networkAclName": f"{name}-default-network-acl"[:30],
        "vpcNo": number,
        "networkAclStatus": code("RUN"),
        "networkAclDescription": "",
        "createDate": now(),
        "isDefault": True,
    }
    acg_no = fake.number()
    fake.table("acgs")[acg_no] = {
        "accessControlGroupNo": acg_no,
        "accessControlGroupName": f"{name}-default-acg"[:30],
        "isDefault": True,
        "vpcNo": number,
        "accessControlGroupStatus": code("RUN"),
        "accessControlGroupDescription": "default ACG",
        "_rules": [],
    }
    return listing("vpcList", [vpc])


def get_vpc_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    vpcs = list(fake.table("vpcs").values())
    if call.get("vpcName"):
        vpcs = [v for v in vpcs if v["vpcName"] == call.get("vpcName")]
    if call.values("vpcNoList"):
        vpcs = [v for v in vpcs if v["vpcNo"] in call.values("vpcNoList")]
    return listing("vpcList", vpcs)


def get_vpc_detail(fake: FakeNCP, call: Call) -> dict[str, Any]:
    return listing("vpcList", [_vpc(fake, call.require("vpcNo"))])


def delete_vpc(fake: FakeNCP, call: Call) -> dict[str, Any]:
    number = call.require("vpcNo")
    vpc = _vpc(fake, number)
    in_use = (
        [s for s in fake.table("subnets").values() if s["vpcNo"] == number]
        + [a for a in fake.table("acgs").values() if a["vpcNo"] == number and not a["isDefault"]]
        + [n for n in fake.table("acls").values() if n["vpcNo"] == number and not n["isDefault"]]
        + [c for c in fake.table("clusters").values() if str(c["vpcNo"]) == number]
    )
    if in_use:
        raise ServiceError("1000040", "The VPC cannot be deleted because there are resources in use in the VPC.")
    if vpc["vpcStatus"]["code"] != "RUN":
        raise ServiceError("1000041", "The VPC status does not allow this operation.")
    vpc["vpcStatus"] = code("TERMTING")

    def gone() -> None:
        fake.table("vpcs").pop(number, None)
        for table in ("acls", "acgs"):
            for key in [k for k, v in fake.table(table).items() if v["vpcNo"] == number]:
                fake.table(table).pop(key)

    fake.later(2, gone)
    return listing("vpcList", [vpc])


def create_subnet(fake: FakeNCP, call: Call) -> dict[str, Any]:
    vpc = _vpc(fake, call.require("vpcNo"))
    if vpc["vpcStatus"]["code"] != "RUN":
        raise ServiceError("1000042", "The VPC status is not RUN; the subnet cannot be created yet.")
    zone = call.require("zoneCode")
    if zone not in _ZONES.get(fake.region, ()):
        raise not_found(f"zone {zone}")
    name = call.require("subnetName")
    block = ipaddress.IPv4Network(call.require("subnet"))
    if not block.subnet_of(ipaddress.IPv4Network(vpc["ipv4CidrBlock"])):
        raise ServiceError("1000052", "The subnet must be within the VPC's IPv4 CIDR block.")
    siblings = [s for s in fake.table("subnets").values() if s["vpcNo"] == vpc["vpcNo"]]
    if any(s["subnetName"] == name for s in fake.table("subnets").values()):
        raise ServiceError("1000051", f"The subnet name '{name}' is already in use by name.")
    if any(block.overlaps(ipaddress.IPv4Network(s["subnet"])) for s in siblings):
        raise ServiceError("1000053", "The subnet overlaps another subnet of the VPC.")
    acl = fake.table("acls").get(call.require("networkAclNo"))
    if acl is None or acl["vpcNo"] != vpc["vpcNo"]:
        raise not_found("network ACL")
    type_code, usage = call.require("subnetTypeCode"), call.get("usageTypeCode", "GEN")
    if type_code not in ("PUBLIC", "PRIVATE") or usage not in ("GEN", "LOADB", "BM", "NATGW"):
        raise ServiceError("1401", "The subnet type or usage type code is invalid.")
    number = fake.number()
    subnet = {
        "subnetNo": number,
        "vpcNo": vpc["vpcNo"],
        "zoneCode": zone,
        "subnetName": name,
        "subnet": str(block),
        "subnetStatus": code("INIT"),
        "createDate": now(),
        "subnetType": code(type_code),
        "usageType": code(usage),
        "networkAclNo": acl["networkAclNo"],
        "_next_ip": 6,  # NCP keeps the first addresses of a subnet for itself
    }
    fake.table("subnets")[number] = subnet
    fake.later(1, lambda: subnet.update(subnetStatus=code("CREATING")))
    fake.later(2, lambda: subnet.update(subnetStatus=code("RUN")))
    return listing("subnetList", [subnet])


def _subnet(fake: FakeNCP, number: str) -> dict[str, Any]:
    subnet = fake.table("subnets").get(number)
    if subnet is None:
        raise not_found("subnet")
    return subnet


def get_subnet_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    subnets = list(fake.table("subnets").values())
    for key in ("vpcNo", "subnetName", "zoneCode"):
        if call.get(key):
            subnets = [s for s in subnets if s[key] == call.get(key)]
    if call.values("subnetNoList"):
        subnets = [s for s in subnets if s["subnetNo"] in call.values("subnetNoList")]
    return listing("subnetList", subnets)


def get_subnet_detail(fake: FakeNCP, call: Call) -> dict[str, Any]:
    return listing("subnetList", [_subnet(fake, call.require("subnetNo"))])


def delete_subnet(fake: FakeNCP, call: Call) -> dict[str, Any]:
    number = call.require("subnetNo")
    subnet = _subnet(fake, number)
    if any(number in lb["subnetNoList"] for lb in fake.table("lbs").values()):
        raise ServiceError("1000063", "The subnet cannot be deleted because a load balancer is in use in it.")
    if any(s["subnetNo"] == number for s in fake.table("servers").values()):
        raise ServiceError("1000061", "The subnet cannot be deleted because servers are in use in it.")
    if subnet["subnetStatus"]["code"] != "RUN":
        raise ServiceError("1000062", "The subnet status does not allow this operation.")
    subnet["subnetStatus"] = code("TERMTING")
    fake.later(2, lambda: fake.table("subnets").pop(number, None))
    return listing("subnetList", [subnet])


def get_network_acl_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    acls = list(fake.table("acls").values())
    if call.get("vpcNo"):
        acls = [a for a in acls if a["vpcNo"] == call.get("vpcNo")]
    return listing("networkAclList", acls)


def create_network_acl(fake: FakeNCP, call: Call) -> dict[str, Any]:
    vpc = _vpc(fake, call.require("vpcNo"))
    name = call.require("networkAclName")
    if any(a["networkAclName"] == name for a in fake.table("acls").values()):
        raise ServiceError("1000071", f"The network ACL name '{name}' is already in use by name.")
    description = call.get("networkAclDescription")
    if len(description) > 1000:
        raise ServiceError("1401", "The networkAclDescription is longer than 1000 characters.")
    number = fake.number()
    acl = {
        "networkAclNo": number,
        "networkAclName": name,
        "vpcNo": vpc["vpcNo"],
        "networkAclStatus": code("RUN"),
        "networkAclDescription": description,
        "createDate": now(),
        "isDefault": False,
    }
    fake.table("acls")[number] = acl
    return listing("networkAclList", [acl])


def delete_network_acl(fake: FakeNCP, call: Call) -> dict[str, Any]:
    acl = fake.table("acls").get(call.require("networkAclNo"))
    if acl is None or acl["vpcNo"] != call.require("vpcNo"):
        raise not_found("network ACL")
    if acl["isDefault"]:
        raise ServiceError("1000072", "The default network ACL cannot be deleted while its VPC exists.")
    fake.table("acls").pop(acl["networkAclNo"])
    return listing("networkAclList", [acl])


def register(fake: FakeNCP) -> None:
    fake.route("vpc", "createVpc", create_vpc, ["vpcName", "ipv4CidrBlock"])
    fake.route("vpc", "getVpcList", get_vpc_list, ["vpcName", "vpcNoList.N", "vpcStatusCode"])
    fake.route("vpc", "getVpcDetail", get_vpc_detail, ["vpcNo"])
    fake.route("vpc", "deleteVpc", delete_vpc, ["vpcNo"])
    subnet_params = ["vpcNo", "subnetName", "subnet", "zoneCode", "networkAclNo", "subnetTypeCode", "usageTypeCode"]
    fake.route("vpc", "createSubnet", create_subnet, subnet_params)
    fake.route("vpc", "getSubnetList", get_subnet_list, ["vpcNo", "subnetName", "zoneCode", "subnetNoList.N"])
    fake.route("vpc", "getSubnetDetail", get_subnet_detail, ["subnetNo"])
    fake.route("vpc", "deleteSubnet", delete_subnet, ["subnetNo"])
    fake.route("vpc", "getNetworkAclList", get_network_acl_list, ["vpcNo"])
    fake.route("vpc", "createNetworkAcl", create_network_acl, ["vpcNo", "networkAclName", "networkAclDescription"])
    fake.route("vpc", "deleteNetworkAcl", delete_network_acl, ["vpcNo", "networkAclNo"])
