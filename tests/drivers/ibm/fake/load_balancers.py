"""Network load balancers (profile `network-fixed`) with one listener, pool and members.

The rules modelled (VPC API reference, "Load balancers"; docs "About Network Load Balancer"):
- a load balancer starts `create_pending` and becomes `active`; every change (listener, pool,
  members) puts it `update_pending` for a while, and a change asked for while it is not `active` is
  refused with 409; a delete goes `delete_pending`, then it is gone;
- a network load balancer takes exactly one subnet; its members target instances by id, on the
  pool's port; health monitors are tcp, http or https with 2-60 s delay, 1-59 s timeout below the
  delay, 1-10 retries;
- member health starts `unknown` and settles to `ok` while the target instance runs (the fake does not
  model the probes themselves), `faulted` otherwise.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.ibm.fake.network import ref
from tests.drivers.ibm.fake.server import ApiError, FakeIBM, Request, not_found

LB = r"/load_balancers/(?P<id>[^/]+)"
POOL = LB + r"/pools/(?P<pool>[^/]+)"


def register(fake: FakeIBM) -> None:
    fake.route("GET", r"/load_balancers", lambda req: _list(fake, req), query=frozenset({"limit", "start"}))
    fake.route("POST", r"/load_balancers", lambda req: create(fake, req))
    fake.route("GET", LB, lambda req: (200, fake.public(_lb(fake, req))))
    fake.route("DELETE", LB, lambda req: delete(fake, req))
    fake.route("GET", LB + r"/listeners/(?P<listener>[^/]+)", lambda req: (200, _listener(fake, req)))
    fake.route("PATCH", LB + r"/listeners/(?P<listener>[^/]+)", lambda req: update_listener(fake, req))
    fake.route("GET", POOL, lambda req: (200, _pool_view(_pool(fake, req))))
    fake.route("PATCH", POOL, lambda req: update_pool(fake, req))
    fake.route("GET", POOL + r"/members", lambda req: (200, {"members": _members(fake, req)}))
    fake.route("POST", POOL + r"/members", lambda req: add_member(fake, req))
    fake.route("PUT", POOL + r"/members", lambda req: replace_members(fake, req))
    fake.route("DELETE", POOL + r"/members/(?P<member>[^/]+)", lambda req: delete_member(fake, req))


def _col(fake: FakeIBM, req: Request, kind: str) -> dict[str, dict[str, Any]]:
    return fake.collection(req.account, req.region, kind)


def _list(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    return 200, fake.page(req, "load_balancers", list(_col(fake, req, "load_balancers").values()), "load_balancers")


def _lb(fake: FakeIBM, req: Request) -> dict[str, Any]:
    return fake.lookup(_col(fake, req, "load_balancers"), req.params["id"], "Load balancer")


def _changing(fake: FakeIBM, lb: dict[str, Any]) -> None:
    """Refuse a change unless the load balancer is active; start the change's update_pending."""
    if lb["provisioning_status"] != "active":
        raise ApiError(
            409,
            "load_balancer_update_conflict",
            f"The load balancer is {lb['provisioning_status']}; retry when active.",
        )
    lb["provisioning_status"] = "update_pending"
    fake.settle_later(lb, "provisioning_status", "active")


def _monitor(body: Any) -> dict[str, Any]:
    monitor = dict(body or {})
    if monitor.get("type") not in ("tcp", "http", "https"):
        raise ApiError(400, "validation_invalid_health_monitor_type", "type must be tcp, http or https")
    delay, timeout, retries = (
        int(monitor.get("delay", 0)),
        int(monitor.get("timeout", 0)),
        int(monitor.get("max_retries", 0)),
    )
    if not (2 <= delay <= 60 and 1 <= timeout <= 59 and timeout < delay and 1 <= retries <= 10):
        raise ApiError(
            400, "validation_invalid_health_monitor", "delay 2-60, timeout 1-59 and below delay, max_retries 1-10"
        )
    return monitor


def _member(fake: FakeIBM, req: Request, body: dict[str, Any], lb: dict[str, Any]) -> dict[str, Any]:
    target = str((body.get("target") or {}).get("id", ""))
    instance = _col(fake, req, "instances").get(target)
    if instance is None:
        raise not_found("Instance", target)
    member = {
        "id": fake.new_id(),
        "port": int(body.get("port", 0)),
        "target": {"id": instance["id"], "name": instance["name"], "crn": instance["crn"]},
        "weight": 50,
        "health": "unknown",
        "provisioning_status": "active",
        "created_at": fake.now(),
    }
    fake.settle_later(member, "health", "ok")
    fake.nested.append(member)
    return member


