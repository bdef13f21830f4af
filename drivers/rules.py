"""Security rules as every cloud keeps them, checked the same way before any call.

`normalize_rule` returns the rule as it reads back from a cloud: direction lower-case, protocol
upper-case, ports -1 for ALL (and for ICMP unless the cloud keeps ICMP type and code, as AWS does:
pass `icmp`), the CIDR's network address. Every error names the rule's field.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from typing import Any

from drivers.checks import check_port
from drivers.errors import InvalidRequestError
from drivers.types import SecurityRule

PROTOCOLS = ("TCP", "UDP", "ICMP", "ALL")
DIRECTIONS = ("inbound", "outbound")

# Checks one ICMP type or code given in a port field, for clouds that filter ICMP by them.
IcmpCheck = Callable[[Any, str], int]


def normalize_rule(rule: SecurityRule, *, field: str, icmp: IcmpCheck | None = None) -> SecurityRule:
    direction = str(rule.direction).lower()
    if direction not in DIRECTIONS:
        raise InvalidRequestError(
            f"Rule direction {rule.direction!r} must be inbound or outbound.", field=f"{field}.direction"
        )
    protocol = str(rule.protocol).upper()
    if protocol not in PROTOCOLS:
        raise InvalidRequestError(
            f"Rule protocol {rule.protocol!r} must be one of {', '.join(PROTOCOLS)}.", field=f"{field}.protocol"
        )
    from_port = to_port = -1
    if protocol == "ICMP" and icmp is not None:
        from_port, to_port = icmp(rule.from_port, f"{field}.from_port"), icmp(rule.to_port, f"{field}.to_port")
    if protocol in ("TCP", "UDP"):
        from_port = check_port(rule.from_port, field=f"{field}.from_port")
        to_port = check_port(rule.to_port, field=f"{field}.to_port")
        if from_port > to_port:
            raise InvalidRequestError(f"Rule port range {from_port}-{to_port} is reversed.", field=f"{field}.to_port")
    try:
        cidr = str(ipaddress.IPv4Network(rule.cidr, strict=False))
    except (ValueError, TypeError):
        raise InvalidRequestError(
            f"Rule CIDR {rule.cidr!r} is not a valid IPv4 CIDR block.", field=f"{field}.cidr"
        ) from None
    return SecurityRule(
        direction="inbound" if direction == "inbound" else "outbound",
        protocol=protocol,  # type: ignore[arg-type]  # checked against PROTOCOLS above
        from_port=from_port,
        to_port=to_port,
        cidr=cidr,
    )


def normalize_rules(rules: Sequence[SecurityRule], *, icmp: IcmpCheck | None = None) -> list[SecurityRule]:
    """Each rule normalized, duplicates dropped, in the order given."""
    result: list[SecurityRule] = []
    for index, rule in enumerate(rules):
        normalized = normalize_rule(rule, field=f"rules[{index}]", icmp=icmp)
        if normalized not in result:
            result.append(normalized)
    return result
