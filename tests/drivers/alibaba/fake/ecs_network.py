"""Security groups and key pairs of ECS 2014-05-26 (CreateSecurityGroup, DescribeSecurityGroups,
DescribeSecurityGroupAttribute, AuthorizeSecurityGroup[Egress], RevokeSecurityGroup[Egress],
DeleteSecurityGroup, CreateKeyPair, DescribeKeyPairs, DeleteKeyPairs).

Rules are kept as the API answers them: `IpProtocol` upper case, `PortRange` "22/22" or "-1/-1",
`Direction` ingress/egress. A group cannot be deleted while an instance uses it (DependencyViolation,
"There is still instance(s) in the specified security group."). Key pair names are unique
(KeyPair.AlreadyExist); their tags read back as TagKey/TagValue, as ECS answers them.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.drivers.alibaba.fake.catalogue import check_region
from tests.drivers.alibaba.fake.server import ApiError, Call, FakeAlibaba, not_found
from tests.drivers.alibaba.fake.vpc import creation_time

MAX_PAGE = 50
PROTOCOLS = {"TCP", "UDP", "ICMP", "GRE", "ALL"}


def ecs_tags(call: Call) -> list[dict[str, str]]:
    return [{"TagKey": tag.get("Key", ""), "TagValue": tag.get("Value", "")} for tag in call.indexed_maps("Tag")]


def group_of(fake: FakeAlibaba, group_id: str) -> dict[str, Any]:
    group = fake.table("security_groups").get(group_id)
    if group is None:
        raise not_found("InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist.")
    return group


def _permission(item: dict[str, str], direction: str, call: Call) -> dict[str, Any]:
    protocol = item.get("IpProtocol", call.get("IpProtocol")).upper()
    if protocol not in PROTOCOLS:
        raise ApiError(400, "InvalidIpProtocol.Malformed", "The specified parameter IpProtocol is not valid.")
    port_range = item.get("PortRange", call.get("PortRange"))
    low, _, high = port_range.partition("/")
    try:
        low_port, high_port = int(low), int(high)
    except ValueError:
        raise ApiError(400, "InvalidPortRange.Malformed", "The specified parameter PortRange is not valid.") from None
    if protocol in ("TCP", "UDP") and not 1 <= low_port <= high_port <= 65535:
        raise ApiError(400, "InvalidPortRange.Malformed", "The specified parameter PortRange is not valid.")
    if protocol in ("ICMP", "GRE", "ALL") and (low_port, high_port) != (-1, -1):
        raise ApiError(400, "InvalidPortRange.Malformed", "The specified parameter PortRange must be -1/-1.")
    key = "SourceCidrIp" if direction == "ingress" else "DestCidrIp"
    cidr = item.get(key, call.get(key))
    try:
        cidr = str(ipaddress.IPv4Network(cidr))
    except ValueError:
        raise ApiError(400, f"Invalid{key}.Malformed", f"The specified parameter {key} is not valid.") from None
    return {
        "IpProtocol": protocol,
        "PortRange": f"{low_port}/{high_port}",
        "SourceCidrIp": cidr if direction == "ingress" else "",
        "DestCidrIp": cidr if direction == "egress" else "",
        "Direction": direction,
        "Policy": item.get("Policy", "Accept").capitalize(),
        "Priority": int(item.get("Priority", "1")),
        "NicType": "intranet",
    }


def _same(one: dict[str, Any], other: dict[str, Any]) -> bool:
    keys = ("IpProtocol", "PortRange", "SourceCidrIp", "DestCidrIp", "Direction", "Policy", "Priority")
    return all(one[key] == other[key] for key in keys)


def _rules(call: Call, direction: str) -> list[dict[str, Any]]:
    items = call.indexed_maps("Permissions") or [{}]
    return [_permission(item, direction, call) for item in items]


def register(fake: FakeAlibaba) -> None:
    @fake.route("ecs", "CreateSecurityGroup")
    def create_security_group(call: Call) -> dict[str, Any]:
        region = check_region(call)
        vpc_id = call.get("VpcId")
        vpc = fake.table("vpcs").get(vpc_id)
        if vpc is None or vpc["RegionId"] != region:
            raise not_found("InvalidVpcId.NotFound", "The specified VpcId does not exist.")
        group_id = fake.new_id("sg-")
        fake.table("security_groups")[group_id] = {
            "SecurityGroupId": group_id,
            "SecurityGroupName": call.get("SecurityGroupName"),
            "Description": call.get("Description"),
            "VpcId": vpc_id,
            "SecurityGroupType": call.get("SecurityGroupType", "normal"),
            "CreationTime": creation_time(fake),
            "Tags": {"Tag": ecs_tags(call)},
            "_region": region,
            "_rules": [],
        }
        return {"SecurityGroupId": group_id}

    @fake.route("ecs", "DescribeSecurityGroups")
    def describe_security_groups(call: Call) -> dict[str, Any]:
        region = check_region(call)
        wanted = call.json_list("SecurityGroupIds") + [item for item in call.get("SecurityGroupId").split(",") if item]
        found = [
            {**fake.public(group), "RuleCount": len(group["_rules"])}
            for group in fake.table("security_groups").values()
            if group["_region"] == region
            and (not wanted or group["SecurityGroupId"] in wanted)
            and (not call.get("VpcId") or group["VpcId"] == call.get("VpcId"))
            and (not call.get("SecurityGroupName") or group["SecurityGroupName"] == call.get("SecurityGroupName"))
        ]
        page, meta = fake.page(found, call, max_size=MAX_PAGE)
        return {"SecurityGroups": {"SecurityGroup": page}, "RegionId": region, **meta}

    @fake.route("ecs", "DescribeSecurityGroupAttribute")
    def describe_security_group_attribute(call: Call) -> dict[str, Any]:
        group = group_of(fake, call.need("SecurityGroupId"))
        direction = call.get("Direction", "all")
        rules = [rule for rule in group["_rules"] if direction == "all" or rule["Direction"] == direction]
        return {
            "SecurityGroupId": group["SecurityGroupId"],
            "SecurityGroupName": group["SecurityGroupName"],
            "VpcId": group["VpcId"],
            "RegionId": group["_region"],
            "InnerAccessPolicy": "Accept",
            "Permissions": {"Permission": rules},
        }

    def authorize(direction: str) -> Any:
        def handler(call: Call) -> dict[str, Any]:
            group = group_of(fake, call.need("SecurityGroupId"))
            for rule in _rules(call, direction):
                if not any(_same(rule, kept) for kept in group["_rules"]):
                    group["_rules"].append({**rule, "SecurityGroupRuleId": fake.new_id("sgr-")})
            return {}

        return handler

    def revoke(direction: str) -> Any:
        def handler(call: Call) -> dict[str, Any]:
            group = group_of(fake, call.need("SecurityGroupId"))
            for rule in _rules(call, direction):
                group["_rules"] = [kept for kept in group["_rules"] if not _same(rule, kept)]
            return {}

        return handler

    fake.route("ecs", "AuthorizeSecurityGroup")(authorize("ingress"))
    fake.route("ecs", "AuthorizeSecurityGroupEgress")(authorize("egress"))
    fake.route("ecs", "RevokeSecurityGroup")(revoke("ingress"))
    fake.route("ecs", "RevokeSecurityGroupEgress")(revoke("egress"))

    @fake.route("ecs", "DeleteSecurityGroup")
    def delete_security_group(call: Call) -> dict[str, Any]:
        group = group_of(fake, call.need("SecurityGroupId"))
        for instance in fake.table("instances").values():
            if group["SecurityGroupId"] in instance["SecurityGroupIds"]["SecurityGroupId"]:
                raise ApiError(
                    403, "DependencyViolation", "There is still instance(s) in the specified security group."
                )
        for cluster in fake.table("clusters").values():
            # ACK puts the control plane's network interfaces into the cluster's security group.
            if cluster["security_group_id"] == group["SecurityGroupId"]:
                raise ApiError(
                    403, "DependencyViolation", "There is still network interface(s) in the specified security group."
                )
        del fake.table("security_groups")[group["SecurityGroupId"]]
        return {}

    @fake.route("ecs", "CreateKeyPair")
    def create_key_pair(call: Call) -> dict[str, Any]:
        region = check_region(call)
        name = call.need("KeyPairName")
        if (region, name) in fake.table("key_pairs"):
            raise ApiError(400, "KeyPair.AlreadyExist", "The key pair already exist.")
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ).decode()
        blob = base64.b64decode(public.split()[1])
        fingerprint = hashlib.md5(blob).hexdigest()  # noqa: S324 - the fingerprint format, not security
        fake.table("key_pairs")[(region, name)] = {  # type: ignore[index]
            "KeyPairName": name,
            "KeyPairFingerPrint": fingerprint,
            "PublicKey": public.decode(),
            "CreationTime": creation_time(fake),
            "Tags": {"Tag": ecs_tags(call)},
        }
        return {
            "KeyPairName": name,
            "KeyPairFingerPrint": fingerprint,
            "PrivateKeyBody": private,
            "KeyPairId": fake.new_id("kp-"),
        }

    @fake.route("ecs", "DescribeKeyPairs")
    def describe_key_pairs(call: Call) -> dict[str, Any]:
        region = check_region(call)
        name = call.get("KeyPairName")
        found = [
            dict(pair)
            for (pair_region, pair_name), pair in fake.table("key_pairs").items()  # type: ignore[misc]
            if pair_region == region and (not name or pair_name == name)
        ]
        page, meta = fake.page(found, call, max_size=MAX_PAGE)
        return {"KeyPairs": {"KeyPair": page}, **meta}

    @fake.route("ecs", "DeleteKeyPairs")
    def delete_key_pairs(call: Call) -> dict[str, Any]:
        region = check_region(call)
        names = call.json_list("KeyPairNames")
        if not names:
            raise ApiError(
                400, "MissingParameter", 'The input parameter "KeyPairNames" that is mandatory is not supplied.'
            )
        for name in names:
            fake.table("key_pairs").pop((region, name), None)  # type: ignore[call-overload]
        return {}
