"""Public addresses, firewall rules and port forwarding of the fake KT Cloud (KT Cloud's SDK:
`public_ip.go`, `firewall_rule.go`, `port_forwarding_rule.go`; CloudStack's commands of those names).

The data-plane rule the driver relies on is `reachable()`: a packet to a public address and port
reaches a VM only when a port forwarding rule sends that port to the VM and a firewall rule on the
address admits the protocol, port and source. A port range that overlaps another forwarding rule of
the address is a 537 (network rule conflict); releasing an address deletes its rules.
"""

from __future__ import annotations

import ipaddress

from tests.drivers.ktclassic.fake.catalogue import zone
from tests.drivers.ktclassic.fake.compute import vm_of
from tests.drivers.ktclassic.fake.server import Answer, ApiError, FakeKT, missing


def _ip(fake: FakeKT, ip_id: str, command: str) -> Answer:
    ip = fake.table("ips").get(ip_id)
    if ip is None:
        raise missing(command, "ipaddressid", ip_id)
    return ip


def associate_ip_address(fake: FakeKT, args: dict[str, str]) -> Answer:
    zone_id = args.get("zoneid", "")
    zone(zone_id)
    ip_id = fake.new_id()
    number = next(fake.ids)
    ip = {"id": ip_id, "ipaddress": f"211.253.{number // 250 % 250}.{number % 250 + 1}", "zoneid": zone_id}
    ip["state"] = "Allocating"
    fake.table("ips")[ip_id] = ip

    def allocated() -> Answer:
        ip["state"] = "Allocated"
        return {"ipaddress": dict(ip)}

    return {"id": ip_id, "jobid": fake.job("associateIpAddress", allocated, ticks=1)}


def list_public_ip_addresses(fake: FakeKT, args: dict[str, str]) -> Answer:
    items = [
        dict(ip)
        for ip in fake.table("ips").values()
        if (not args.get("id") or ip["id"] == args["id"]) and (not args.get("zoneid") or ip["zoneid"] == args["zoneid"])
    ]
    return {"count": len(items), "publicipaddress": items} if items else {}


def disassociate_ip_address(fake: FakeKT, args: dict[str, str]) -> Answer:
    ip = _ip(fake, args.get("id", ""), "disassociateIpAddress")

    def released() -> Answer:
        fake.table("ips").pop(ip["id"], None)
        for table in ("firewall", "forwards"):
            for rule_id, rule in list(fake.table(table).items()):
                if rule["ipaddressid"] == ip["id"]:
                    del fake.table(table)[rule_id]
        return {"success": True}

    return {"jobid": fake.job("disassociateIpAddress", released, ticks=1)}


def create_firewall_rule(fake: FakeKT, args: dict[str, str]) -> Answer:
    ip = _ip(fake, args.get("ipaddressid", ""), "createFirewallRule")
    protocol = args.get("protocol", "").lower()
    if protocol not in ("tcp", "udp", "icmp"):
        raise ApiError(431, f"Invalid protocol {protocol}")
    rule = {
        "id": fake.new_id(),
        "protocol": protocol,
        "ipaddressid": ip["id"],
        "ipaddress": ip["ipaddress"],
        "cidrlist": args.get("cidrlist", "0.0.0.0/0"),
        "state": "Add",
    }
    if protocol == "icmp":
        rule.update({"icmptype": int(args.get("icmptype", "-1")), "icmpcode": int(args.get("icmpcode", "-1"))})
    else:
        rule.update({"startport": args.get("startport", ""), "endport": args.get("endport", args.get("startport", ""))})
    for other in fake.table("firewall").values():
        same = {k: v for k, v in other.items() if k not in ("id", "state")}
        if same == {k: v for k, v in rule.items() if k not in ("id", "state")}:
            raise ApiError(537, "There is already a firewall rule specified with the same protocol and port range")
    fake.table("firewall")[rule["id"]] = rule

    def active() -> Answer:
        rule["state"] = "Active"
        return {"firewallrule": dict(rule)}

    return {"id": rule["id"], "jobid": fake.job("createFirewallRule", active, ticks=1)}


