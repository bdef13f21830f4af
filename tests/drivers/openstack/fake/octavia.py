"""Octavia v2: load balancers with their listeners, pools, members and health monitors.

Shapes from the load-balancer api-ref: every object has `provisioning_status` and
`operating_status`. A new load balancer is PENDING_CREATE for several polls, then ACTIVE; creating,
changing or deleting any child puts it in PENDING_UPDATE for several polls, during which every
other change is refused with 409 "Load Balancer <id> is immutable and cannot be updated." (WSME's
`faultstring`). Listener protocol and port and member port are not updatable (ListenerPUT and
MemberPUT have no such fields). Deleting a load balancer with children needs `cascade=true`, else
400 "Cannot delete Load Balancer <id> - it has children". The VIP is a Neutron port on the VIP
subnet (device_owner "Octavia"); it goes with the load balancer.

Not modelled (see docs/drivers-openstack.md): a member's health follows its server being ACTIVE;
security groups are not consulted for the amphora's probes.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.openstack.fake import neutron
from tests.drivers.openstack.fake.server import FakeOpenStack, Reply, Request, octavia_error

BASE = "/v2(?:\\.0)?/lbaas"
LIST_QUERY = frozenset({"name", "id", "limit", "marker", "project_id", "loadbalancer_id", "tags", "vip_subnet_id"})
KINDS = {"loadbalancers": "loadbalancer", "listeners": "listener", "pools": "pool", "healthmonitors": "healthmonitor"}
IMMUTABLE = "Load Balancer {} is immutable and cannot be updated."


def register(fake: FakeOpenStack) -> None:
    r = fake.route
    for kind, single in KINDS.items():
        r(
            "load-balancer",
            "GET",
            f"{BASE}/{kind}",
            lambda req, k=kind: _list(fake, req, k),
            root=True,
            query=LIST_QUERY,
        )
        r(
            "load-balancer",
            "GET",
            f"{BASE}/{kind}/(?P<id>[^/?]+)",
            lambda req, k=kind, s=single: {s: _view(fake, req.region, k, get(fake, req, k, poll=True))},
            root=True,
        )
        r("load-balancer", "PUT", f"{BASE}/{kind}/(?P<id>[^/?]+)", lambda req, k=kind: _update(fake, req, k), root=True)
        r(
            "load-balancer",
            "DELETE",
            f"{BASE}/{kind}/(?P<id>[^/?]+)",
            lambda req, k=kind: _delete(fake, req, k),
            root=True,
            query=frozenset({"cascade"}),
        )
    r("load-balancer", "POST", f"{BASE}/loadbalancers", lambda req: _create_lb(fake, req), root=True)
    for kind in ("listeners", "pools", "healthmonitors"):
        r("load-balancer", "POST", f"{BASE}/{kind}", lambda req, k=kind: _create_child(fake, req, k), root=True)


# --- state and timing ----------------------------------------------------------------------------


def coll(fake: FakeOpenStack, region: str, kind: str) -> dict[str, dict[str, Any]]:
    return fake.coll(region, f"octavia-{kind}")


def _tick(fake: FakeOpenStack, region: str, lb: dict[str, Any]) -> None:
    pending = lb.get("_pending")
    if not pending:
        return
    pending[0] -= 1
    if pending[0] > 0:
        return
    lb["_pending"] = None
    if lb["provisioning_status"] == "PENDING_DELETE":
        _remove_lb(fake, region, lb)
        return
    lb.update(provisioning_status="ACTIVE", operating_status="ONLINE")
    for kind in ("listeners", "pools", "healthmonitors", "members"):
        for child in list(coll(fake, region, kind).values()):
            if child["_lb"] == lb["id"]:
                if child["provisioning_status"] == "PENDING_DELETE":
                    coll(fake, region, kind).pop(child["id"])
                    _unlink(fake, region, kind, child)
                else:
                    child["provisioning_status"] = "ACTIVE"


def busy(fake: FakeOpenStack, region: str, lb: dict[str, Any]) -> None:
    """Refuse a change while the load balancer is not ACTIVE; else start one (PENDING_UPDATE)."""
    if lb["provisioning_status"] != "ACTIVE":
        raise octavia_error(409, IMMUTABLE.format(lb["id"]))
    lb["provisioning_status"] = "PENDING_UPDATE"
    lb["_pending"] = [fake.polls_until_done, None]


def _remove_lb(fake: FakeOpenStack, region: str, lb: dict[str, Any]) -> None:
    coll(fake, region, "loadbalancers").pop(lb["id"], None)
    for kind in ("listeners", "pools", "healthmonitors", "members"):
        for child in list(coll(fake, region, kind).values()):
            if child["_lb"] == lb["id"]:
                coll(fake, region, kind).pop(child["id"])
    port = fake.find(region, "ports", lb["vip_port_id"])
    if port is not None:
        for fip in fake.coll(region, "floatingips").values():
            if fip["port_id"] == port["id"]:
                fip.update(port_id=None, fixed_ip_address=None, status="DOWN")
        fake.coll(region, "ports").pop(port["id"])


def _unlink(fake: FakeOpenStack, region: str, kind: str, child: dict[str, Any]) -> None:
    lb = coll(fake, region, "loadbalancers").get(child["_lb"])
    if lb is None:
        return
    key = {"listeners": "listeners", "pools": "pools"}.get(kind)
    if key:
        lb[key] = [ref for ref in lb[key] if ref["id"] != child["id"]]
    if kind == "healthmonitors":
        pool = coll(fake, region, "pools").get(child["pool_id"])
        if pool:
            pool["healthmonitor_id"] = None
    if kind == "members":
        pool = coll(fake, region, "pools").get(child["_pool"])
        if pool:
            pool["members"] = [ref for ref in pool["members"] if ref["id"] != child["id"]]


# --- views ---------------------------------------------------------------------------------------


def clean(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def _view(fake: FakeOpenStack, region: str, kind: str, item: dict[str, Any]) -> dict[str, Any]:
    return clean(item)


def server_active(fake: FakeOpenStack, region: str, address: str) -> bool:
    for port in fake.coll(region, "ports").values():
        if any(ip["ip_address"] == address for ip in port["fixed_ips"]) and port["device_id"]:
            server = fake.find(region, "servers", port["device_id"])
            return server is not None and server["status"] == "ACTIVE"
    return False


def get(fake: FakeOpenStack, req: Request, kind: str, *, poll: bool = False, ident: str = "") -> dict[str, Any]:
    ident = ident or req.params["id"]
    item = coll(fake, req.region, kind).get(ident)
    if item is not None and poll:
        lb = coll(fake, req.region, "loadbalancers").get(item["_lb"])
        if lb is not None:
            _tick(fake, req.region, lb)
        item = coll(fake, req.region, kind).get(ident)
    if item is None or item["project_id"] != req.project:
        label = {
            "loadbalancers": "Load Balancer",
            "listeners": "Listener",
            "pools": "Pool",
            "healthmonitors": "Health Monitor",
            "members": "Member",
        }[kind]
        raise octavia_error(404, f"{label} {ident} not found.")
    return item


def _list(fake: FakeOpenStack, req: Request, kind: str) -> Reply:
    for lb in list(coll(fake, req.region, "loadbalancers").values()):
        _tick(fake, req.region, lb)
    items = [i for i in coll(fake, req.region, kind).values() if i["project_id"] == req.project]
    for key in ("name", "id", "loadbalancer_id", "vip_subnet_id"):
        if key in req.query:
            items = [i for i in items if i.get(key, i.get("_lb")) == req.q(key)]
    return {kind: [_view(fake, req.region, kind, i) for i in items]}


# --- creation ------------------------------------------------------------------------------------


def base(fake: FakeOpenStack, req: Request, body: dict[str, Any], lb_id: str) -> dict[str, Any]:
    now = fake.now()
    return {
        "id": fake.new_id(),
        "name": body.get("name", ""),
        "description": body.get("description", ""),
        "provisioning_status": "PENDING_CREATE",
        "operating_status": "OFFLINE",
        "admin_state_up": True,
        "project_id": req.project,
        "tenant_id": req.project,
        "created_at": now,
        "updated_at": None,
        "tags": list(body.get("tags") or []),
        "_lb": lb_id,
    }


def _create_lb(fake: FakeOpenStack, req: Request) -> Reply:
    body = req.body.get("loadbalancer", {})
    subnet_id = str(body.get("vip_subnet_id", ""))
    subnet = fake.find(req.region, "subnets", subnet_id)
    if subnet is None:
        raise octavia_error(400, f"Validation failure: Subnet {subnet_id} not found.")
    lb = base(fake, req, body, "")
    lb["_lb"] = lb["id"]
    port = neutron.new_port(
        fake,
        req,
        network_id=subnet["network_id"],
        subnet_id=subnet_id,
        device_id=f"lb-{lb['id']}",
        device_owner="Octavia",
        security_groups=[],
        name=f"octavia-lb-{lb['id']}",
    )
    lb.update(
        vip_subnet_id=subnet_id,
        vip_network_id=subnet["network_id"],
        vip_port_id=port["id"],
        vip_address=port["fixed_ips"][0]["ip_address"],
        listeners=[],
        pools=[],
        provider="amphora",
        flavor_id=None,
        availability_zone=None,
        _pending=[fake.polls_until_done, None],
    )
    coll(fake, req.region, "loadbalancers")[lb["id"]] = lb
    return 201, {"loadbalancer": clean(lb)}


def _create_child(fake: FakeOpenStack, req: Request, kind: str) -> Reply:
    body = req.body.get(KINDS[kind], {})
    region = req.region
    if kind == "healthmonitors":
        pool = get(fake, req, "pools", ident=str(body.get("pool_id", "")))
        lb_id = pool["_lb"]
    else:
        lb_id = str(body.get("loadbalancer_id") or "")
        if kind == "pools" and not lb_id and body.get("listener_id"):
            lb_id = get(fake, req, "listeners", ident=str(body["listener_id"]))["_lb"]
    lb = get(fake, req, "loadbalancers", ident=lb_id)
    item = base(fake, req, body, lb_id)
    if kind == "listeners":
        protocol, port = body.get("protocol"), body.get("protocol_port")
        if protocol not in ("TCP", "UDP", "HTTP", "HTTPS", "TERMINATED_HTTPS", "SCTP", "PROMETHEUS"):
            raise octavia_error(400, f"Invalid input for field/attribute protocol. Value: '{protocol}'.")
        if any(coll(fake, region, "listeners")[ref["id"]]["protocol_port"] == port for ref in lb["listeners"]):
            raise octavia_error(409, f"Another Listener on this Load Balancer is already using protocol_port {port}")
        busy(fake, region, lb)
        item.update(
            protocol=protocol,
            protocol_port=port,
            default_pool_id=body.get("default_pool_id"),
            loadbalancers=[{"id": lb_id}],
            connection_limit=-1,
        )
        lb["listeners"].append({"id": item["id"]})
    elif kind == "pools":
        busy(fake, region, lb)
        item.update(
            protocol=body.get("protocol"),
            lb_algorithm=body.get("lb_algorithm", "ROUND_ROBIN"),
            loadbalancers=[{"id": lb_id}],
            listeners=[],
            members=[],
            healthmonitor_id=None,
        )
        if body.get("listener_id"):
            listener = get(fake, req, "listeners", ident=str(body["listener_id"]))
            listener["default_pool_id"] = item["id"]
            item["listeners"] = [{"id": listener["id"]}]
        lb["pools"].append({"id": item["id"]})
    else:
        pool = coll(fake, region, "pools")[str(body["pool_id"])]
        if pool["healthmonitor_id"]:
            raise octavia_error(409, "This pool already has a health monitor")
        kind_ok = body.get("type") in ("TCP", "HTTP", "HTTPS", "PING", "UDP-CONNECT", "TLS-HELLO", "SCTP")
        if not kind_ok:
            raise octavia_error(400, f"Invalid input for field/attribute type. Value: '{body.get('type')}'.")
        if int(body.get("timeout", 0)) > int(body.get("delay", 0)):
            raise octavia_error(
                400, "Validation failure: The timeout value must be less than or equal to the delay value."
            )
        busy(fake, region, lb)
        item.update(
            pool_id=pool["id"],
            type=body["type"],
            delay=body["delay"],
            timeout=body["timeout"],
            max_retries=body["max_retries"],
            max_retries_down=body.get("max_retries_down", 3),
            url_path=body.get("url_path", "/"),
            http_method=body.get("http_method", "GET"),
            expected_codes=body.get("expected_codes", "200"),
            pools=[{"id": pool["id"]}],
        )
        pool["healthmonitor_id"] = item["id"]
    coll(fake, region, kind)[item["id"]] = item
    return 201, {KINDS[kind]: clean(item)}


def _update(fake: FakeOpenStack, req: Request, kind: str) -> Reply:
    item = get(fake, req, kind)
    body = req.body.get(KINDS[kind], {})
    allowed = {
        "loadbalancers": {"name", "description", "tags", "admin_state_up"},
        "listeners": {"name", "description", "tags", "default_pool_id", "connection_limit", "admin_state_up"},
        "pools": {"name", "description", "tags", "lb_algorithm", "admin_state_up"},
        "healthmonitors": {
            "name",
            "delay",
            "timeout",
            "max_retries",
            "max_retries_down",
            "url_path",
            "http_method",
            "expected_codes",
            "tags",
            "admin_state_up",
        },
    }[kind]
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise octavia_error(
            400,
            f"Invalid input for field/attribute {unknown[0]}. Value: '{body[unknown[0]]}'. Mandatory field missing.",
        )
    lb = coll(fake, req.region, "loadbalancers")[item["_lb"]]
    busy(fake, req.region, lb)
    item.update(body)
    item["updated_at"] = fake.now()
    if kind != "loadbalancers":
        item["provisioning_status"] = "PENDING_UPDATE"
    return {KINDS[kind]: clean(item)}


def _delete(fake: FakeOpenStack, req: Request, kind: str) -> Reply:
    item = get(fake, req, kind)
    region = req.region
    lb = coll(fake, region, "loadbalancers")[item["_lb"]]
    if kind == "loadbalancers":
        cascade = req.q("cascade").lower() == "true"
        if (lb["listeners"] or lb["pools"]) and not cascade:
            raise octavia_error(400, f"Cannot delete Load Balancer {lb['id']} - it has children")
        if lb["provisioning_status"] not in ("ACTIVE", "ERROR"):
            raise octavia_error(409, IMMUTABLE.format(lb["id"]))
        lb["provisioning_status"] = "PENDING_DELETE"
        lb["_pending"] = [fake.polls_until_done, None]
        return 204, None
    busy(fake, region, lb)
    item["provisioning_status"] = "PENDING_DELETE"
    return 204, None
