"""Neutron: networks, subnets, routers, ports, security groups and rules, floating IPs, tags.

Shapes and errors from the networking api-ref (v2.0): 404 `NetworkNotFound`/`SubnetNotFound`/
`PortNotFound`/`SecurityGroupNotFound`/`RouterNotFound`; 409 `NetworkInUse` ("Unable to complete
operation on network X. There are one or more ports still in use on the network."), `SubnetInUse`,
`SecurityGroupInUse`, `RouterInUse`, `SecurityGroupRuleExists`; 400 `InvalidCIDR`/`BadRequest`
for a subnet outside sane bounds. A new security group holds the two default egress rules
(IPv4 and IPv6, any protocol). Tags (standard-attr-tag): PUT .../tags replaces, PUT .../tags/{t}
adds, DELETE .../tags/{t} removes.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from tests.drivers.openstack.fake.server import FakeOpenStack, Reply, Request, neutron_error

EXTERNAL_NET = "public"
EXTERNAL_CIDR = "203.0.113.0/24"
NAMES = {
    "networks": "Network",
    "subnets": "Subnet",
    "routers": "Router",
    "ports": "Port",
    "security-groups": "SecurityGroup",
    "floatingips": "FloatingIP",
}
SINGULAR = {
    "networks": "network",
    "subnets": "subnet",
    "routers": "router",
    "ports": "port",
    "security-groups": "security_group",
    "floatingips": "floatingip",
}
LIST_QUERY = {
    "networks": frozenset({"name", "id", "router:external", "tags", "limit", "marker"}),
    "subnets": frozenset({"name", "network_id", "id", "tags", "limit", "marker"}),
    "routers": frozenset({"name", "id", "tags", "limit", "marker"}),
    "ports": frozenset({"network_id", "device_id", "device_owner", "name", "fixed_ips", "limit", "marker"}),
    "security-groups": frozenset({"name", "id", "tags", "limit", "marker", "project_id"}),
    "floatingips": frozenset({"port_id", "floating_network_id", "floating_ip_address", "limit", "marker"}),
}
LIST_QUERY = {kind: query | {"project_id"} for kind, query in LIST_QUERY.items()}
TAGGABLE = ("networks", "subnets", "routers", "ports", "security-groups", "floatingips")


def register(fake: FakeOpenStack) -> None:
    for region in fake.layout.regions:
        _seed(fake, region)
    base = "/v2.0"
    for kind in NAMES:
        fake.route("network", "GET", f"{base}/{kind}", lambda req, k=kind: _list(fake, req, k), query=LIST_QUERY[kind])
        fake.route("network", "GET", f"{base}/{kind}/(?P<id>[^/?]+)", lambda req, k=kind: _show(fake, req, k))
        fake.route("network", "DELETE", f"{base}/{kind}/(?P<id>[^/?]+)", lambda req, k=kind: _delete(fake, req, k))
        fake.route("network", "PUT", f"{base}/{kind}/(?P<id>[^/?]+)", lambda req, k=kind: _update(fake, req, k))
    fake.route("network", "POST", f"{base}/networks", lambda req: _create_network(fake, req))
    fake.route("network", "POST", f"{base}/subnets", lambda req: _create_subnet(fake, req))
    fake.route("network", "POST", f"{base}/ports", lambda req: _create_port(fake, req))
    for kind in TAGGABLE:
        fake.route("network", "PUT", f"{base}/{kind}/(?P<id>[^/?]+)/tags", lambda req, k=kind: _set_tags(fake, req, k))
        fake.route(
            "network",
            "PUT",
            f"{base}/{kind}/(?P<id>[^/?]+)/tags/(?P<tag>[^/?]+)",
            lambda req, k=kind: _tag(fake, req, k, add=True),
        )
        fake.route(
            "network",
            "DELETE",
            f"{base}/{kind}/(?P<id>[^/?]+)/tags/(?P<tag>[^/?]+)",
            lambda req, k=kind: _tag(fake, req, k, add=False),
        )


def _seed(fake: FakeOpenStack, region: str) -> None:
    net_id, subnet_id = fake.new_id(), fake.new_id()
    fake.coll(region, "networks")[net_id] = stamp(
        fake,
        {
            "id": net_id,
            "name": EXTERNAL_NET,
            "router:external": True,
            "shared": True,
            "status": "ACTIVE",
            "subnets": [subnet_id],
            "admin_state_up": True,
            "project_id": "admin",
            "mtu": 1500,
        },
    )
    fake.coll(region, "subnets")[subnet_id] = stamp(
        fake,
        {
            "id": subnet_id,
            "name": "public-subnet",
            "network_id": net_id,
            "cidr": EXTERNAL_CIDR,
            "ip_version": 4,
            "gateway_ip": "203.0.113.1",
            "enable_dhcp": False,
            "project_id": "admin",
            "allocation_pools": [{"start": "203.0.113.10", "end": "203.0.113.250"}],
        },
    )


def stamp(fake: FakeOpenStack, item: dict[str, Any]) -> dict[str, Any]:
    now = fake.now()
    item.setdefault("tags", [])
    item.setdefault("description", "")
    item.update({"created_at": now, "updated_at": now, "revision_number": 1})
    item.setdefault("tenant_id", item.get("project_id"))
    return item


def not_found(kind: str, ident: str) -> Exception:
    name = NAMES[kind]
    label = {"SecurityGroup": "Security group", "FloatingIP": "Floating IP"}.get(name, name)
    return neutron_error(404, f"{name}NotFound", f"{label} {ident} could not be found.")


def get(fake: FakeOpenStack, region: str, kind: str, ident: str) -> dict[str, Any]:
    item = fake.find(region, kind, ident)
    if item is None:
        raise not_found(kind, ident)
    return item


def _visible(item: dict[str, Any], project: str) -> bool:
    return item.get("project_id") in (project, "admin") and (
        item.get("project_id") == project or item.get("shared") or item.get("router:external")
    )


def _list(fake: FakeOpenStack, req: Request, kind: str) -> Reply:
    items = [i for i in fake.coll(req.region, kind).values() if _visible(i, req.project)]
    for key in (
        "name",
        "id",
        "network_id",
        "device_id",
        "device_owner",
        "port_id",
        "floating_network_id",
        "project_id",
    ):
        if key in req.query:
            items = [i for i in items if str(i.get(key)) in req.query[key]]
    if "router:external" in req.query:
        want = req.q("router:external").lower() == "true"
        items = [i for i in items if bool(i.get("router:external")) == want]
    if "tags" in req.query:
        wanted = set(req.q("tags").split(","))
        items = [i for i in items if wanted <= set(i["tags"])]
    return {kind.replace("-", "_"): items}


def _show(fake: FakeOpenStack, req: Request, kind: str) -> Reply:
    item = get(fake, req.region, kind, req.params["id"])
    if not _visible(item, req.project):
        raise not_found(kind, req.params["id"])
    return {SINGULAR[kind]: item}


def _update(fake: FakeOpenStack, req: Request, kind: str) -> Reply:
    item = get(fake, req.region, kind, req.params["id"])
    changes = req.body.get(SINGULAR[kind], {})
    for key in ("name", "description", "port_id", "external_gateway_info", "admin_state_up"):
        if key in changes:
            item[key] = changes[key]
    if kind == "floatingips" and "port_id" in changes:
        bind_fip(fake, req.region, item, changes["port_id"])
    item["revision_number"] += 1
    return {SINGULAR[kind]: item}


def ports_of(fake: FakeOpenStack, region: str, **match: str) -> list[dict[str, Any]]:
    return [p for p in fake.coll(region, "ports").values() if all(p.get(k) == v for k, v in match.items())]


def _delete(fake: FakeOpenStack, req: Request, kind: str) -> Reply:
    ident = req.params["id"]
    item = get(fake, req.region, kind, ident)
    region = req.region
    if kind == "networks":
        busy = [p for p in ports_of(fake, region, network_id=ident) if p["device_owner"] != "network:dhcp"]
        if busy:
            raise neutron_error(
                409,
                "NetworkInUse",
                f"Unable to complete operation on network {ident}. There are "
                "one or more ports still in use on the network.",
            )
        for subnet in item["subnets"]:
            fake.coll(region, "subnets").pop(subnet, None)
    if kind == "subnets":
        busy = [
            p
            for p in fake.coll(region, "ports").values()
            if any(ip["subnet_id"] == ident for ip in p["fixed_ips"]) and p["device_owner"] != "network:dhcp"
        ]
        if busy:
            raise neutron_error(
                409,
                "SubnetInUse",
                f"Unable to complete operation on subnet {ident}: One or more "
                "ports have an IP allocation from this subnet.",
            )
        net = fake.find(region, "networks", item["network_id"])
        if net:
            net["subnets"].remove(ident)
    if kind == "routers" and ports_of(fake, region, device_id=ident, device_owner="network:router_interface"):
        raise neutron_error(409, "RouterInUse", f"Router {ident} still has ports")
    if kind == "security-groups":
        using = [p for p in fake.coll(region, "ports").values() if ident in p["security_groups"]]
        if using:
            raise neutron_error(409, "SecurityGroupInUse", f"Security Group {ident} in use.")
    if kind == "ports":
        for fip in fake.coll(region, "floatingips").values():
            if fip["port_id"] == ident:
                bind_fip(fake, region, fip, None)
    fake.coll(region, kind).pop(ident)
    return None


def _create_network(fake: FakeOpenStack, req: Request) -> Reply:
    body = req.body.get("network", {})
    net_id = fake.new_id()
    net = stamp(
        fake,
        {
            "id": net_id,
            "name": body.get("name", ""),
            "status": "ACTIVE",
            "subnets": [],
            "description": body.get("description", ""),
            "admin_state_up": body.get("admin_state_up", True),
            "shared": False,
            "router:external": False,
            "project_id": req.project,
            "mtu": 1450,
        },
    )
    fake.coll(req.region, "networks")[net_id] = net
    return 201, {"network": net}


def _create_subnet(fake: FakeOpenStack, req: Request) -> Reply:
    body = req.body.get("subnet", {})
    net = get(fake, req.region, "networks", str(body.get("network_id", "")))
    try:
        cidr = ipaddress.ip_network(str(body.get("cidr", "")), strict=True)
    except ValueError:
        raise neutron_error(
            400,
            "BadRequest",
            f"Invalid input for cidr. Reason: '{body.get('cidr')}' isn't a "
            "recognized IP subnet cidr, '{...}' is recommended.",
        ) from None
    for other_id in net["subnets"]:
        other = fake.coll(req.region, "subnets")[other_id]
        if cidr.overlaps(ipaddress.ip_network(other["cidr"])):
            raise neutron_error(
                400,
                "BadRequest",
                f"Invalid input for operation: Requested subnet with cidr: "
                f"{cidr} for network: {net['id']} overlaps with another subnet.",
            )
    subnet_id = fake.new_id()
    hosts = list(cidr.hosts())
    subnet = stamp(
        fake,
        {
            "id": subnet_id,
            "name": body.get("name", ""),
            "network_id": net["id"],
            "cidr": str(cidr),
            "ip_version": body.get("ip_version", 4),
            "gateway_ip": str(hosts[0]),
            "enable_dhcp": True,
            "allocation_pools": [{"start": str(hosts[1]), "end": str(hosts[-1])}],
            "project_id": req.project,
            "dns_nameservers": body.get("dns_nameservers", []),
            "_next": 2,
        },
    )
    fake.coll(req.region, "subnets")[subnet_id] = subnet
    net["subnets"].append(subnet_id)
    return 201, {"subnet": _public(subnet)}


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def next_ip(fake: FakeOpenStack, region: str, subnet_id: str) -> str:
    subnet = get(fake, region, "subnets", subnet_id)
    index = subnet.setdefault("_next", 2)
    subnet["_next"] = index + 1
    return str(list(ipaddress.ip_network(subnet["cidr"]).hosts())[index])


def new_port(
    fake: FakeOpenStack,
    req: Request,
    *,
    network_id: str,
    subnet_id: str,
    ip: str = "",
    device_id: str = "",
    device_owner: str = "",
    security_groups: list[str],
    name: str = "",
) -> dict[str, Any]:
    port_id = fake.new_id()
    port = stamp(
        fake,
        {
            "id": port_id,
            "name": name,
            "network_id": network_id,
            "status": "ACTIVE" if device_id else "DOWN",
            "fixed_ips": [{"subnet_id": subnet_id, "ip_address": ip or next_ip(fake, req.region, subnet_id)}],
            "device_id": device_id,
            "device_owner": device_owner,
            "security_groups": security_groups,
            "mac_address": f"fa:16:3e:{fake.seq() % 256:02x}:{0x10:02x}:{0x20:02x}",
            "admin_state_up": True,
            "project_id": req.project,
        },
    )
    fake.coll(req.region, "ports")[port_id] = port
    return port


def _create_port(fake: FakeOpenStack, req: Request) -> Reply:
    body = req.body.get("port", {})
    net = get(fake, req.region, "networks", str(body.get("network_id", "")))
    fixed = body.get("fixed_ips") or [{"subnet_id": net["subnets"][0]}]
    subnet_id = str(fixed[0].get("subnet_id", ""))
    if subnet_id not in net["subnets"]:
        raise neutron_error(
            400,
            "InvalidInput",
            f"Invalid input for operation: Failed to create port on network "
            f"{net['id']}, because fixed_ips included invalid subnet {subnet_id}.",
        )
    groups = body.get("security_groups")
    if groups is None:
        groups = [
            sg["id"]
            for sg in fake.coll(req.region, "security-groups").values()
            if sg["name"] == "default" and sg["project_id"] == req.project
        ][:1]
    for group in groups:
        get(fake, req.region, "security-groups", group)
    port = new_port(
        fake,
        req,
        network_id=net["id"],
        subnet_id=subnet_id,
        ip=str(fixed[0].get("ip_address", "")),
        device_id=body.get("device_id", ""),
        device_owner=body.get("device_owner", ""),
        security_groups=list(groups),
        name=body.get("name", ""),
    )
    return 201, {"port": port}


def bind_fip(fake: FakeOpenStack, region: str, fip: dict[str, Any], port_id: str | None) -> None:
    if port_id:
        port = get(fake, region, "ports", port_id)
        fip.update(port_id=port_id, fixed_ip_address=port["fixed_ips"][0]["ip_address"], status="ACTIVE")
    else:
        fip.update(port_id=None, fixed_ip_address=None, status="DOWN")


def _set_tags(fake: FakeOpenStack, req: Request, kind: str) -> Reply:
    item = get(fake, req.region, kind, req.params["id"])
    item["tags"] = list(dict.fromkeys(req.body.get("tags", [])))
    return {"tags": item["tags"]}


def _tag(fake: FakeOpenStack, req: Request, kind: str, *, add: bool) -> Reply:
    item = get(fake, req.region, kind, req.params["id"])
    tag = req.params["tag"]
    if add:
        if tag not in item["tags"]:
            item["tags"].append(tag)
        return 201, None
    if tag not in item["tags"]:
        raise neutron_error(404, "TagNotFound", f"Tag {tag} could not be found for {SINGULAR[kind]} {item['id']}.")
    item["tags"].remove(tag)
    return None