def create_port_forwarding_rule(fake: FakeKT, args: dict[str, str]) -> Answer:
    command = "createPortForwardingRule"
    ip = _ip(fake, args.get("ipaddressid", ""), command)
    vm = vm_of(fake, args.get("virtualmachineid", ""), command, "virtualmachineid")
    protocol = args.get("protocol", "").lower()
    first = int(args.get("publicport", "0"))
    last = int(args.get("publicendport", first))
    for other in fake.table("forwards").values():
        same = other["ipaddressid"] == ip["id"] and other["protocol"] == protocol
        if same and first <= int(other["publicendport"]) and int(other["publicport"]) <= last:
            raise ApiError(
                537,
                f"The range specified, {first}-{last}, conflicts with rule {other['id']} which has "
                f"{other['publicport']}-{other['publicendport']}",
            )
    rule = {
        "id": fake.new_id(),
        "protocol": protocol,
        "ipaddressid": ip["id"],
        "ipaddress": ip["ipaddress"],
        "publicport": str(first),
        "publicendport": str(last),
        "privateport": args.get("privateport", str(first)),
        "privateendport": args.get("privateendport", str(last)),
        "virtualmachineid": vm["id"],
        "virtualmachinename": vm["name"],
        "state": "Add",
    }
    fake.table("forwards")[rule["id"]] = rule

    def active() -> Answer:
        rule["state"] = "Active"
        return {"portforwardingrule": dict(rule)}

    return {"id": rule["id"], "jobid": fake.job(command, active, ticks=1)}


def _lister(table: str, key: str) -> object:
    def handler(fake: FakeKT, args: dict[str, str]) -> Answer:
        items = [
            dict(rule)
            for rule in fake.table(table).values()
            if not args.get("ipaddressid") or rule["ipaddressid"] == args["ipaddressid"]
        ]
        return {"count": len(items), key: items} if items else {}

    return handler


def _deleter(table: str, command: str) -> object:
    def handler(fake: FakeKT, args: dict[str, str]) -> Answer:
        rule_id = args.get("id", "")
        if rule_id not in fake.table(table):
            raise missing(command, "id", rule_id)

        def deleted() -> Answer:
            fake.table(table).pop(rule_id, None)
            return {"success": True}

        return {"jobid": fake.job(command, deleted, ticks=1)}

    return handler


def reachable(fake: FakeKT, *, vm_name: str, protocol: str, port: int, source: str) -> bool:
    """Whether a packet from `source` to the VM's public address and `port` gets through to the VM."""
    protocol = protocol.lower()
    vm = next(vm for vm in fake.table("vms").values() if vm["name"] == vm_name)
    for rule in fake.table("forwards").values():
        if rule["virtualmachineid"] != vm["id"] or rule["protocol"] != protocol or rule["state"] != "Active":
            continue
        if not int(rule["publicport"]) <= port <= int(rule["publicendport"]):
            continue
        for allow in fake.table("firewall").values():
            if allow["ipaddressid"] != rule["ipaddressid"] or allow["protocol"] != protocol:
                continue
            in_range = int(allow["startport"]) <= port <= int(allow["endport"])
            cidrs = [ipaddress.IPv4Network(c) for c in str(allow["cidrlist"]).split(",")]
            if in_range and any(ipaddress.IPv4Address(source) in cidr for cidr in cidrs):
                return True
    return False


def register(fake: FakeKT) -> None:
    fake.handlers.update(
        {
            "associateIpAddress": associate_ip_address,
            "listPublicIpAddresses": list_public_ip_addresses,
            "disassociateIpAddress": disassociate_ip_address,
            "createFirewallRule": create_firewall_rule,
            "listFirewallRules": _lister("firewall", "firewallrule"),  # type: ignore[dict-item]
            "deleteFirewallRule": _deleter("firewall", "deleteFirewallRule"),  # type: ignore[dict-item]
            "createPortForwardingRule": create_port_forwarding_rule,
            "listPortForwardingRules": _lister("forwards", "portforwardingrule"),  # type: ignore[dict-item]
            "deletePortForwardingRule": _deleter("forwards", "deletePortForwardingRule"),  # type: ignore[dict-item]
        }
    )
