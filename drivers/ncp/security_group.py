"""Security groups as NCP's access control groups (ACGs).

VPC platform (`vserver`): an ACG belongs to a VPC (`createAccessControlGroup`), its rules are read per
direction (`getAccessControlGroupRuleList`, INBND/OTBND) and changed with
`add/removeAccessControlGroupInbound|OutboundRule`, each rule a protocol code (TCP, UDP, ICMP), an
`ipBlock` and, for TCP and UDP, a `portRange` ("22" or "8000-8080"). While a change is applied the
ACG is in state SET and refuses the next one, so every change waits for RUN. NCP has no "all
protocols" code: a rule for ALL is written as TCP 1-65535, UDP 1-65535 and ICMP on the same block,
and that trio reads back as one ALL rule. The ACG's tags are kept in its description.

Classic platform (`server`): ACGs are made in the console only; the API lists them and their
inbound rules (`getAccessControlGroupList`, `getAccessControlGroupRuleList`). Classic ACGs belong to
no VPC (their `vpc_iid` is empty) and cannot be created, deleted or changed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drivers.errors import AlreadyExistsError, NotFoundError, NotSupportedError
from drivers.ncp._client import NCPClient
from drivers.ncp._common import check_name, code, describe, described_tags, find, rows, wait_for
from drivers.rules import normalize_rules
from drivers.types import IID, SecurityInfo, SecurityReqInfo, SecurityRule

OFFERED = True
CLASSIC_UNSUPPORTED = frozenset(
    {"security_group.create", "security_group.delete", "security_group.add_rules", "security_group.remove_rules"}
)
CLASSIC_NOTE = "NCP Classic makes access control groups in its console only; its API reads them."
_DIRECTION = {"inbound": "INBND", "outbound": "OTBND"}
_ACTION = {"inbound": "Inbound", "outbound": "Outbound"}
_ALL_PORTS = "1-65535"


def _ports(rule: dict[str, Any], field: str) -> tuple[int, int]:
    text = str(rule.get(field) or "")
    if not text:
        return -1, -1
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def _collapse(rules: list[SecurityRule]) -> list[SecurityRule]:
    """TCP 1-65535 + UDP 1-65535 + ICMP of one direction and block read back as ALL."""
    result = list(rules)
    for rule in rules:
        if rule.protocol != "TCP" or (rule.from_port, rule.to_port) != (1, 65535):
            continue
        udp = SecurityRule(direction=rule.direction, protocol="UDP", from_port=1, to_port=65535, cidr=rule.cidr)
        icmp = SecurityRule(direction=rule.direction, protocol="ICMP", cidr=rule.cidr)
        if udp in result and icmp in result:
            for part in (rule, udp, icmp):
                result.remove(part)
            result.append(SecurityRule(direction=rule.direction, protocol="ALL", cidr=rule.cidr))
    return result


def _expand(rule: SecurityRule) -> list[dict[str, str]]:
    if rule.protocol == "ALL":
        return [
            {"protocolTypeCode": "TCP", "ipBlock": rule.cidr, "portRange": _ALL_PORTS},
            {"protocolTypeCode": "UDP", "ipBlock": rule.cidr, "portRange": _ALL_PORTS},
            {"protocolTypeCode": "ICMP", "ipBlock": rule.cidr},
        ]
    item = {"protocolTypeCode": rule.protocol, "ipBlock": rule.cidr}
    if rule.protocol in ("TCP", "UDP"):
        item["portRange"] = (
            str(rule.from_port) if rule.from_port == rule.to_port else f"{rule.from_port}-{rule.to_port}"
        )
    return [item]


class NCPSecurityGroupHandler:
    """The VPC platform's ACGs."""

    def __init__(self, client: NCPClient) -> None:
        self._client = client

    def _vpcs(self) -> list[dict[str, Any]]:
        return rows(self._client.call("vpc", "getVpcList"), "vpcList")

    def _raw_groups(self) -> list[dict[str, Any]]:
        answer = self._client.call("vserver", "getAccessControlGroupList")
        return [g for g in rows(answer, "accessControlGroupList") if code(g["accessControlGroupStatus"]) != "TERMTING"]

    def _raw(self, iid: IID) -> dict[str, Any]:
        groups = [g for g in self._raw_groups() if not g.get("isDefault")]
        return find(groups, iid, lambda g: (str(g["accessControlGroupNo"]), str(g["accessControlGroupName"])), "ACG")

    def _rules(self, group_no: str) -> list[SecurityRule]:
        answer = self._client.call("vserver", "getAccessControlGroupRuleList", {"accessControlGroupNo": group_no})
        rules = [
            SecurityRule(
                direction="inbound" if code(raw.get("accessControlGroupRuleType")) == "INBND" else "outbound",
                protocol=code(raw.get("protocolType")),  # type: ignore[arg-type]  # NCP's codes are TCP/UDP/ICMP
                from_port=_ports(raw, "portRange")[0],
                to_port=_ports(raw, "portRange")[1],
                cidr=str(raw.get("ipBlock") or "0.0.0.0/0"),
            )
            for raw in rows(answer, "accessControlGroupRuleList")
        ]
        return _collapse(rules)

    def _info(self, raw: dict[str, Any], vpcs: dict[str, str]) -> SecurityInfo:
        vpc_no = str(raw["vpcNo"])
        return SecurityInfo(
            iid=IID(name_id=str(raw["accessControlGroupName"]), system_id=str(raw["accessControlGroupNo"])),
            vpc_iid=IID(name_id=vpcs.get(vpc_no, ""), system_id=vpc_no),
            rules=tuple(self._rules(str(raw["accessControlGroupNo"]))),
            tags=described_tags(raw.get("accessControlGroupDescription")),
        )

    def _vpc_names(self) -> dict[str, str]:
        return {str(v["vpcNo"]): str(v["vpcName"]) for v in self._vpcs()}

    def list_security_groups(self) -> list[SecurityInfo]:
        vpcs = self._vpc_names()
        return [self._info(raw, vpcs) for raw in self._raw_groups() if not raw.get("isDefault")]

    def get_security_group(self, *, iid: IID) -> SecurityInfo:
        return self._info(self._raw(iid), self._vpc_names())

    def create_security_group(self, *, req: SecurityReqInfo) -> SecurityInfo:
        check_name(req.name, field="name", what="ACG")
        rules = normalize_rules(req.rules)
        description = describe(req.tags) if req.tags else ""
        vpc = find(self._vpcs(), req.vpc_iid, lambda v: (str(v["vpcNo"]), str(v["vpcName"])), "VPC")
        if any(str(g["accessControlGroupName"]) == req.name for g in self._raw_groups()):
            raise AlreadyExistsError(f"An ACG named '{req.name}' already exists.", field="name")
        params = {"vpcNo": vpc["vpcNo"], "accessControlGroupName": req.name}
        if description:
            params["accessControlGroupDescription"] = description
        answer = self._client.call("vserver", "createAccessControlGroup", params)
        group_no = str(rows(answer, "accessControlGroupList")[0]["accessControlGroupNo"])
        self._wait(group_no)
        self._change(str(vpc["vpcNo"]), group_no, rules, "add")
        return self.get_security_group(iid=IID(name_id=req.name, system_id=group_no))

    def _wait(self, group_no: str) -> None:
        def read() -> str:
            answer = self._client.call("vserver", "getAccessControlGroupList", {"accessControlGroupNoList": [group_no]})
            found = rows(answer, "accessControlGroupList")
            return code(found[0]["accessControlGroupStatus"]) if found else "GONE"

        wait_for(read, lambda status: status in ("RUN", "GONE"), f"ACG {group_no}")

    def _change(self, vpc_no: str, group_no: str, rules: Sequence[SecurityRule], verb: str) -> None:
        for direction in ("inbound", "outbound"):
            items = [item for rule in rules if rule.direction == direction for item in _expand(rule)]
            if not items:
                continue
            action = f"{verb}AccessControlGroup{_ACTION[direction]}Rule"
            params = {"vpcNo": vpc_no, "accessControlGroupNo": group_no, "accessControlGroupRuleList": items}
            self._client.call("vserver", action, params)
            self._wait(group_no)

    def add_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        wanted = normalize_rules(rules)
        raw = self._raw(sg_iid)
        present = self._rules(str(raw["accessControlGroupNo"]))
        self._change(
            str(raw["vpcNo"]), str(raw["accessControlGroupNo"]), [r for r in wanted if r not in present], "add"
        )
        return self.get_security_group(iid=IID(name_id="", system_id=str(raw["accessControlGroupNo"])))

    def remove_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        unwanted = normalize_rules(rules)
        raw = self._raw(sg_iid)
        present = self._rules(str(raw["accessControlGroupNo"]))
        gone = [r for r in unwanted if r in present]
        self._change(str(raw["vpcNo"]), str(raw["accessControlGroupNo"]), gone, "remove")
        return self.get_security_group(iid=IID(name_id="", system_id=str(raw["accessControlGroupNo"])))

    def delete_security_group(self, *, iid: IID) -> None:
        try:
            raw = self._raw(iid)
        except NotFoundError:
            return
        group_no = str(raw["accessControlGroupNo"])
        self._client.call(
            "vserver", "deleteAccessControlGroup", {"vpcNo": raw["vpcNo"], "accessControlGroupNo": group_no}
        )
        self._wait(group_no)


