"""Security groups and their rules in the mock cloud. A group always belongs to one VPC."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Mapping, Sequence
from typing import Any

from drivers.checks import check_port
from drivers.errors import DependencyError, InvalidRequestError
from drivers.mock._common import Record, check_new_name, check_tags, find, get, iid_of, new_id, table
from drivers.mock._context import Context
from drivers.mock._relations import user_names
from drivers.mock._store import Doc
from drivers.types import IID, SecurityInfo, SecurityReqInfo, SecurityRule

_PROTOCOLS = ("TCP", "UDP", "ICMP", "ALL")
_DIRECTIONS = ("inbound", "outbound")


def security_info(record: Mapping[str, Any], doc: Doc) -> SecurityInfo:
    vpc = table(doc, "vpcs").get(record["vpc_id"])
    return SecurityInfo(
        iid=iid_of(record),
        vpc_iid=iid_of(vpc) if vpc else IID(name_id="", system_id=record["vpc_id"]),
        rules=tuple(SecurityRule(**rule) for rule in record["rules"]),
        tags=record["tags"],
    )


def normalize_rule(rule: SecurityRule, *, field: str) -> Record:
    """The rule as the cloud stores it; clouds accept "tcp" and "TCP" alike, so the mock does too."""
    direction = str(rule.direction).lower()
    if direction not in _DIRECTIONS:
        raise InvalidRequestError(
            f"Rule direction {rule.direction!r} must be inbound or outbound.", field=f"{field}.direction"
        )
    protocol = str(rule.protocol).upper()
    if protocol not in _PROTOCOLS:
        raise InvalidRequestError(
            f"Rule protocol {rule.protocol!r} must be one of {', '.join(_PROTOCOLS)}.", field=f"{field}.protocol"
        )
    if protocol in ("TCP", "UDP"):
        from_port = check_port(rule.from_port, field=f"{field}.from_port")
        to_port = check_port(rule.to_port, field=f"{field}.to_port")
        if from_port > to_port:
            raise InvalidRequestError(f"Rule port range {from_port}-{to_port} is reversed.", field=f"{field}.to_port")
    else:
        # ICMP and ALL carry no ports; like the clouds, ignore what was sent.
        from_port = to_port = -1
    try:
        cidr = str(ipaddress.IPv4Network(rule.cidr, strict=False))
    except (ValueError, TypeError):
        raise InvalidRequestError(
            f"Rule CIDR {rule.cidr!r} is not a valid IPv4 CIDR block.", field=f"{field}.cidr"
        ) from None
    return {"direction": direction, "protocol": protocol, "from_port": from_port, "to_port": to_port, "cidr": cidr}


def _normalize_all(rules: Sequence[SecurityRule]) -> list[Record]:
    normalized: list[Record] = []
    for index, rule in enumerate(rules):
        record = normalize_rule(rule, field=f"rules[{index}]")
        if record not in normalized:
            normalized.append(record)
    return normalized


class MockSecurityGroupHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def create_security_group(self, *, req: SecurityReqInfo) -> SecurityInfo:
        self._cx.enter()
        rules = _normalize_all(req.rules)
        tags = check_tags(req.tags)

        def change(doc: Doc) -> SecurityInfo:
            groups = table(doc, "security_groups")
            check_new_name(groups.values(), req.name, what="security group")
            vpc = get(table(doc, "vpcs").values(), req.vpc_iid, what="VPC", field="vpc_iid")
            record: Record = {
                "id": new_id("sg"),
                "name": req.name,
                "vpc_id": vpc["id"],
                "rules": rules,
                "tags": tags,
                "created_at": time.time(),
            }
            groups[record["id"]] = record
            return security_info(record, doc)

        return self._cx.update(change)

    def list_security_groups(self) -> list[SecurityInfo]:
        self._cx.enter()
        doc = self._cx.read()
        records = sorted(table(doc, "security_groups").values(), key=lambda r: r["name"])
        return [security_info(record, doc) for record in records]

    def get_security_group(self, *, iid: IID) -> SecurityInfo:
        self._cx.enter()
        doc = self._cx.read()
        return security_info(get(table(doc, "security_groups").values(), iid, what="Security group"), doc)

    def delete_security_group(self, *, iid: IID) -> None:
        self._cx.enter()

        def change(doc: Doc) -> None:
            groups = table(doc, "security_groups")
            record = find(groups.values(), iid)
            if record is None:
                return
            vms = sorted(vm["name"] for vm in table(doc, "vms").values() if record["id"] in vm["sg_ids"])
            if vms:
                raise DependencyError(f"Security group '{record['name']}' is used by VMs: {', '.join(vms)}.")
            clusters = user_names(doc, "clusters", lambda cluster: record["id"] in cluster["sg_ids"])
            if clusters:
                raise DependencyError(
                    f"Security group '{record['name']}' is used by Kubernetes clusters: {', '.join(clusters)}."
                )
            del groups[record["id"]]

        self._cx.update(change)

    def add_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        self._cx.enter()
        new_rules = _normalize_all(rules)

        def change(doc: Doc) -> SecurityInfo:
            record = get(table(doc, "security_groups").values(), sg_iid, what="Security group", field="sg_iid")
            record["rules"].extend(rule for rule in new_rules if rule not in record["rules"])
            return security_info(record, doc)

        return self._cx.update(change)

    def remove_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        self._cx.enter()
        gone = _normalize_all(rules)

        def change(doc: Doc) -> SecurityInfo:
            record = get(table(doc, "security_groups").values(), sg_iid, what="Security group", field="sg_iid")
            record["rules"] = [rule for rule in record["rules"] if rule not in gone]
            return security_info(record, doc)

        return self._cx.update(change)
