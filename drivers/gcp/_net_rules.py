"""Security group rules as Compute Engine firewall rules, and the firewalls that make up a group.

A security group is a set of firewall rules of one network that apply to the VMs carrying the
network tag named like the group. One firewall, named like the group, marks it: it denies all
egress at the lowest priority, so the group lets out only what its rules allow (Google Cloud
allows all egress by default, and denies all ingress). Each rule is a firewall of its own that
allows one protocol and port range from (inbound) or to (outbound) one CIDR block, at a higher
priority; its name is the group's plus a digest of the rule, so a retried insert cannot make two.
"""

from __future__ import annotations

import hashlib
from typing import Any

from google.cloud import compute_v1
from google.cloud.compute_v1.types import compute

from drivers.gcp._errors import translate
from drivers.gcp._net_common import read_meta, write_meta
from drivers.gcp._session import CALL, PAGE_SIZE, GCPClients
from drivers.types import SecurityRule

MARKER_PRIORITY = 65535  # the lowest: any allow rule of any group the VM carries wins
RULE_PRIORITY = 1000  # Compute Engine's default
# A rule's firewall is named `<group>-<8 hex digits>`, so a group's name leaves room for the suffix.
MAX_GROUP_NAME = 54
GROUP_ROLE = "security-group"
RULE_ROLE = "security-group-rule"

_PROTOCOLS = ("TCP", "UDP", "ICMP", "ALL")
# Compute Engine takes protocols by name or IANA number.
_FROM_GCP = {"tcp": "TCP", "6": "TCP", "udp": "UDP", "17": "UDP", "icmp": "ICMP", "1": "ICMP", "all": "ALL"}


def firewalls_client(clients: GCPClients) -> compute_v1.FirewallsClient:
    return clients.client(compute_v1.FirewallsClient)


def all_firewalls(clients: GCPClients) -> list[compute.Firewall]:
    request = compute.ListFirewallsRequest(project=clients.project, max_results=PAGE_SIZE)
    with translate():
        return list(firewalls_client(clients).list(request=request, **CALL))


def group_of(firewall: compute.Firewall) -> str:
    """The security group a firewall belongs to ('' for a firewall made outside Spiderweb)."""
    meta = read_meta(firewall.description)
    if meta.get("role") in (GROUP_ROLE, RULE_ROLE):
        return str(meta.get("group", ""))
    return ""


def is_marker(firewall: compute.Firewall) -> bool:
    return read_meta(firewall.description).get("role") == GROUP_ROLE and group_of(firewall) == firewall.name


# --- rules ---------------------------------------------------------------------------------------


def rule_name(group: str, rule: SecurityRule) -> str:
    text = f"{rule.direction}|{rule.protocol}|{rule.from_port}|{rule.to_port}|{rule.cidr}"
    return f"{group}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def _ports(text: str) -> tuple[int, int] | None:
    low, _, high = text.partition("-")
    try:
        return int(low), int(high or low)
    except ValueError:
        return None


def rules_of(firewall: compute.Firewall) -> list[SecurityRule] | None:
    """The rules an allow firewall stands for, one per protocol, port range and CIDR block; None for
    one Spiderweb's rules cannot express (a deny, tags as sources, another protocol)."""
    if firewall.denied or firewall.source_tags or firewall.source_service_accounts or firewall.disabled:
        return None
    inbound = firewall.direction != "EGRESS"
    direction: Any = "inbound" if inbound else "outbound"
    cidrs = list(firewall.source_ranges if inbound else firewall.destination_ranges) or ["0.0.0.0/0"]
    rules: list[SecurityRule] = []
    for allowed in firewall.allowed:
        protocol: Any = _FROM_GCP.get(allowed.I_p_protocol.lower())
        if protocol is None:
            return None
        ranges: list[tuple[int, int]] = [(-1, -1)]
        if protocol in ("TCP", "UDP"):
            parsed = [_ports(text) for text in allowed.ports] or [(1, 65535)]
            if None in parsed:
                return None
            ranges = [item for item in parsed if item is not None]
        for cidr in cidrs:
            if ":" in cidr:
                continue  # IPv6, which Spiderweb's rules do not carry
            for low, high in ranges:
                rules.append(
                    SecurityRule(direction=direction, protocol=protocol, from_port=low, to_port=high, cidr=cidr)
                )
    return rules


def rule_firewall(group: str, rule: SecurityRule, *, network: str) -> compute.Firewall:
    allowed = compute.Allowed(I_p_protocol=rule.protocol.lower())
    if rule.protocol in ("TCP", "UDP"):
        port = str(rule.from_port) if rule.from_port == rule.to_port else f"{rule.from_port}-{rule.to_port}"
        allowed.ports = [port]
    firewall = compute.Firewall(
        name=rule_name(group, rule),
        description=write_meta({"role": RULE_ROLE, "group": group}),
        network=network,
        priority=RULE_PRIORITY,
        direction="INGRESS" if rule.direction == "inbound" else "EGRESS",
        allowed=[allowed],
        target_tags=[group],
    )
    if rule.direction == "inbound":
        firewall.source_ranges = [rule.cidr]
    else:
        firewall.destination_ranges = [rule.cidr]
    return firewall


def marker_firewall(group: str, *, network: str, description: str) -> compute.Firewall:
    return compute.Firewall(
        name=group,
        description=description,
        network=network,
        priority=MARKER_PRIORITY,
        direction="EGRESS",
        denied=[compute.Denied(I_p_protocol="all")],
        destination_ranges=["0.0.0.0/0"],
        target_tags=[group],
    )