def create(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    balancers = _col(fake, req, "load_balancers")
    body = req.body
    name = str(body.get("name", ""))
    fake.unique_name(balancers, name)
    profile = str((body.get("profile") or {}).get("name", "application"))
    subnets = [fake.lookup(_col(fake, req, "subnets"), str(s.get("id", "")), "Subnet") for s in body.get("subnets", [])]
    if profile.startswith("network") and len(subnets) != 1:
        raise ApiError(400, "network_load_balancer_subnets", "A network load balancer takes exactly one subnet.")
    ident = fake.new_id()
    lb: dict[str, Any] = {
        "id": ident,
        "crn": fake.crn(req.account, req.region, "load-balancer", ident),
        "href": fake.href(req.region, f"load_balancers/{ident}"),
        "name": name,
        "hostname": f"{ident[5:13]}-{req.region}.lb.appdomain.cloud",
        "is_public": bool(body.get("is_public")),
        "profile": {"name": profile, "family": "network" if profile.startswith("network") else "application"},
        "provisioning_status": "create_pending",
        "operating_status": "offline",
        "subnets": [ref(s) for s in subnets],
        "public_ips": [{"address": f"150.240.{len(balancers) + 1}.10"}] if body.get("is_public") else [],
        "private_ips": [{"address": str(subnets[0]["ipv4_cidr_block"]).rsplit(".", 1)[0] + ".200"}] if subnets else [],
        "created_at": fake.now(),
        "resource_type": "load_balancer",
        "_pools": {},
        "_listeners": {},
    }
    by_name: dict[str, str] = {}
    for pool_body in body.get("pools", []):
        pool = {
            "id": fake.new_id(),
            "name": str(pool_body.get("name", "")),
            "algorithm": str(pool_body.get("algorithm", "round_robin")),
            "protocol": str(pool_body.get("protocol", "tcp")),
            "health_monitor": _monitor(pool_body.get("health_monitor")),
            "provisioning_status": "active",
            "_members": [],
        }
        pool["_members"] = [_member(fake, req, m, lb) for m in pool_body.get("members", [])]
        lb["_pools"][pool["id"]] = pool
        by_name[pool["name"]] = pool["id"]
    for listener_body in body.get("listeners", []):
        pool_name = str((listener_body.get("default_pool") or {}).get("name", ""))
        if pool_name and pool_name not in by_name:
            raise ApiError(400, "load_balancer_pool_not_found", f"Pool {pool_name} is not in the request.")
        listener = {
            "id": fake.new_id(),
            "protocol": str(listener_body.get("protocol", "tcp")),
            "port": int(listener_body.get("port", 0)),
            "provisioning_status": "active",
        }
        if pool_name:
            listener["default_pool"] = {"id": by_name[pool_name], "name": pool_name}
        lb["_listeners"][listener["id"]] = listener
    lb["listeners"] = [{"id": key} for key in lb["_listeners"]]
    lb["pools"] = [{"id": key, "name": pool["name"]} for key, pool in lb["_pools"].items()]
    fake.settle_later(lb, "provisioning_status", "active", then=lambda: lb.update(operating_status="online"))
    balancers[ident] = lb
    return 201, fake.public(lb)


def delete(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    lb = _lb(fake, req)
    if lb["provisioning_status"] == "delete_pending":
        return 204, None
    if lb["provisioning_status"] != "active":
        raise ApiError(409, "load_balancer_update_conflict", "The load balancer is not active; retry when it is.")
    lb["provisioning_status"] = "delete_pending"
    lb["_settle"] = []
    fake.settle_later(lb, "provisioning_status", None)
    return 204, None


def _listener(fake: FakeIBM, req: Request) -> dict[str, Any]:
    listener = _lb(fake, req)["_listeners"].get(req.params["listener"])
    if listener is None:
        raise not_found("Listener", req.params["listener"])
    return dict(listener)


def update_listener(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    lb = _lb(fake, req)
    listener = _listener(fake, req)
    _changing(fake, lb)
    stored = lb["_listeners"][listener["id"]]
    if "port" in req.body:
        stored["port"] = int(req.body["port"])
    if "protocol" in req.body:
        stored["protocol"] = str(req.body["protocol"])
    return 200, dict(stored)


def _pool(fake: FakeIBM, req: Request) -> dict[str, Any]:
    pool = _lb(fake, req)["_pools"].get(req.params["pool"])
    if pool is None:
        raise not_found("Pool", req.params["pool"])
    return pool


def _pool_view(pool: dict[str, Any]) -> dict[str, Any]:
    view = {key: value for key, value in pool.items() if not key.startswith("_")}
    view["members"] = [{"id": member["id"]} for member in pool["_members"]]
    return view


def _members(fake: FakeIBM, req: Request) -> list[dict[str, Any]]:
    instances = _col(fake, req, "instances")
    members = []
    for member in _pool(fake, req)["_members"]:
        view = fake.public(member)
        instance = instances.get(member["target"]["id"])
        if view["health"] != "unknown" and (instance is None or instance["status"] != "running"):
            view["health"] = "faulted"
        members.append(view)
    return members


def update_pool(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    lb, pool = _lb(fake, req), _pool(fake, req)
    _changing(fake, lb)
    if "health_monitor" in req.body:
        pool["health_monitor"] = _monitor({**pool["health_monitor"], **req.body["health_monitor"]})
    return 200, _pool_view(pool)


def add_member(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    lb, pool = _lb(fake, req), _pool(fake, req)
    member = _member(fake, req, req.body, lb)
    if any(m["target"]["id"] == member["target"]["id"] and m["port"] == member["port"] for m in pool["_members"]):
        raise ApiError(409, "load_balancer_pool_member_duplicate", "The member already exists in the pool.")
    _changing(fake, lb)
    pool["_members"].append(member)
    return 201, fake.public(member)


def replace_members(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    lb, pool = _lb(fake, req), _pool(fake, req)
    members = [_member(fake, req, body, lb) for body in req.body.get("members", [])]
    _changing(fake, lb)
    pool["_members"] = members
    return 202, {"members": [fake.public(m) for m in members]}


def delete_member(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    lb, pool = _lb(fake, req), _pool(fake, req)
    if not any(m["id"] == req.params["member"] for m in pool["_members"]):
        raise not_found("Member", req.params["member"])
    _changing(fake, lb)
    pool["_members"] = [m for m in pool["_members"] if m["id"] != req.params["member"]]
    return 204, None