def classic_acg_key(group: dict[str, Any]) -> tuple[str, str]:
    return str(group["accessControlGroupConfigurationNo"]), str(group["accessControlGroupName"])


class NCPClassicSecurityGroupHandler:
    """The Classic platform's ACGs, read only."""

    def __init__(self, client: NCPClient) -> None:
        self._client = client

    def _raw_groups(self) -> list[dict[str, Any]]:
        return rows(self._client.call("server", "getAccessControlGroupList"), "accessControlGroupList")

    def _info(self, raw: dict[str, Any]) -> SecurityInfo:
        number = str(raw["accessControlGroupConfigurationNo"])
        answer = self._client.call(
            "server", "getAccessControlGroupRuleList", {"accessControlGroupConfigurationNo": number}
        )
        rules = [
            SecurityRule(
                direction="inbound",
                protocol=code(item.get("protocolType")),  # type: ignore[arg-type]  # TCP/UDP/ICMP
                from_port=_ports(item, "destinationPort")[0],
                to_port=_ports(item, "destinationPort")[1],
                cidr=str(item.get("sourceIp") or "0.0.0.0/0"),
            )
            for item in rows(answer, "accessControlGroupRuleList")
        ]
        return SecurityInfo(
            iid=IID(name_id=str(raw["accessControlGroupName"]), system_id=number),
            vpc_iid=IID(name_id=""),
            rules=tuple(rules),
            extra={"default": str(bool(raw.get("isDefaultGroup"))).lower()},
        )

    def list_security_groups(self) -> list[SecurityInfo]:
        return [self._info(raw) for raw in self._raw_groups()]

    def get_security_group(self, *, iid: IID) -> SecurityInfo:
        return self._info(find(self._raw_groups(), iid, classic_acg_key, "ACG"))

    def create_security_group(self, *, req: SecurityReqInfo) -> SecurityInfo:
        raise NotSupportedError(CLASSIC_NOTE)

    def delete_security_group(self, *, iid: IID) -> None:
        raise NotSupportedError(CLASSIC_NOTE)

    def add_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        raise NotSupportedError(CLASSIC_NOTE)

    def remove_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        raise NotSupportedError(CLASSIC_NOTE)
