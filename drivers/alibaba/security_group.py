"""Security groups of ECS, each in one VPC. Rules are Accept rules of priority 1 with an IPv4 CIDR
(`SourceCidrIp` inbound, `DestCidrIp` outbound); a port range reads "22/22", and ICMP and ALL take
"-1/-1" as Alibaba keeps no ICMP type or code. A new group lists no rules: Alibaba lets a VPC
group's outbound traffic out without one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drivers.alibaba._common import tag_params, tags_of
from drivers.alibaba._session import AlibabaClients, dig
from drivers.alibaba.vpc import find_vpc
from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.rules import normalize_rules
from drivers.types import IID, SecurityInfo, SecurityReqInfo, SecurityRule

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}

PAGE = 50


def find_group(clients: AlibabaClients, iid: IID) -> dict[str, Any]:
    params: dict[str, Any] = {"RegionId": clients.region}
    if iid.system_id:
        params["SecurityGroupIds"] = f'["{iid.system_id}"]'
    else:
        params["SecurityGroupName"] = iid.name_id
    groups = clients.pages(
        "ecs",
        "DescribeSecurityGroups",
        params,
        items=lambda body: dig(body, "SecurityGroups", "SecurityGroup"),
        page_size=PAGE,
    )
    for group in groups:
        if (iid.system_id and group.get("SecurityGroupId") == iid.system_id) or (
            not iid.system_id and group.get("SecurityGroupName") == iid.name_id
        ):
            return dict(group)
    raise NotFoundError(f"Security group '{iid.system_id or iid.name_id}' does not exist in {clients.region}.")


def _rule(permission: dict[str, Any]) -> SecurityRule | None:
    if str(permission.get("Policy", "Accept")).lower() != "accept":
        return None
    inbound = str(permission.get("Direction", "")).lower() == "ingress"
    cidr = str(permission.get("SourceCidrIp" if inbound else "DestCidrIp") or "")
    if not cidr:
        return None  # a rule naming another group or a prefix list, which SecurityRule cannot say
    protocol = str(permission.get("IpProtocol", "")).upper()
    if protocol not in ("TCP", "UDP", "ICMP", "ALL"):
        return None
    low, _, high = str(permission.get("PortRange", "-1/-1")).partition("/")
    ports = (int(low), int(high)) if protocol in ("TCP", "UDP") else (-1, -1)
    return SecurityRule(
        direction="inbound" if inbound else "outbound",
        protocol=protocol,  # type: ignore[arg-type]  # checked just above
        from_port=ports[0],
        to_port=ports[1],
        cidr=cidr,
    )


def _permission(rule: SecurityRule) -> dict[str, str]:
    ports = f"{rule.from_port}/{rule.to_port}" if rule.protocol in ("TCP", "UDP") else "-1/-1"
    cidr_key = "SourceCidrIp" if rule.direction == "inbound" else "DestCidrIp"
    return {"IpProtocol": rule.protocol, "PortRange": ports, cidr_key: rule.cidr, "Policy": "accept", "Priority": "1"}


class AlibabaSecurityGroupHandler:
    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients

    def _rules(self, group_id: str) -> list[SecurityRule]:
        body = self._clients.rpc(
            "ecs",
            "DescribeSecurityGroupAttribute",
            {"RegionId": self._clients.region, "SecurityGroupId": group_id, "Direction": "all"},
        )
        rules = [_rule(permission) for permission in dig(body, "Permissions", "Permission")]
        return [rule for rule in rules if rule is not None]

    def _info(self, group: dict[str, Any]) -> SecurityInfo:
        group_id = str(group.get("SecurityGroupId", ""))
        vpc_id = str(group.get("VpcId", ""))
        try:
            vpc_name = str(find_vpc(self._clients, IID(name_id="", system_id=vpc_id)).get("VpcName", ""))
        except NotFoundError:
            vpc_name = ""
        return SecurityInfo(
            iid=IID(name_id=str(group.get("SecurityGroupName", "")), system_id=group_id),
            vpc_iid=IID(name_id=vpc_name, system_id=vpc_id),
            rules=tuple(self._rules(group_id)),
            tags=tags_of(group),
            extra={"SecurityGroupType": str(group.get("SecurityGroupType", ""))},
        )

    def create_security_group(self, *, req: SecurityReqInfo) -> SecurityInfo:
        rules = normalize_rules(req.rules)
        vpc = find_vpc(self._clients, req.vpc_iid)
        try:
            find_group(self._clients, IID(name_id=req.name))
        except NotFoundError:
            pass
        else:
            raise AlreadyExistsError(f"A security group named '{req.name}' already exists in {self._clients.region}.")
        body = self._clients.rpc(
            "ecs",
            "CreateSecurityGroup",
            {
                "RegionId": self._clients.region,
                "VpcId": vpc["VpcId"],
                "SecurityGroupName": req.name,
                "SecurityGroupType": "normal",
                "Tag": tag_params(req.tags),
            },
        )
        group_id = str(body["SecurityGroupId"])
        self._change(group_id, rules, add=True)
        return self.get_security_group(iid=IID(name_id=req.name, system_id=group_id))

    def list_security_groups(self) -> list[SecurityInfo]:
        groups = self._clients.pages(
            "ecs",
            "DescribeSecurityGroups",
            {"RegionId": self._clients.region},
            items=lambda body: dig(body, "SecurityGroups", "SecurityGroup"),
            page_size=PAGE,
        )
        return [self._info(group) for group in groups]

    def get_security_group(self, *, iid: IID) -> SecurityInfo:
        return self._info(find_group(self._clients, iid))

    def delete_security_group(self, *, iid: IID) -> None:
        try:
            group = find_group(self._clients, iid)
            self._clients.rpc(
                "ecs",
                "DeleteSecurityGroup",
                {"RegionId": self._clients.region, "SecurityGroupId": group["SecurityGroupId"]},
            )
        except NotFoundError:
            return

    def add_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        wanted = normalize_rules(rules)
        group = find_group(self._clients, sg_iid)
        group_id = str(group["SecurityGroupId"])
        present = self._rules(group_id)
        self._change(group_id, [rule for rule in wanted if rule not in present], add=True)
        return self._info(group)

    def remove_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        unwanted = normalize_rules(rules)
        group = find_group(self._clients, sg_iid)
        group_id = str(group["SecurityGroupId"])
        present = self._rules(group_id)
        self._change(group_id, [rule for rule in unwanted if rule in present], add=False)
        return self._info(group)

    def _change(self, group_id: str, rules: Sequence[SecurityRule], *, add: bool) -> None:
        for direction in ("inbound", "outbound"):
            chosen = [_permission(rule) for rule in rules if rule.direction == direction]
            if not chosen:
                continue
            verb = "AuthorizeSecurityGroup" if add else "RevokeSecurityGroup"
            action = verb if direction == "inbound" else f"{verb}Egress"
            self._clients.rpc(
                "ecs", action, {"RegionId": self._clients.region, "SecurityGroupId": group_id, "Permissions": chosen}
            )
