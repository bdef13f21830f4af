"""Spiderweb security rules <-> Azure NSG security rules.

An NSG rule needs a priority (100-4096, unique per direction; lower wins), a direction, a protocol
(Tcp, Udp, Icmp or *), port ranges and address prefixes. Spiderweb rules are all "allow": each
becomes one Allow rule whose remote side (the source of an inbound rule, the destination of an
outbound one) is the rule's CIDR and whose local side is any address. Azure's ICMP rules take no
type or code, so ICMP and ALL rules cover every port.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from drivers.errors import InvalidRequestError
from drivers.types import SecurityRule

FIRST_PRIORITY = 100
# The lowest priority a user rule can have; Spiderweb's deny-all outbound rule sits there.
LAST_PRIORITY = 4096
DENY_OUTBOUND = "spiderweb-deny-all-outbound"
RULE_PREFIX = "spiderweb-"
ANYWHERE = "0.0.0.0/0"

_PROTOCOLS = ("TCP", "UDP", "ICMP", "ALL")
_TO_AZURE = {"TCP": "Tcp", "UDP": "Udp", "ICMP": "Icmp", "ALL": "*"}
_FROM_AZURE = {"tcp": "TCP", "udp": "UDP", "icmp": "ICMP", "*": "ALL"}
_DIRECTIONS = {"inbound": "Inbound", "outbound": "Outbound"}
# Read-only properties ARM answers with but refuses to be sent back.
_READ_ONLY = frozenset({"provisioningState"})


def to_azure(rule: SecurityRule, *, priority: int) -> dict[str, Any]:
    """An Allow rule of the NSG, named after its direction and priority (unique in the group)."""
    ports = "*"
    if rule.protocol in ("TCP", "UDP"):
        ports = str(rule.from_port) if rule.from_port == rule.to_port else f"{rule.from_port}-{rule.to_port}"
    inbound = rule.direction == "inbound"
    return {
        "name": f"{RULE_PREFIX}{rule.direction}-{priority}",
        "properties": {
            "protocol": _TO_AZURE[rule.protocol],
            "sourcePortRange": "*",
            "destinationPortRange": ports,
            "sourceAddressPrefix": rule.cidr if inbound else "*",
            "destinationAddressPrefix": "*" if inbound else rule.cidr,
            "access": "Allow",
            "priority": priority,
            "direction": _DIRECTIONS[rule.direction],
        },
    }


def deny_outbound() -> dict[str, Any]:
    """The rule that denies the outbound traffic Azure's default rules allow (to the VNet and Internet)."""
    return {
        "name": DENY_OUTBOUND,
        "properties": {
            "description": "Outbound traffic is only what the group's rules allow.",
            "protocol": "*",
            "sourcePortRange": "*",
            "destinationPortRange": "*",
            "sourceAddressPrefix": "*",
            "destinationAddressPrefix": "*",
            "access": "Deny",
            "priority": LAST_PRIORITY,
            "direction": "Outbound",
        },
    }


def _cidr(prefix: str) -> str | None:
    if prefix in ("*", ANYWHERE):
        return ANYWHERE
    try:
        return str(ipaddress.IPv4Network(prefix, strict=False))
    except ValueError:
        return None  # a service tag (Internet, VirtualNetwork...) or an IPv6 range, not a Spiderweb CIDR


def _ports(value: str) -> tuple[int, int] | None:
    if value == "*":
        return (1, 65535)
    low, _, high = value.partition("-")
    try:
        return (int(low), int(high or low))
    except ValueError:
        return None


def _values(props: Mapping[str, Any], one: str, many: str) -> list[str]:
    values = [str(v) for v in props.get(many) or []]
    return values or ([str(props[one])] if props.get(one) else [])


def from_azure(rule: Mapping[str, Any]) -> list[SecurityRule]:
    """The Spiderweb rules an NSG rule stands for: one per remote prefix and port range of an Allow rule;
    Deny rules and what Spiderweb rules cannot express (service tags, other protocols) are left out."""
    props = rule.get("properties") or {}
    protocol = _FROM_AZURE.get(str(props.get("protocol", "")).lower())
    direction = str(props.get("direction", "")).lower()
    if props.get("access") != "Allow" or protocol is None or direction not in _DIRECTIONS:
        return []
    remote = ("sourceAddressPrefix", "sourceAddressPrefixes")
    if direction == "outbound":
        remote = ("destinationAddressPrefix", "destinationAddressPrefixes")
    cidrs = [cidr for cidr in (_cidr(p) for p in _values(props, *remote)) if cidr]
    ranges: list[tuple[int, int]] = [(-1, -1)]
    if protocol in ("TCP", "UDP"):
        ranges = [r for r in (_ports(v) for v in _values(props, "destinationPortRange", "destinationPortRanges")) if r]
    return [
        SecurityRule(
            direction=direction,  # type: ignore[arg-type]  # checked against _DIRECTIONS above
            protocol=protocol,  # type: ignore[arg-type]
            from_port=low,
            to_port=high,
            cidr=cidr,
        )
        for cidr in cidrs
        for low, high in ranges
    ]


def rules_of(nsg: Mapping[str, Any]) -> list[SecurityRule]:
    """The group's Spiderweb rules, inbound then outbound, each in priority order."""
    ordered = sorted(
        (nsg.get("properties") or {}).get("securityRules") or [],
        key=lambda r: (str((r.get("properties") or {}).get("direction", "")) != "Inbound", _priority(r)),
    )
    result: list[SecurityRule] = []
    for rule in ordered:
        result += [found for found in from_azure(rule) if found not in result]
    return result


def _priority(rule: Mapping[str, Any]) -> int:
    return int((rule.get("properties") or {}).get("priority") or 0)


def with_rules(current: Iterable[Mapping[str, Any]], added: Sequence[SecurityRule]) -> list[dict[str, Any]]:
    """The NSG's rules as they can be sent back, plus `added` at the next free priorities of their direction."""
    rules = [writable(rule) for rule in current]
    for rule in added:
        direction = _DIRECTIONS[rule.direction]
        used = [_priority(r) for r in rules if r["properties"].get("direction") == direction]
        priority = max([p for p in used if p < LAST_PRIORITY] or [FIRST_PRIORITY - 1]) + 1
        if priority >= LAST_PRIORITY:
            free = sorted(set(range(FIRST_PRIORITY, LAST_PRIORITY)) - set(used))
            if not free:
                raise InvalidRequestError(
                    f"The group has no free {direction.lower()} rule priority left.", field="rules"
                )
            priority = free[0]
        rules.append(to_azure(rule, priority=priority))
    return rules


def writable(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A rule as read, without the read-only fields ARM refuses in a request."""
    props = {key: value for key, value in (rule.get("properties") or {}).items() if key not in _READ_ONLY}
    return {"name": str(rule["name"]), "properties": props}
