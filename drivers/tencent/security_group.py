"""Security groups and their policies (VPC CreateSecurityGroup, DescribeSecurityGroupPolicies,
CreateSecurityGroupPolicies, DeleteSecurityGroupPolicies, DeleteSecurityGroup).

A Tencent security group belongs to the region, not to a VPC; the VPC a group was made for is kept in
its description ("spiderweb vpc=<vpc-id>") so that the group reads back with its VPC. A new group
has no policies (everything denied); each rule becomes one ACCEPT policy (Protocol, Port as "22" or
"8000-8010" or "ALL", CidrBlock). Policies are added and removed one direction per request, as the
API requires. DROP policies (made outside Spiderweb) are not rules here and are left alone; a port
list ("80,443") reads back as one rule per port.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.rules import normalize_rules
from drivers.tencent._common import find_security_group, find_vpc, require, vpc_names
from drivers.tencent._session import TencentClients, tag_list, tags_of
from drivers.types import IID, SecurityInfo, SecurityReqInfo, SecurityRule

_VPC_MARK = re.compile(r"spiderweb vpc=(vpc-[0-9a-z]+)")
_DIRECTIONS = {"inbound": "Ingress", "outbound": "Egress"}


def rules_of(policy_set: dict[str, Any]) -> list[SecurityRule]:
    rules: list[SecurityRule] = []
    for direction, key in _DIRECTIONS.items():
        for policy in policy_set.get(key) or []:
            if str(policy.get("Action", "")).upper() != "ACCEPT" or not policy.get("CidrBlock"):
                continue
            protocol = str(policy.get("Protocol", "")).upper()
            if protocol not in ("TCP", "UDP", "ICMP", "ALL"):
                continue
            port = str(policy.get("Port") or "ALL")
            ranges = [(-1, -1)] if protocol in ("ICMP", "ALL") or port.upper() == "ALL" else _ranges(port)
            for low, high in ranges:
                rule = SecurityRule(
                    direction="inbound" if direction == "inbound" else "outbound",
                    protocol=protocol,  # type: ignore[arg-type]  # one of the four checked above
                    from_port=low,
                    to_port=high,
                    cidr=str(policy["CidrBlock"]),
                )
                if rule not in rules:
                    rules.append(rule)
    return rules


def _ranges(port: str) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for part in port.split(","):
        low, _, high = part.strip().partition("-")
        found.append((int(low), int(high or low)))
    return found


def _policy(rule: SecurityRule) -> dict[str, Any]:
    policy: dict[str, Any] = {"Protocol": rule.protocol, "CidrBlock": rule.cidr, "Action": "ACCEPT"}
    # Port is only for TCP and UDP; the other protocols cover every port.
    if rule.protocol in ("TCP", "UDP"):
        policy["Port"] = str(rule.from_port) if rule.from_port == rule.to_port else f"{rule.from_port}-{rule.to_port}"
    return policy


class TencentSecurityGroupHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients

    def _rules(self, group_id: str) -> list[SecurityRule]:
        answer = self._clients.call("vpc", "DescribeSecurityGroupPolicies", {"SecurityGroupId": group_id})
        return rules_of(answer.get("SecurityGroupPolicySet") or {})

    def _info(self, group: dict[str, Any], names: dict[str, str] | None = None) -> SecurityInfo:
        mark = _VPC_MARK.search(str(group.get("SecurityGroupDesc") or ""))
        vpc_id = mark.group(1) if mark else ""
        if names is None:
            vpc = find_vpc(self._clients, IID(name_id="", system_id=vpc_id)) if vpc_id else None
            names = {vpc_id: vpc["VpcName"]} if vpc else {}
        return SecurityInfo(
            iid=IID(name_id=group["SecurityGroupName"], system_id=group["SecurityGroupId"]),
            vpc_iid=IID(name_id=names.get(vpc_id, ""), system_id=vpc_id),
            rules=tuple(self._rules(group["SecurityGroupId"])),
            tags=tags_of(group.get("TagSet")),
        )

    def create_security_group(self, *, req: SecurityReqInfo) -> SecurityInfo:
        rules = normalize_rules(req.rules)
        vpc = require(find_vpc(self._clients, req.vpc_iid), "VPC", req.vpc_iid)
        if find_security_group(self._clients, IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Security group '{req.name}' already exists.")
        params: dict[str, Any] = {"GroupName": req.name, "GroupDescription": f"spiderweb vpc={vpc['VpcId']}"}
        if req.tags:
            params["Tags"] = tag_list(req.tags)
        group = self._clients.call("vpc", "CreateSecurityGroup", params)["SecurityGroup"]
        try:
            self._change(group["SecurityGroupId"], rules, "CreateSecurityGroupPolicies")
        except Exception:
            self._clients.call("vpc", "DeleteSecurityGroup", {"SecurityGroupId": group["SecurityGroupId"]})
            raise
        return self._info(group, {vpc["VpcId"]: vpc["VpcName"]})

    def list_security_groups(self) -> list[SecurityInfo]:
        names = vpc_names(self._clients)
        groups = self._clients.pages("vpc", "DescribeSecurityGroups", {}, "SecurityGroupSet", as_text=True)
        # Only the groups made for a VPC are security groups in Spiderweb's sense.
        return [self._info(group, names) for group in groups if _VPC_MARK.search(str(group.get("SecurityGroupDesc")))]

    def get_security_group(self, *, iid: IID) -> SecurityInfo:
        return self._info(require(find_security_group(self._clients, iid), "Security group", iid))

    def delete_security_group(self, *, iid: IID) -> None:
        group = find_security_group(self._clients, iid)
        if group is None:
            return
        try:
            self._clients.call("vpc", "DeleteSecurityGroup", {"SecurityGroupId": group["SecurityGroupId"]})
        except NotFoundError:
            return

    def add_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        wanted = normalize_rules(rules)
        group = require(find_security_group(self._clients, sg_iid), "Security group", sg_iid)
        present = self._rules(group["SecurityGroupId"])
        self._change(
            group["SecurityGroupId"], [rule for rule in wanted if rule not in present], "CreateSecurityGroupPolicies"
        )
        return self._info(group)

    def remove_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        unwanted = normalize_rules(rules)
        group = require(find_security_group(self._clients, sg_iid), "Security group", sg_iid)
        present = self._rules(group["SecurityGroupId"])
        self._change(
            group["SecurityGroupId"], [rule for rule in unwanted if rule in present], "DeleteSecurityGroupPolicies"
        )
        return self._info(group)

    def _change(self, group_id: str, rules: list[SecurityRule], action: str) -> None:
        for direction, key in _DIRECTIONS.items():
            policies = [_policy(rule) for rule in rules if rule.direction == direction]
            if policies:
                self._clients.call(
                    "vpc", action, {"SecurityGroupId": group_id, "SecurityGroupPolicySet": {key: policies}}
                )
