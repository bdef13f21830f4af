"""Security groups as Neutron security groups.

A Neutron group belongs to a project, not to a network; the VPC it was made for is kept in its
description ("spiderweb-vpc=<network id>"). Neutron gives a new group two egress rules (any
protocol, IPv4 and IPv6); they are removed so that a group holds exactly the rules asked for, as on
every other cloud. Only IPv4 rules are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drivers.errors import AlreadyExistsError, DependencyError, NotFoundError
from drivers.openstack._common import check_name, check_tags, pick, tags_from_strings, tags_to_strings
from drivers.openstack._errors import translate
from drivers.openstack._magnum import clusters_using
from drivers.openstack._session import Clouds
from drivers.openstack.vpc import OpenStackVPCHandler
from drivers.rules import normalize_rules
from drivers.types import IID, SecurityInfo, SecurityReqInfo, SecurityRule

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}

VPC_PREFIX = "spiderweb-vpc="
_DIRECTIONS = {"inbound": "ingress", "outbound": "egress"}


def to_rule(rule: Any) -> SecurityRule | None:
    """A Neutron rule (a dict) as Spiderweb's, or None for an IPv6 or remote-group rule."""
    if rule.get("ethertype") != "IPv4" or rule.get("remote_group_id"):
        return None
    protocol = str(rule.get("protocol") or "").lower()
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if protocol in ("tcp", "udp"):
        name, from_port, to_port = protocol.upper(), int(low or 1), int(high or 65535)
    elif protocol == "icmp":
        name, from_port, to_port = "ICMP", -1, -1
    elif protocol == "":
        name, from_port, to_port = "ALL", -1, -1
    else:
        return None
    return SecurityRule(
        direction="inbound" if rule.get("direction") == "ingress" else "outbound",
        protocol=name,  # type: ignore[arg-type]  # one of PROTOCOLS
        from_port=from_port,
        to_port=to_port,
        cidr=str(rule.get("remote_ip_prefix") or "0.0.0.0/0"),
    )


def to_neutron(rule: SecurityRule, sg_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "security_group_id": sg_id,
        "direction": _DIRECTIONS[rule.direction],
        "ethertype": "IPv4",
        "remote_ip_prefix": rule.cidr,
    }
    if rule.protocol != "ALL":
        body["protocol"] = rule.protocol.lower()
    if rule.protocol in ("TCP", "UDP"):
        body["port_range_min"], body["port_range_max"] = rule.from_port, rule.to_port
    return body


class OpenStackSecurityGroupHandler:
    def __init__(self, clouds: Clouds) -> None:
        self._c = clouds
        self._vpcs = OpenStackVPCHandler(clouds)

    def _groups(self) -> list[Any]:
        with translate():
            return list(self._c.network.security_groups(project_id=self._c.project_id()))

    def find(self, iid: IID) -> Any:
        return pick(self._groups(), iid, what="Security group", ident=lambda g: g.id, name=lambda g: g.name)

    def info(self, group: Any, networks: dict[str, str] | None = None) -> SecurityInfo:
        description = str(group.description or "")
        vpc_id = description.removeprefix(VPC_PREFIX) if description.startswith(VPC_PREFIX) else ""
        if networks is None:
            networks = {n.id: n.name for n in self._vpcs._networks()}
        rules = [to_rule(rule) for rule in group.security_group_rules or []]
        return SecurityInfo(
            iid=IID(name_id=group.name, system_id=group.id),
            vpc_iid=IID(name_id=networks.get(vpc_id, ""), system_id=vpc_id),
            rules=tuple(rule for rule in rules if rule is not None),
            tags=tags_from_strings(group.tags),
            extra={"stateful": str(getattr(group, "stateful", True))},
        )

    def create_security_group(self, *, req: SecurityReqInfo) -> SecurityInfo:
        check_name(req.name)
        check_tags(req.tags)
        rules = normalize_rules(req.rules)
        network = self._vpcs.find_network(req.vpc_iid)
        if any(g.name == req.name for g in self._groups()):
            raise AlreadyExistsError(f"Security group '{req.name}' already exists.", field="name")
        net = self._c.network
        with translate():
            group = net.create_security_group(name=req.name, description=f"{VPC_PREFIX}{network.id}")
            for rule in group.security_group_rules or []:
                net.delete_security_group_rule(rule["id"], ignore_missing=True)
            for rule in rules:
                net.create_security_group_rule(**to_neutron(rule, group.id))
            if req.tags and self._c.profile.tags:
                net.set_tags(group, tags_to_strings(req.tags))
        return self.get_security_group(iid=IID(name_id=req.name, system_id=group.id))

    def list_security_groups(self) -> list[SecurityInfo]:
        networks = {n.id: n.name for n in self._vpcs._networks()}
        return [self.info(group, networks) for group in self._groups() if group.name != "default"]

    def get_security_group(self, *, iid: IID) -> SecurityInfo:
        return self.info(self.find(iid))

    def delete_security_group(self, *, iid: IID) -> None:
        try:
            group = self.find(iid)
        except NotFoundError:
            return
        users = clusters_using(self._c, sg_id=str(group.id))
        if users:
            raise DependencyError(f"Security group '{group.name}' is used by cluster(s) {', '.join(users)}.")
        with translate():
            self._c.network.delete_security_group(group, ignore_missing=True)

    def add_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        group = self.find(sg_iid)
        wanted = normalize_rules(rules)
        present = set(self.info(group, {}).rules)
        with translate():
            for rule in wanted:
                if rule not in present:
                    self._c.network.create_security_group_rule(**to_neutron(rule, group.id))
        return self.get_security_group(iid=IID(name_id=group.name, system_id=group.id))

    def remove_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        group = self.find(sg_iid)
        unwanted = set(normalize_rules(rules))
        with translate():
            for rule in group.security_group_rules or []:
                if to_rule(rule) in unwanted:
                    self._c.network.delete_security_group_rule(rule["id"], ignore_missing=True)
        return self.get_security_group(iid=IID(name_id=group.name, system_id=group.id))
