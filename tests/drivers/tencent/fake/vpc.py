"""VPC: VPCs, subnets, security groups and their policies.

Shapes and rules from the VPC API reference: CreateVpc (https://www.tencentcloud.com/document/api/215/15774:
CIDR within 10.0.0.0/12-28, 172.16.0.0/12-28 or 192.168.0.0/16-28), DescribeVpcs (/15778, Offset and
Limit are strings), DeleteVpc (/15775: no resources may remain in it), CreateSubnet (/15782: inside the
VPC's CIDR, not overlapping another subnet, `InvalidParameterValue.SubnetConflict`), DeleteSubnet (/15783:
remove all resources first), CreateSecurityGroup (/15803: region-wide, not bound to a VPC, no rules:
"Deny All by default"), CreateSecurityGroupPolicies (/15807: one direction per request),
DeleteSecurityGroupPolicies (/15809: by PolicyIndex or by the whole policy, one direction per request),
DeleteSecurityGroup (/15804: `ResourceInUse` while an instance uses it).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from tests.drivers.tencent.fake.catalogue import zones_of
from tests.drivers.tencent.fake.server import ApiError, Call, FakeTencent, by_ids, filters, now_text, page, public

_PRIVATE = [ipaddress.IPv4Network(text) for text in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


def _tags(params: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": tag["Key"], "Value": tag.get("Value", "")} for tag in params.get("Tags") or []]


def _network(text: str, field: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(text)
    except ValueError:
        raise ApiError("InvalidParameterValue.Malformed", f"The value `{text}` of {field} is malformed.") from None


def in_use(fake: FakeTencent, *, vpc_id: str = "", subnet_id: str = "", sg_id: str = "") -> bool:
    """Whether an instance, load balancer or cluster still stands on the VPC, subnet or security group."""
    for instance in fake.table("instances").values():
        network = instance["VirtualPrivateCloud"]
        if (vpc_id and network["VpcId"] == vpc_id) or (subnet_id and network["SubnetId"] == subnet_id):
            return True
        if sg_id and sg_id in instance["SecurityGroupIds"]:
            return True
    for other in ("load_balancers", "clusters"):
        for item in fake.table(other).values():
            vpc_of = item.get("VpcId") or item.get("_vpc_id")
            if (vpc_id and vpc_of == vpc_id) or (subnet_id and item.get("SubnetId") == subnet_id):
                return True
    from tests.drivers.tencent.fake.tke import launch_references

    return bool(sg_id and sg_id in launch_references(fake)[0])


def register(fake: FakeTencent) -> None:
    vpcs = fake.table("vpcs")
    subnets = fake.table("subnets")
    groups = fake.table("security_groups")

    @fake.route("vpc", "CreateVpc")
    def create_vpc(call: Call) -> dict[str, Any]:
        cidr = _network(call.params.get("CidrBlock", ""), "CidrBlock")
        if not any(cidr.subnet_of(block) for block in _PRIVATE) or not 12 <= cidr.prefixlen <= 28:
            raise ApiError("InvalidParameterValue.Range", f"The CIDR `{cidr}` is outside the allowed private ranges.")
        vpc = {
            "VpcId": fake.new_id("vpc"),
            "VpcName": call.params.get("VpcName", ""),
            "CidrBlock": str(cidr),
            "IsDefault": False,
            "EnableMulticast": False,
            "CreatedTime": now_text(),
            "DnsServerSet": ["183.60.83.19", "183.60.82.98"],
            "DomainName": "",
            "DhcpOptionsId": "",
            "EnableDhcp": True,
            "Ipv6CidrBlock": "",
            "TagSet": _tags(call.params),
            "AssistantCidrSet": [],
            "_region": call.region,
        }
        vpcs[vpc["VpcId"]] = vpc
        return {"Vpc": public(vpc)}

    @fake.route("vpc", "DescribeVpcs")
    def describe_vpcs(call: Call) -> dict[str, Any]:
        found = by_ids(vpcs, call.params.get("VpcIds"), "ResourceNotFound", "VPC")
        matches = filters(
            call.params,
            {
                "vpc-name": lambda vpc: [vpc["VpcName"]],
                "vpc-id": lambda vpc: [vpc["VpcId"]],
                "is-default": lambda vpc: [str(vpc["IsDefault"]).lower()],
            },
        )
        rows = [vpc for vpc in found if vpc["_region"] == call.region and matches(vpc)]
        total, part = page(rows, call.params, as_text=True)
        return {"TotalCount": total, "VpcSet": [public(vpc) for vpc in part]}

    @fake.route("vpc", "DeleteVpc")
    def delete_vpc(call: Call) -> dict[str, Any]:
        vpc_id = call.params.get("VpcId", "")
        if vpc_id not in vpcs:
            raise ApiError("ResourceNotFound", f"The VPC `{vpc_id}` does not exist.")
        if in_use(fake, vpc_id=vpc_id):
            raise ApiError("ResourceInUse", f"The VPC `{vpc_id}` still contains resources.")
        for subnet_id in [key for key, subnet in subnets.items() if subnet["VpcId"] == vpc_id]:
            del subnets[subnet_id]
        del vpcs[vpc_id]
        return {}

    @fake.route("vpc", "CreateSubnet")
    def create_subnet(call: Call) -> dict[str, Any]:
        params = call.params
        vpc = vpcs.get(params.get("VpcId", ""))
        if vpc is None:
            raise ApiError("ResourceNotFound", f"The VPC `{params.get('VpcId')}` does not exist.")
        zone = params.get("Zone", "")
        if zone not in zones_of(call.region):
            raise ApiError("InvalidParameterValue.Zone", f"The zone `{zone}` is not a zone of {call.region}.")
        cidr = _network(params.get("CidrBlock", ""), "CidrBlock")
        if not cidr.subnet_of(ipaddress.IPv4Network(vpc["CidrBlock"])):
            raise ApiError("InvalidParameterValue.SubnetRange", f"The subnet `{cidr}` is not inside the VPC's CIDR.")
        for other in subnets.values():
            if other["VpcId"] == vpc["VpcId"] and cidr.overlaps(ipaddress.IPv4Network(other["CidrBlock"])):
                raise ApiError(
                    "InvalidParameterValue.SubnetConflict", f"The subnet `{cidr}` overlaps {other['SubnetId']}."
                )
        subnet = {
            "VpcId": vpc["VpcId"],
            "SubnetId": fake.new_id("subnet"),
            "SubnetName": params.get("SubnetName", ""),
            "CidrBlock": str(cidr),
            "IsDefault": False,
            "EnableBroadcast": False,
            "Zone": zone,
            "RouteTableId": "rtb-" + vpc["VpcId"][4:],
            "CreatedTime": now_text(),
            "AvailableIpAddressCount": cidr.num_addresses - 3,
            "Ipv6CidrBlock": "",
            "NetworkAclId": "",
            "IsRemoteVpcSnat": False,
            "TotalIpAddressCount": cidr.num_addresses,
            "TagSet": _tags(params),
            "_next_host": 2,
        }
        subnets[subnet["SubnetId"]] = subnet
        return {"Subnet": public(subnet)}

    @fake.route("vpc", "DescribeSubnets")
    def describe_subnets(call: Call) -> dict[str, Any]:
        found = by_ids(subnets, call.params.get("SubnetIds"), "ResourceNotFound", "subnet")
        matches = filters(
            call.params,
            {
                "vpc-id": lambda subnet: [subnet["VpcId"]],
                "subnet-id": lambda subnet: [subnet["SubnetId"]],
                "subnet-name": lambda subnet: [subnet["SubnetName"]],
                "zone": lambda subnet: [subnet["Zone"]],
            },
        )
        rows = [subnet for subnet in found if vpcs[subnet["VpcId"]]["_region"] == call.region and matches(subnet)]
        total, part = page(rows, call.params, as_text=True)
        return {"TotalCount": total, "SubnetSet": [public(subnet) for subnet in part]}

    @fake.route("vpc", "DeleteSubnet")
    def delete_subnet(call: Call) -> dict[str, Any]:
        subnet_id = call.params.get("SubnetId", "")
        if subnet_id not in subnets:
            raise ApiError("ResourceNotFound", f"The subnet `{subnet_id}` does not exist.")
        if in_use(fake, subnet_id=subnet_id):
            raise ApiError("ResourceInUse", f"The subnet `{subnet_id}` still contains resources.")
        del subnets[subnet_id]
        return {}

    @fake.route("vpc", "CreateSecurityGroup")
    def create_security_group(call: Call) -> dict[str, Any]:
        group = {
            "SecurityGroupId": fake.new_id("sg"),
            "SecurityGroupName": call.params.get("GroupName", ""),
            "SecurityGroupDesc": call.params.get("GroupDescription", ""),
            "ProjectId": str(call.params.get("ProjectId", "0")),
            "IsDefault": False,
            "CreatedTime": now_text(),
            "UpdateTime": now_text(),
            "TagSet": _tags(call.params),
            "_region": call.region,
            "_policies": {"Ingress": [], "Egress": []},
            "_version": 0,
        }
        groups[group["SecurityGroupId"]] = group
        return {"SecurityGroup": public(group)}

    @fake.route("vpc", "DescribeSecurityGroups")
    def describe_security_groups(call: Call) -> dict[str, Any]:
        found = by_ids(groups, call.params.get("SecurityGroupIds"), "ResourceNotFound", "security group")
        matches = filters(
            call.params,
            {
                "security-group-id": lambda group: [group["SecurityGroupId"]],
                "security-group-name": lambda group: [group["SecurityGroupName"]],
                "project-id": lambda group: [group["ProjectId"]],
            },
        )
        rows = [group for group in found if group["_region"] == call.region and matches(group)]
        total, part = page(rows, call.params, as_text=True)
        return {"TotalCount": total, "SecurityGroupSet": [public(group) for group in part]}

    def group_of(call: Call) -> dict[str, Any]:
        group_id = call.params.get("SecurityGroupId", "")
        if group_id not in groups:
            raise ApiError("ResourceNotFound", f"The security group `{group_id}` does not exist.")
        return groups[group_id]

    @fake.route("vpc", "DeleteSecurityGroup")
    def delete_security_group(call: Call) -> dict[str, Any]:
        group = group_of(call)
        if in_use(fake, sg_id=group["SecurityGroupId"]):
            raise ApiError("ResourceInUse", f"The security group `{group['SecurityGroupId']}` is bound to instances.")
        del groups[group["SecurityGroupId"]]
        return {}

    @fake.route("vpc", "DescribeSecurityGroupPolicies")
    def describe_security_group_policies(call: Call) -> dict[str, Any]:
        group = group_of(call)
        return {
            "SecurityGroupPolicySet": {
                "Version": str(group["_version"]),
                "Ingress": [dict(p, PolicyIndex=i) for i, p in enumerate(group["_policies"]["Ingress"])],
                "Egress": [dict(p, PolicyIndex=i) for i, p in enumerate(group["_policies"]["Egress"])],
            }
        }

    def one_direction(call: Call) -> tuple[str, list[dict[str, Any]]]:
        policy_set = call.params.get("SecurityGroupPolicySet") or {}
        given = [direction for direction in ("Ingress", "Egress") if policy_set.get(direction)]
        if len(given) != 1:
            raise ApiError(
                "InvalidParameter.Coexist", "Ingress and Egress cannot be given in the same request; give one of them."
            )
        return given[0], policy_set[given[0]]

    @fake.route("vpc", "CreateSecurityGroupPolicies")
    def create_security_group_policies(call: Call) -> dict[str, Any]:
        group = group_of(call)
        direction, policies = one_direction(call)
        for policy in policies:
            protocol = str(policy.get("Protocol", "")).upper()
            if protocol not in ("TCP", "UDP", "ICMP", "ICMPV6", "GRE", "ALL"):
                raise ApiError("InvalidParameterValue.Range", f"The protocol `{policy.get('Protocol')}` is not valid.")
            port = str(policy.get("Port", ""))
            if protocol not in ("TCP", "UDP") and port not in ("", "ALL"):
                raise ApiError("InvalidParameterValue.Range", f"Port cannot be given for protocol {protocol}.")
            if str(policy.get("Action", "")).upper() not in ("ACCEPT", "DROP"):
                raise ApiError("InvalidParameterValue.Range", "Action must be ACCEPT or DROP.")
            _network(policy.get("CidrBlock", ""), "CidrBlock")
            stored = {
                "Protocol": protocol,
                "Port": port or "ALL",
                "CidrBlock": policy["CidrBlock"],
                "Ipv6CidrBlock": "",
                "SecurityGroupId": "",
                "Action": str(policy["Action"]).upper(),
                "PolicyDescription": policy.get("PolicyDescription", ""),
                "ModifyTime": now_text().replace("T", " ").rstrip("Z"),
                "ServiceTemplate": {"ServiceId": "", "ServiceGroupId": ""},
                "AddressTemplate": {"AddressId": "", "AddressGroupId": ""},
            }
            if any(_same(stored, other) for other in group["_policies"][direction]):
                raise ApiError("InvalidParameterValue.Duplicate", "The security group policy already exists.")
            group["_policies"][direction].append(stored)
        group["_version"] += 1
        return {}

    @fake.route("vpc", "DeleteSecurityGroupPolicies")
    def delete_security_group_policies(call: Call) -> dict[str, Any]:
        group = group_of(call)
        direction, policies = one_direction(call)
        current = group["_policies"][direction]
        for policy in policies:
            if "PolicyIndex" in policy and policy["PolicyIndex"] is not None and len(policy) == 1:
                index = int(policy["PolicyIndex"])
                if not 0 <= index < len(current):
                    raise ApiError("ResourceNotFound", f"The policy index {index} does not exist.")
                current.pop(index)
                continue
            wanted = {
                **policy,
                "Protocol": str(policy.get("Protocol", "")).upper(),
                "Port": policy.get("Port") or "ALL",
            }
            kept = [other for other in current if not _same(wanted, other)]
            if len(kept) == len(current):
                raise ApiError("ResourceNotFound", "The security group policy does not exist.")
            current[:] = kept
        group["_version"] += 1
        return {}


def _same(one: dict[str, Any], other: dict[str, Any]) -> bool:
    keys = ("Protocol", "Port", "CidrBlock", "Action")
    return all(str(one.get(key, "")).upper() == str(other.get(key, "")).upper() for key in keys)
