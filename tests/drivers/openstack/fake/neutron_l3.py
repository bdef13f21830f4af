"""Neutron routers (with their interfaces) and floating IPs; shapes and errors: see neutron.py.

A router interface is a port on the subnet's gateway address (device_owner
network:router_interface); a floating IP on a port needs a router with a gateway on the external
network and an interface on the port's subnet, else 404 `ExternalGatewayForFloatingIPNotFound`
(networking api-ref, "Routers" and "Floating IPs").
"""

from __future__ import annotations

from tests.drivers.openstack.fake.neutron import bind_fip, get, new_port, next_ip, ports_of, stamp
from tests.drivers.openstack.fake.server import FakeOpenStack, Reply, Request, neutron_error

BASE = "/v2.0"


def register(fake: FakeOpenStack) -> None:
    fake.route("network", "POST", f"{BASE}/routers", lambda req: _create_router(fake, req))
    fake.route(
        "network",
        "PUT",
        f"{BASE}/routers/(?P<id>[^/?]+)/add_router_interface",
        lambda req: _router_interface(fake, req, add=True),
    )
    fake.route(
        "network",
        "PUT",
        f"{BASE}/routers/(?P<id>[^/?]+)/remove_router_interface",
        lambda req: _router_interface(fake, req, add=False),
    )
    fake.route("network", "POST", f"{BASE}/floatingips", lambda req: _create_fip(fake, req))


def _create_router(fake: FakeOpenStack, req: Request) -> Reply:
    body = req.body.get("router", {})
    gateway = body.get("external_gateway_info")
    if gateway:
        get(fake, req.region, "networks", str(gateway.get("network_id", "")))
    router_id = fake.new_id()
    router = stamp(
        fake,
        {
            "id": router_id,
            "name": body.get("name", ""),
            "status": "ACTIVE",
            "external_gateway_info": gateway,
            "admin_state_up": True,
            "project_id": req.project,
            "routes": [],
        },
    )
    fake.coll(req.region, "routers")[router_id] = router
    return 201, {"router": router}


def _router_interface(fake: FakeOpenStack, req: Request, *, add: bool) -> Reply:
    router = get(fake, req.region, "routers", req.params["id"])
    subnet_id = str(req.body.get("subnet_id", ""))
    subnet = get(fake, req.region, "subnets", subnet_id)
    ports = [
        p
        for p in ports_of(fake, req.region, device_id=router["id"], device_owner="network:router_interface")
        if p["fixed_ips"][0]["subnet_id"] == subnet_id
    ]
    if add:
        if ports:
            raise neutron_error(
                400, "BadRequest", f"Bad router request: Router already has a port on subnet {subnet_id}."
            )
        port = new_port(
            fake,
            req,
            network_id=subnet["network_id"],
            subnet_id=subnet_id,
            ip=subnet["gateway_ip"],
            device_id=router["id"],
            device_owner="network:router_interface",
            security_groups=[],
        )
        return {
            "id": router["id"],
            "subnet_id": subnet_id,
            "subnet_ids": [subnet_id],
            "port_id": port["id"],
            "network_id": subnet["network_id"],
            "tenant_id": req.project,
            "project_id": req.project,
        }
    if not ports:
        raise neutron_error(
            404, "RouterInterfaceNotFoundForSubnet", f"Router {router['id']} has no interface on subnet {subnet_id}"
        )
    fake.coll(req.region, "ports").pop(ports[0]["id"])
    return {"id": router["id"], "subnet_id": subnet_id, "port_id": ports[0]["id"], "network_id": subnet["network_id"]}


def _create_fip(fake: FakeOpenStack, req: Request) -> Reply:
    body = req.body.get("floatingip", {})
    net = get(fake, req.region, "networks", str(body.get("floating_network_id", "")))
    if not net.get("router:external"):
        raise neutron_error(
            400, "BadRequest", f"Bad floatingip request: Network {net['id']} is not a valid external network."
        )
    port_id = body.get("port_id")
    if port_id:
        port = get(fake, req.region, "ports", port_id)
        subnet_id = port["fixed_ips"][0]["subnet_id"]
        routed = any(
            r.get("external_gateway_info")
            and ports_of(fake, req.region, device_id=r["id"])
            and any(p["fixed_ips"][0]["subnet_id"] == subnet_id for p in ports_of(fake, req.region, device_id=r["id"]))
            for r in fake.coll(req.region, "routers").values()
        )
        if not routed:
            raise neutron_error(
                404,
                "ExternalGatewayForFloatingIPNotFound",
                f"External network {net['id']} is not "
                f"reachable from subnet {subnet_id}.  Therefore, cannot associate Port {port_id} "
                "with a Floating IP.",
            )
    fip_id = fake.new_id()
    fip = stamp(
        fake,
        {
            "id": fip_id,
            "floating_network_id": net["id"],
            "router_id": None,
            "status": "DOWN",
            "floating_ip_address": next_ip(fake, req.region, net["subnets"][0]),
            "port_id": None,
            "fixed_ip_address": None,
            "project_id": req.project,
        },
    )
    if port_id:
        bind_fip(fake, req.region, fip, port_id)
    fake.coll(req.region, "floatingips")[fip_id] = fip
    return 201, {"floatingip": fip}
