"""Neutron security groups with their rules (shapes and errors: see neutron.py).

A new security group holds the two default egress rules (IPv4 and IPv6, any protocol); a rule
that exists already is 409 `SecurityGroupRuleExists` (networking api-ref).
"""

from __future__ import annotations

from typing import Any

from tests.drivers.openstack.fake.neutron import get, stamp
from tests.drivers.openstack.fake.server import FakeOpenStack, Reply, Request, neutron_error

BASE = "/v2.0"


def register(fake: FakeOpenStack) -> None:
    fake.route("network", "POST", f"{BASE}/security-groups", lambda req: _create_sg(fake, req))
    fake.route("network", "POST", f"{BASE}/security-group-rules", lambda req: _create_rule(fake, req))
    fake.route("network", "DELETE", f"{BASE}/security-group-rules/(?P<id>[^/?]+)", lambda req: _delete_rule(fake, req))


def _rule(
    fake: FakeOpenStack,
    sg_id: str,
    project: str,
    direction: str,
    ethertype: str,
    protocol: str | None = None,
    low: int | None = None,
    high: int | None = None,
    prefix: str | None = None,
) -> dict[str, Any]:
    return stamp(
        fake,
        {
            "id": fake.new_id(),
            "security_group_id": sg_id,
            "direction": direction,
            "ethertype": ethertype,
            "protocol": protocol,
            "port_range_min": low,
            "port_range_max": high,
            "remote_ip_prefix": prefix,
            "remote_group_id": None,
            "project_id": project,
        },
    )


def _create_sg(fake: FakeOpenStack, req: Request) -> Reply:
    body = req.body.get("security_group", {})
    sg_id = fake.new_id()
    rules = [_rule(fake, sg_id, req.project, "egress", "IPv4"), _rule(fake, sg_id, req.project, "egress", "IPv6")]
    sg = stamp(
        fake,
        {
            "id": sg_id,
            "name": body.get("name", ""),
            "description": body.get("description", ""),
            "security_group_rules": rules,
            "project_id": req.project,
            "stateful": True,
        },
    )
    fake.coll(req.region, "security-groups")[sg_id] = sg
    return 201, {"security_group": sg}


_RULE_KEYS = ("direction", "ethertype", "protocol", "port_range_min", "port_range_max", "remote_ip_prefix")


def _create_rule(fake: FakeOpenStack, req: Request) -> Reply:
    body = req.body.get("security_group_rule", {})
    sg = get(fake, req.region, "security-groups", str(body.get("security_group_id", "")))
    rule = _rule(
        fake,
        sg["id"],
        req.project,
        str(body.get("direction")),
        str(body.get("ethertype", "IPv4")),
        body.get("protocol"),
        body.get("port_range_min"),
        body.get("port_range_max"),
        body.get("remote_ip_prefix"),
    )
    if rule["protocol"] not in (None, "tcp", "udp", "icmp") and not str(rule["protocol"]).isdigit():
        raise neutron_error(
            400,
            "SecurityGroupRuleInvalidProtocol",
            f"Security group rule protocol "
            f"{rule['protocol']} not supported. Only protocol values [None, 'tcp', 'udp', 'icmp'] "
            "and integer representations [0 to 255] are supported.",
        )
    for existing in sg["security_group_rules"]:
        if all(existing[k] == rule[k] for k in _RULE_KEYS):
            raise neutron_error(
                409, "SecurityGroupRuleExists", f"Security group rule already exists. Rule id is {existing['id']}."
            )
    sg["security_group_rules"].append(rule)
    return 201, {"security_group_rule": rule}


def _delete_rule(fake: FakeOpenStack, req: Request) -> Reply:
    for sg in fake.coll(req.region, "security-groups").values():
        for rule in sg["security_group_rules"]:
            if rule["id"] == req.params["id"]:
                sg["security_group_rules"].remove(rule)
                return None
    raise neutron_error(404, "SecurityGroupRuleNotFound", f"Security group rule {req.params['id']} does not exist")
