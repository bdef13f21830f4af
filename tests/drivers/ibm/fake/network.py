"""VPCs, address prefixes, subnets, public gateways, security groups with rules, and SSH keys.

The data-plane rules modelled (VPC API reference, "About networking" and the delete operations):
- a VPC made with `address_prefix_management: manual` has no address prefixes; a subnet's CIDR must
  lie inside a prefix of its zone, and prefixes of one VPC must not overlap;
- VPCs, subnets and public gateways start `pending` and become `available`; deletes go through
  `deleting`;
- a VPC cannot be deleted while it has subnets, public gateways or security groups other than its
  default one (409); a subnet while network interfaces use it; a public gateway while subnets are
  attached to it; a security group while interfaces are its targets;
- names are unique per kind in the region (for subnets and security groups: per VPC), keys per region.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from typing import Any

from tests.drivers.ibm.fake.server import ApiError, FakeIBM, Request, in_use, not_found

LIST = frozenset({"limit", "start"})


def register(fake: FakeIBM) -> None:
    fake.route("GET", r"/vpcs", lambda req: _list(fake, req, "vpcs"), query=LIST)
    fake.route("POST", r"/vpcs", lambda req: create_vpc(fake, req))
    fake.route("GET", r"/vpcs/(?P<id>[^/]+)", lambda req: _get(fake, req, "vpcs", "VPC"))
    fake.route("DELETE", r"/vpcs/(?P<id>[^/]+)", lambda req: delete_vpc(fake, req))
    fake.route("GET", r"/vpcs/(?P<vpc>[^/]+)/address_prefixes", lambda req: _prefixes(fake, req), query=LIST)
    fake.route("POST", r"/vpcs/(?P<vpc>[^/]+)/address_prefixes", lambda req: create_prefix(fake, req))
    fake.route("GET", r"/subnets", lambda req: _list(fake, req, "subnets", "vpc.id"), query=LIST | {"vpc.id"})
    fake.route("POST", r"/subnets", lambda req: create_subnet(fake, req))
    fake.route("GET", r"/subnets/(?P<id>[^/]+)", lambda req: _get(fake, req, "subnets", "Subnet"))
    fake.route("DELETE", r"/subnets/(?P<id>[^/]+)", lambda req: delete_subnet(fake, req))
    fake.route("PUT", r"/subnets/(?P<id>[^/]+)/public_gateway", lambda req: attach_gateway(fake, req))
    fake.route("GET", r"/public_gateways", lambda req: _list(fake, req, "public_gateways"), query=LIST)
    fake.route("POST", r"/public_gateways", lambda req: create_gateway(fake, req))
    fake.route(
        "GET", r"/public_gateways/(?P<id>[^/]+)", lambda req: _get(fake, req, "public_gateways", "Public gateway")
    )
    fake.route("DELETE", r"/public_gateways/(?P<id>[^/]+)", lambda req: delete_gateway(fake, req))
    fake.route(
        "GET", r"/security_groups", lambda req: _list(fake, req, "security_groups", "vpc.id"), query=LIST | {"vpc.id"}
    )
    fake.route("POST", r"/security_groups", lambda req: create_sg(fake, req))
    fake.route(
        "GET", r"/security_groups/(?P<id>[^/]+)", lambda req: _get(fake, req, "security_groups", "Security group")
    )
    fake.route("DELETE", r"/security_groups/(?P<id>[^/]+)", lambda req: delete_sg(fake, req))
    fake.route("POST", r"/security_groups/(?P<id>[^/]+)/rules", lambda req: add_rule(fake, req))
    fake.route("DELETE", r"/security_groups/(?P<id>[^/]+)/rules/(?P<rule>[^/]+)", lambda req: delete_rule(fake, req))
    fake.route("GET", r"/keys", lambda req: _list(fake, req, "keys"), query=LIST)
    fake.route("POST", r"/keys", lambda req: create_key(fake, req))
    fake.route("GET", r"/keys/(?P<id>[^/]+)", lambda req: _get(fake, req, "keys", "Key"))
    fake.route("DELETE", r"/keys/(?P<id>[^/]+)", lambda req: delete_key(fake, req))


# --- common ----------------------------------------------------------------------------------------


def _list(fake: FakeIBM, req: Request, kind: str, vpc_filter: str = "") -> tuple[int, Any]:
    items = fake.settle_all(fake.collection(req.account, req.region, kind))
    if vpc_filter and vpc_filter in req.query:
        items = [item for item in items if item["vpc"]["id"] == req.query[vpc_filter]]
    return 200, fake.page(req, kind, items, kind)


def _get(fake: FakeIBM, req: Request, kind: str, label: str) -> tuple[int, Any]:
    item = fake.settle(fake.collection(req.account, req.region, kind), req.params["id"])
    if item is None:
        raise not_found(label, req.params["id"])
    return 200, fake.public(item)


def ref(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item[key] for key in ("id", "name", "href", "crn") if key in item}


def _vpc_of(fake: FakeIBM, req: Request, identity: Any) -> dict[str, Any]:
    ident = identity.get("id", "") if isinstance(identity, dict) else ""
    vpc = fake.collection(req.account, req.region, "vpcs").get(ident)
    if vpc is None:
        raise not_found("VPC", ident)
    return vpc


def _new(fake: FakeIBM, req: Request, kind: str, resource_type: str, name: str, zone: str = "") -> dict[str, Any]:
    ident = fake.new_id(zone)
    return {
        "id": ident,
        "crn": fake.crn(req.account, req.region, resource_type, ident),
        "href": fake.href(req.region, f"{kind}/{ident}"),
        "name": name,
        "created_at": fake.now(),
        "resource_group": {"id": "a1b2c3d4e5f6", "name": "Default"},
        "resource_type": resource_type,
    }


def _deleting(fake: FakeIBM, item: dict[str, Any], key: str = "status") -> None:
    item[key] = "deleting"
    item["_settle"] = []
    fake.settle_later(item, key, None)


# --- VPCs and address prefixes -----------------------------------------------------------------------


def create_vpc(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    vpcs = fake.collection(req.account, req.region, "vpcs")
    name = str(req.body.get("name", ""))
    fake.unique_name(vpcs, name)
    vpc = _new(fake, req, "vpcs", "vpc", name)
    default_sg = _new(fake, req, "security_groups", "security_group", f"{name}-default-sg")
    default_sg.update(vpc=ref(vpc), rules=[], targets=[], _default=True)
    fake.collection(req.account, req.region, "security_groups")[default_sg["id"]] = default_sg
    vpc.update(
        status="pending",
        classic_access=bool(req.body.get("classic_access", False)),
        default_security_group=ref(default_sg),
        default_network_acl={"id": fake.new_id(), "name": f"{name}-acl"},
        default_routing_table={"id": fake.new_id(), "name": f"{name}-rt"},
        cse_source_ips=[],
        _prefixes={},
        _auto=req.body.get("address_prefix_management", "auto") != "manual",
    )
    fake.settle_later(vpc, "status", "available")
    vpcs[vpc["id"]] = vpc
    return 201, fake.public(vpc)


def delete_vpc(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    vpcs = fake.collection(req.account, req.region, "vpcs")
    vpc = fake.lookup(vpcs, req.params["id"], "VPC")
    ident = vpc["id"]
    for kind, label in (("subnets", "subnets"), ("public_gateways", "public gateways")):
        if any(item["vpc"]["id"] == ident for item in fake.collection(req.account, req.region, kind).values()):
            raise in_use("vpc", f"The VPC cannot be deleted while it has {label}.")
    groups = fake.collection(req.account, req.region, "security_groups")
    if any(sg["vpc"]["id"] == ident and not sg.get("_default") for sg in groups.values()):
        raise in_use("vpc", "The VPC cannot be deleted while it has security groups other than its default one.")
    for sg_id in [key for key, sg in groups.items() if sg["vpc"]["id"] == ident]:
        groups.pop(sg_id)
    _deleting(fake, vpc)
    return 204, None


def _prefixes(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    vpc = _vpc_of(fake, req, {"id": req.params["vpc"]})
    return 200, fake.page(
        req, "address_prefixes", list(vpc["_prefixes"].values()), f"vpcs/{vpc['id']}/address_prefixes"
    )


def create_prefix(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    vpc = _vpc_of(fake, req, {"id": req.params["vpc"]})
    zone = str((req.body.get("zone") or {}).get("name", ""))
    if not zone.startswith(f"{req.region}-"):
        raise ApiError(400, "validation_invalid_zone", f"Zone {zone} is not in region {req.region}", target="zone")
    try:
        cidr = ipaddress.IPv4Network(str(req.body.get("cidr", "")))
    except ValueError:
        raise ApiError(400, "validation_invalid_cidr", "The CIDR is not valid.", target="cidr") from None
    for prefix in vpc["_prefixes"].values():
        if cidr.overlaps(ipaddress.IPv4Network(prefix["cidr"])):
            raise ApiError(
                400, "address_prefix_overlap", f"Address prefix {cidr} overlaps {prefix['cidr']}.", target="cidr"
            )
    ident = fake.new_id(zone)
    prefix = {
        "id": ident,
        "href": fake.href(req.region, f"vpcs/{vpc['id']}/address_prefixes/{ident}"),
        "name": str(req.body.get("name") or f"prefix-{ident[-6:]}"),
        "cidr": str(cidr),
        "zone": {"name": zone},
        "is_default": False,
        "has_subnets": False,
        "created_at": fake.now(),
    }
    vpc["_prefixes"][ident] = prefix
    return 201, prefix


# --- subnets and public gateways -----------------------------------------------------------------------


def create_subnet(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    subnets = fake.collection(req.account, req.region, "subnets")
    vpc = _vpc_of(fake, req, req.body.get("vpc"))
    name = str(req.body.get("name", ""))
    fake.unique_name(subnets, name, scope=lambda item: item["vpc"]["id"] == vpc["id"])
    zone = str((req.body.get("zone") or {}).get("name", ""))
    try:
        cidr = ipaddress.IPv4Network(str(req.body.get("ipv4_cidr_block", "")))
    except ValueError:
        raise ApiError(
            400, "validation_invalid_cidr", "ipv4_cidr_block is not a valid CIDR.", target="ipv4_cidr_block"
        ) from None
    inside = [
        p
        for p in vpc["_prefixes"].values()
        if p["zone"]["name"] == zone and cidr.subnet_of(ipaddress.IPv4Network(p["cidr"]))
    ]
    if not inside:
        raise ApiError(
            400,
            "address_prefix_not_found",
            f"The subnet CIDR {cidr} is not inside an address prefix of zone {zone}.",
            target="ipv4_cidr_block",
        )
    for other in subnets.values():
        if other["vpc"]["id"] == vpc["id"] and cidr.overlaps(ipaddress.IPv4Network(other["ipv4_cidr_block"])):
            raise ApiError(
                400,
                "subnet_cidr_overlap",
                f"The CIDR {cidr} overlaps subnet {other['name']}.",
                target="ipv4_cidr_block",
            )
    inside[0]["has_subnets"] = True
    subnet = _new(fake, req, "subnets", "subnet", name, zone)
    subnet.update(
        vpc=ref(vpc),
        zone={"name": zone},
        ipv4_cidr_block=str(cidr),
        ip_version="ipv4",
        status="pending",
        total_ipv4_address_count=cidr.num_addresses,
        available_ipv4_address_count=cidr.num_addresses - 5,
        network_acl=vpc["default_network_acl"],
        routing_table=vpc["default_routing_table"],
        _next_host=4,
    )
    gateway = req.body.get("public_gateway")
    if gateway:
        subnet["public_gateway"] = ref(_gateway(fake, req, gateway.get("id", "")))
    fake.settle_later(subnet, "status", "available")
    subnets[subnet["id"]] = subnet
    return 201, fake.public(subnet)


def next_address(subnet: dict[str, Any]) -> str:
    """The next free address of a subnet (IBM keeps the first four and the last one)."""
    network = ipaddress.IPv4Network(subnet["ipv4_cidr_block"])
    address = str(network.network_address + subnet["_next_host"])
    subnet["_next_host"] += 1
    return address


def delete_subnet(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    subnet = fake.lookup(fake.collection(req.account, req.region, "subnets"), req.params["id"], "Subnet")
    for instance in fake.collection(req.account, req.region, "instances").values():
        if any(nic["subnet"]["id"] == subnet["id"] for nic in instance["network_interfaces"]):
            raise in_use("subnet", f"The subnet is in use by instance {instance['name']}.")
    for balancer in fake.collection(req.account, req.region, "load_balancers").values():
        if any(item["id"] == subnet["id"] for item in balancer["subnets"]):
            raise in_use("subnet", f"The subnet is in use by load balancer {balancer['name']}.")
    _deleting(fake, subnet)
    return 204, None


def _gateway(fake: FakeIBM, req: Request, ident: str) -> dict[str, Any]:
    return fake.lookup(fake.collection(req.account, req.region, "public_gateways"), ident, "Public gateway")


def create_gateway(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    gateways = fake.collection(req.account, req.region, "public_gateways")
    vpc = _vpc_of(fake, req, req.body.get("vpc"))
    name = str(req.body.get("name", ""))
    fake.unique_name(gateways, name)
    zone = str((req.body.get("zone") or {}).get("name", ""))
    if any(gw["vpc"]["id"] == vpc["id"] and gw["zone"]["name"] == zone for gw in gateways.values()):
        raise ApiError(409, "public_gateway_zone_conflict", f"The VPC already has a public gateway in zone {zone}.")
    gateway = _new(fake, req, "public_gateways", "public_gateway", name, zone)
    gateway.update(
        vpc=ref(vpc),
        zone={"name": zone},
        status="pending",
        floating_ip={"id": fake.new_id(zone), "address": f"169.59.{len(gateways) + 10}.{len(gateways) + 20}"},
    )
    fake.settle_later(gateway, "status", "available")
    gateways[gateway["id"]] = gateway
    return 201, fake.public(gateway)


def attach_gateway(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    subnet = fake.lookup(fake.collection(req.account, req.region, "subnets"), req.params["id"], "Subnet")
    gateway = _gateway(fake, req, str(req.body.get("id", "")))
    if gateway["zone"]["name"] != subnet["zone"]["name"] or gateway["vpc"]["id"] != subnet["vpc"]["id"]:
        raise ApiError(400, "public_gateway_zone_mismatch", "The public gateway must be in the subnet's VPC and zone.")
    if gateway["status"] != "available":
        raise ApiError(409, "public_gateway_not_available", "The public gateway is not available yet.")
    subnet["public_gateway"] = ref(gateway)
    return 201, fake.public(gateway)


def delete_gateway(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    gateway = _gateway(fake, req, req.params["id"])
    if any(
        s.get("public_gateway", {}).get("id") == gateway["id"]
        for s in fake.collection(req.account, req.region, "subnets").values()
    ):
        raise in_use("public_gateway", "The public gateway is attached to subnets.")
    _deleting(fake, gateway)
    return 204, None


# --- security groups ---------------------------------------------------------------------------------


def _rule(fake: FakeIBM, body: dict[str, Any]) -> dict[str, Any]:
    direction, protocol = body.get("direction"), body.get("protocol")
    if direction not in ("inbound", "outbound"):
        raise ApiError(400, "validation_invalid_direction", "direction must be inbound or outbound", target="direction")
    if protocol not in ("tcp", "udp", "icmp", "any", "icmp_tcp_udp"):
        raise ApiError(400, "validation_invalid_protocol", f"protocol {protocol} is not supported", target="protocol")
    remote = body.get("remote") or {"cidr_block": "0.0.0.0/0"}
    rule: dict[str, Any] = {
        "id": fake.new_id(),
        "direction": direction,
        "protocol": protocol,
        "ip_version": "ipv4",
        "remote": remote,
    }
    if protocol in ("tcp", "udp"):
        low, high = int(body.get("port_min", 1)), int(body.get("port_max", 65535))
        if not 1 <= low <= high <= 65535:
            raise ApiError(400, "validation_invalid_port_range", "port_min must not exceed port_max", target="port_min")
        rule.update(port_min=low, port_max=high)
    return rule


def create_sg(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    groups = fake.collection(req.account, req.region, "security_groups")
    vpc = _vpc_of(fake, req, req.body.get("vpc"))
    name = str(req.body.get("name", ""))
    fake.unique_name(groups, name, scope=lambda item: item["vpc"]["id"] == vpc["id"])
    group = _new(fake, req, "security_groups", "security_group", name)
    group.update(vpc=ref(vpc), rules=[_rule(fake, rule) for rule in req.body.get("rules", [])], targets=[])
    groups[group["id"]] = group
    return 201, fake.public(group)


def delete_sg(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    groups = fake.collection(req.account, req.region, "security_groups")
    group = fake.lookup(groups, req.params["id"], "Security group")
    if group.get("_default"):
        raise ApiError(409, "security_group_default", "The default security group of a VPC cannot be deleted.")
    if group["targets"]:
        raise in_use("security_group", "The security group has targets (network interfaces or load balancers).")
    groups.pop(group["id"])
    return 204, None


def add_rule(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    group = fake.lookup(fake.collection(req.account, req.region, "security_groups"), req.params["id"], "Security group")
    rule = _rule(fake, req.body)
    group["rules"].append(rule)
    return 201, rule


def delete_rule(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    group = fake.lookup(fake.collection(req.account, req.region, "security_groups"), req.params["id"], "Security group")
    if not any(rule["id"] == req.params["rule"] for rule in group["rules"]):
        raise not_found("Security group rule", req.params["rule"])
    group["rules"] = [rule for rule in group["rules"] if rule["id"] != req.params["rule"]]
    return 204, None


# --- keys --------------------------------------------------------------------------------------------


def create_key(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    keys = fake.collection(req.account, req.region, "keys")
    name = str(req.body.get("name", ""))
    fake.unique_name(keys, name)
    public_key = str(req.body.get("public_key", "")).strip()
    parts = public_key.split()
    try:
        blob = base64.b64decode(parts[1], validate=True) if len(parts) >= 2 and parts[0] == "ssh-rsa" else b""
    except ValueError:
        blob = b""
    if not blob:
        raise ApiError(400, "key_invalid_public_key", "The public key is not a valid SSH RSA key.", target="public_key")
    fingerprint = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    if any(key["fingerprint"] == fingerprint for key in keys.values()):
        raise ApiError(
            400, "key_duplicate_fingerprint", "A key with this fingerprint already exists.", target="public_key"
        )
    key = _new(fake, req, "keys", "key", name)
    key.update(public_key=" ".join(parts[:2]), fingerprint=fingerprint, type="rsa", length=2048)
    keys[key["id"]] = key
    return 201, fake.public(key)


def delete_key(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    keys = fake.collection(req.account, req.region, "keys")
    fake.lookup(keys, req.params["id"], "Key")
    keys.pop(req.params["id"])
    return 204, None
