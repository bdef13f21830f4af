"""Security groups of a VPC and their rules.

IBM's rules are stateful and allow traffic; a new group has no rules (nothing in, nothing out). A
rule reads back as direction, protocol (`tcp`/`udp` with a port range, `icmp`, or `any`) and remote
CIDR block. Adding a rule already present and removing one not present change nothing. Each VPC's
default security group (made by IBM with the VPC) is left out: it is not one a user made, and it goes
with its VPC.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.ibm._common import attach_tags, check_name, check_tags, ident, iid_of, missing, read_tags
from drivers.ibm._errors import translate
from drivers.ibm._session import IBMClients, result
from drivers.ibm.vpc import get_vpc_item
from drivers.rules import normalize_rules
from drivers.types import IID, SecurityInfo, SecurityReqInfo, SecurityRule

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "security_group": "Stateful allow rules of a VPC's security group; ICMP rules cover every ICMP type and code. "
    "The VPC's default security group is not listed.",
}


def rule_of(rule: dict[str, Any]) -> SecurityRule | None:
    """A rule as Spiderweb reads it, or None for one it cannot express (a remote security group)."""
    remote = rule.get("remote") or {}
    cidr = remote.get("cidr_block") or remote.get("address")
    if not cidr:
        return None
    protocol = str(rule.get("protocol", "")).upper()
    if protocol in ("ANY", "ALL"):
        protocol = "ALL"
    low, high = (
        (int(rule.get("port_min", 1)), int(rule.get("port_max", 65535))) if protocol in ("TCP", "UDP") else (-1, -1)
    )
    return SecurityRule(
        direction="inbound" if rule.get("direction") == "inbound" else "outbound",
        protocol=protocol,  # type: ignore[arg-type]  # tcp, udp, icmp, any: the four Spiderweb knows
        from_port=low,
        to_port=high,
        cidr=str(ipaddress.IPv4Network(cidr, strict=False)),
    )


def rule_prototype(rule: SecurityRule) -> dict[str, Any]:
    prototype: dict[str, Any] = {
        "direction": rule.direction,
        "protocol": "any" if rule.protocol == "ALL" else rule.protocol.lower(),
        "ip_version": "ipv4",
        "remote": {"cidr_block": rule.cidr},
    }
    if rule.protocol in ("TCP", "UDP"):
        prototype.update(port_min=rule.from_port, port_max=rule.to_port)
    return prototype


def find_security_group(clients: IBMClients, iid: IID) -> dict[str, Any] | None:
    if iid.system_id:
        return clients.get_or_none(clients.vpc.get_security_group, id=iid.system_id)
    return clients.find(clients.vpc.list_security_groups, "security_groups", name_or_id=ident(iid))


class IBMSecurityGroupHandler:
    def __init__(self, clients: IBMClients) -> None:
        self._clients = clients

    def create_security_group(self, *, req: SecurityReqInfo) -> SecurityInfo:
        clients = self._clients
        check_name(req.name, what="Security group")
        tag_names = check_tags(req.tags)
        rules = normalize_rules(req.rules)
        vpc = get_vpc_item(clients, req.vpc_iid, field="vpc_iid")
        groups = clients.list_all(clients.vpc.list_security_groups, "security_groups", vpc_id=vpc["id"])
        if any(group["name"] == req.name for group in groups):
            raise AlreadyExistsError(
                f"Security group '{req.name}' already exists in VPC '{vpc['name']}'.", field="name"
            )
        with translate(field="name"):
            group = result(
                clients.vpc.create_security_group(
                    vpc={"id": vpc["id"]}, name=req.name, rules=[rule_prototype(rule) for rule in rules]
                )
            )
        attach_tags(clients, str(group.get("crn", "")), tag_names)
        return self._info(group)

    def list_security_groups(self) -> list[SecurityInfo]:
        clients = self._clients
        defaults = {
            str((vpc.get("default_security_group") or {}).get("id", ""))
            for vpc in clients.list_all(clients.vpc.list_vpcs, "vpcs")
        }
        groups = clients.list_all(clients.vpc.list_security_groups, "security_groups")
        return [self._info(group) for group in groups if group["id"] not in defaults]

    def get_security_group(self, *, iid: IID) -> SecurityInfo:
        return self._info(self._get(iid))

    def delete_security_group(self, *, iid: IID) -> None:
        group = find_security_group(self._clients, iid)
        if group is None:
            return
        with contextlib.suppress(NotFoundError), translate():
            self._clients.vpc.delete_security_group(id=group["id"])

    def add_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        wanted = normalize_rules(rules)
        group = self._get(sg_iid, field="sg_iid")
        present = {rule_of(rule) for rule in group.get("rules", [])}
        for rule in wanted:
            if rule not in present:
                with translate(field="rules"):
                    self._clients.vpc.create_security_group_rule(
                        security_group_id=group["id"], security_group_rule_prototype=rule_prototype(rule)
                    )
        return self.get_security_group(iid=iid_of(group))

    def remove_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        unwanted = set(normalize_rules(rules))
        group = self._get(sg_iid, field="sg_iid")
        for rule in group.get("rules", []):
            if rule_of(rule) in unwanted:
                with contextlib.suppress(NotFoundError), translate():
                    self._clients.vpc.delete_security_group_rule(security_group_id=group["id"], id=rule["id"])
        return self.get_security_group(iid=iid_of(group))

    def _get(self, iid: IID, *, field: str = "") -> dict[str, Any]:
        group = find_security_group(self._clients, iid)
        if group is None:
            raise missing("Security group", iid, field=field)
        return group

    def _info(self, group: dict[str, Any]) -> SecurityInfo:
        rules = tuple(rule for rule in (rule_of(item) for item in group.get("rules", [])) if rule is not None)
        vpc = group.get("vpc") or {}
        return SecurityInfo(
            iid=iid_of(group),
            vpc_iid=iid_of(vpc),
            rules=rules,
            tags=read_tags(self._clients, str(group.get("crn", ""))),
            extra={"crn": str(group.get("crn", "")), "targets": str(len(group.get("targets", [])))},
        )
