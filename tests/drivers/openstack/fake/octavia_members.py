"""Octavia pool members (shapes, timing and errors: see octavia.py).

A member's `operating_status` is NO_MONITOR while its pool has no health monitor, else ONLINE when
the server holding its address is ACTIVE and ERROR otherwise (security groups are not consulted:
see docs/drivers-openstack.md). Its port is not updatable (MemberPUT); a second member with the
same address and port is 409.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.openstack.fake.octavia import BASE, LIST_QUERY, base, busy, clean, coll, get, server_active
from tests.drivers.openstack.fake.server import FakeOpenStack, Reply, Request, octavia_error


def register(fake: FakeOpenStack) -> None:
    r = fake.route
    r(
        "load-balancer",
        "GET",
        f"{BASE}/pools/(?P<pool>[^/?]+)/members",
        lambda req: {"members": [_member_view(fake, req.region, m) for m in _members(fake, req)]},
        root=True,
        query=LIST_QUERY,
    )
    r(
        "load-balancer",
        "POST",
        f"{BASE}/pools/(?P<pool>[^/?]+)/members",
        lambda req: _create_member(fake, req),
        root=True,
    )
    r(
        "load-balancer",
        "GET",
        f"{BASE}/pools/(?P<pool>[^/?]+)/members/(?P<id>[^/?]+)",
        lambda req: {"member": _member_view(fake, req.region, _member(fake, req))},
        root=True,
    )
    r(
        "load-balancer",
        "PUT",
        f"{BASE}/pools/(?P<pool>[^/?]+)/members/(?P<id>[^/?]+)",
        lambda req: _update_member(fake, req),
        root=True,
    )
    r(
        "load-balancer",
        "DELETE",
        f"{BASE}/pools/(?P<pool>[^/?]+)/members/(?P<id>[^/?]+)",
        lambda req: _delete_member(fake, req),
        root=True,
    )


def _member_view(fake: FakeOpenStack, region: str, member: dict[str, Any]) -> dict[str, Any]:
    view = clean(member)
    pool = coll(fake, region, "pools").get(member["_pool"], {})
    if not pool.get("healthmonitor_id"):
        view["operating_status"] = "NO_MONITOR"
    else:
        view["operating_status"] = "ONLINE" if server_active(fake, region, member["address"]) else "ERROR"
    return view


def _members(fake: FakeOpenStack, req: Request) -> list[dict[str, Any]]:
    pool = get(fake, req, "pools", ident=req.params["pool"], poll=True)
    return [m for m in coll(fake, req.region, "members").values() if m["_pool"] == pool["id"]]


def _member(fake: FakeOpenStack, req: Request) -> dict[str, Any]:
    get(fake, req, "pools", ident=req.params["pool"])
    member = coll(fake, req.region, "members").get(req.params["id"])
    if member is None or member["_pool"] != req.params["pool"]:
        raise octavia_error(404, f"Member {req.params['id']} not found.")
    return member


def _create_member(fake: FakeOpenStack, req: Request) -> Reply:
    pool = get(fake, req, "pools", ident=req.params["pool"])
    body = req.body.get("member", {})
    for existing in coll(fake, req.region, "members").values():
        if (
            existing["_pool"] == pool["id"]
            and existing["address"] == body.get("address")
            and existing["protocol_port"] == body.get("protocol_port")
        ):
            raise octavia_error(
                409,
                f"Duplicate member found for pool {pool['id']}: address "
                f"{body.get('address')} and protocol_port {body.get('protocol_port')}",
            )
    lb = coll(fake, req.region, "loadbalancers")[pool["_lb"]]
    busy(fake, req.region, lb)
    member = base(fake, req, body, pool["_lb"])
    member.update(
        address=body.get("address"),
        protocol_port=body.get("protocol_port"),
        subnet_id=body.get("subnet_id"),
        weight=body.get("weight", 1),
        backup=False,
        monitor_port=body.get("monitor_port"),
        monitor_address=None,
        _pool=pool["id"],
    )
    coll(fake, req.region, "members")[member["id"]] = member
    pool["members"].append({"id": member["id"]})
    return 201, {"member": _member_view(fake, req.region, member)}


def _update_member(fake: FakeOpenStack, req: Request) -> Reply:
    member = _member(fake, req)
    body = req.body.get("member", {})
    unknown = sorted(
        set(body) - {"name", "weight", "monitor_port", "monitor_address", "tags", "admin_state_up", "backup"}
    )
    if unknown:
        raise octavia_error(400, f"Invalid input for field/attribute {unknown[0]}.")
    busy(fake, req.region, coll(fake, req.region, "loadbalancers")[member["_lb"]])
    member.update(body)
    return {"member": _member_view(fake, req.region, member)}


def _delete_member(fake: FakeOpenStack, req: Request) -> Reply:
    member = _member(fake, req)
    busy(fake, req.region, coll(fake, req.region, "loadbalancers")[member["_lb"]])
    member["provisioning_status"] = "PENDING_DELETE"
    return 204, None
