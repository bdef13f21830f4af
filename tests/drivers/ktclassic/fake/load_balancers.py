"""Load balancers of the fake KT Cloud, on the load balancer API (`/loadbalancer/v1|v2/client/api`).

Commands and parameters are those of KT Cloud's Python SDK (`loadbalancer.py`: createLoadBalancer,
listLoadBalancers, updateLoadBalancer, deleteLoadBalancer, addLoadBalancerWebServer,
listLoadBalancerWebServers, removeLoadBalancerWebServer) and the Go SDK CB-Spider uses (`nlb.go`:
answer shapes, `serviceip` to put a service on an existing address). They answer at once, without
jobs. A web server is added by the VM's public address and port; its health is the data-plane
rule: `UP` when the VM is running and a packet from the load balancer's service address to that
port gets through the VM's forwarding and firewall rules (`network.reachable`), else `DOWN`.
"""

from __future__ import annotations

from tests.drivers.ktclassic.fake.catalogue import zone
from tests.drivers.ktclassic.fake.compute import vm_of
from tests.drivers.ktclassic.fake.network import reachable
from tests.drivers.ktclassic.fake.server import Answer, FakeKT, missing, param_error

_OPTIONS = ("roundrobin", "leastconnection", "leastresponse", "sourceiphash", "srcipsrcporthash")


def _lb(fake: FakeKT, lb_id: str, command: str) -> Answer:
    lb = fake.table("lbs").get(lb_id)
    if lb is None:
        raise missing(command, "loadbalancerid", lb_id)
    return lb


def _check_health(args: dict[str, str]) -> None:
    check = args.get("healthchecktype", "").lower()
    if check not in ("tcp", "http", "https"):
        raise param_error(f"Invalid healthchecktype {check}: http, https or tcp")
    if check in ("http", "https") and not args.get("healthcheckurl"):
        raise param_error("healthcheckurl is required when healthchecktype is http or https")
    if args.get("loadbalanceroption") not in _OPTIONS:
        raise param_error(f"Invalid loadbalanceroption {args.get('loadbalanceroption')}")


def create_load_balancer(fake: FakeKT, args: dict[str, str]) -> Answer:
    zone_id = args.get("zoneid", "")
    zone(zone_id)
    name = args.get("name", "")
    if not name or any(lb["name"] == name for lb in fake.table("lbs").values()):
        raise param_error(f"The load balancer name {name} is empty or already in use")
    _check_health(args)
    if args.get("servicetype") not in ("https", "http", "sslbridge", "tcp", "ftp"):
        raise param_error(f"Invalid servicetype {args.get('servicetype')}")
    port = args.get("serviceport", "")
    if not port.isdigit():
        raise param_error("serviceport is required")
    vip = args.get("serviceip", "")
    if vip:
        on_vip = [lb for lb in fake.table("lbs").values() if lb["serviceip"] == vip]
        if not on_vip:
            raise param_error(f"Invalid serviceip {vip}: not an address of this account")
        if any(lb["serviceport"] == port for lb in on_vip):
            raise param_error(f"Service port {port} is already used on {vip}")
    else:
        number = next(fake.ids)
        vip = f"14.63.{number // 250 % 250}.{number % 250 + 1}"
    lb_id = str(19870 + next(fake.ids))
    lb = {
        "loadbalancerid": int(lb_id),
        "name": name,
        "zoneid": zone_id,
        "zonename": zone(zone_id)["name"],
        "serviceip": vip,
        "serviceport": port,
        "servicetype": args["servicetype"],
        "loadbalanceroption": args["loadbalanceroption"],
        "healthchecktype": args["healthchecktype"],
        "healthcheckurl": args.get("healthcheckurl", ""),
        "state": "UP",
    }
    fake.table("lbs")[lb_id] = lb
    return {**lb, "loadbalancerid": lb_id}


def list_load_balancers(fake: FakeKT, args: dict[str, str]) -> Answer:
    items = [
        dict(lb)
        for lb in fake.table("lbs").values()
        if (not args.get("zoneid") or lb["zoneid"] == args["zoneid"])
        and (not args.get("loadbalancerid") or str(lb["loadbalancerid"]) == args["loadbalancerid"])
        and (not args.get("name") or lb["name"] == args["name"])
    ]
    return {"count": len(items), "loadbalancer": items}


def update_load_balancer(fake: FakeKT, args: dict[str, str]) -> Answer:
    lb = _lb(fake, args.get("loadbalancerid", ""), "updateLoadBalancer")
    _check_health(args)
    lb.update(
        {k: args[k] for k in ("loadbalanceroption", "healthchecktype", "healthcheckurl", "servicetype") if k in args}
    )
    return dict(lb)


def delete_load_balancer(fake: FakeKT, args: dict[str, str]) -> Answer:
    lb = _lb(fake, args.get("loadbalancerid", ""), "deleteLoadBalancer")
    del fake.table("lbs")[str(lb["loadbalancerid"])]
    for service_id, server in list(fake.table("webservers").items()):
        if server["loadbalancerid"] == lb["loadbalancerid"]:
            del fake.table("webservers")[service_id]
    return {"success": True, "displaytext": "deleted"}


def add_load_balancer_web_server(fake: FakeKT, args: dict[str, str]) -> Answer:
    command = "addLoadBalancerWebServer"
    lb = _lb(fake, args.get("loadbalancerid", ""), command)
    vm = vm_of(fake, args.get("virtualmachineid", ""), command, "virtualmachineid")
    address, port = args.get("ipaddress", ""), args.get("publicport", "")
    if not any(ip["ipaddress"] == address for ip in fake.table("ips").values()) or not port.isdigit():
        raise param_error(f"Invalid ipaddress {address} or publicport {port}: a public address and port of the VM")
    if any(
        s["loadbalancerid"] == lb["loadbalancerid"] and s["virtualmachineid"] == vm["id"]
        for s in fake.table("webservers").values()
    ):
        raise param_error(f"VM {vm['name']} is already a web server of load balancer {lb['name']}")
    service_id = 180000 + next(fake.ids)
    fake.table("webservers")[str(service_id)] = {
        "serviceid": service_id,
        "loadbalancerid": lb["loadbalancerid"],
        "virtualmachineid": vm["id"],
        "ipaddress": address,
        "publicport": port,
    }
    return {"serviceid": service_id, "loadbalancerid": str(lb["loadbalancerid"]), "virtualmachineid": vm["id"]}


def list_load_balancer_web_servers(fake: FakeKT, args: dict[str, str]) -> Answer:
    lb = _lb(fake, args.get("loadbalancerid", ""), "listLoadBalancerWebServers")
    items = []
    for server in fake.table("webservers").values():
        if server["loadbalancerid"] != lb["loadbalancerid"]:
            continue
        vm = fake.table("vms").get(server["virtualmachineid"])
        up = (
            vm is not None
            and vm["state"] == "Running"
            and reachable(
                fake, vm_name=vm["name"], protocol="tcp", port=int(server["publicport"]), source=lb["serviceip"]
            )
        )
        items.append({**server, "state": "UP" if up else "DOWN", "cursrvrconnections": 0})
    return {"count": len(items), "loadbalancerwebserver": items}


def remove_load_balancer_web_server(fake: FakeKT, args: dict[str, str]) -> Answer:
    service_id = args.get("serviceid", "")
    if fake.table("webservers").pop(service_id, None) is None:
        raise missing("removeLoadBalancerWebServer", "serviceid", service_id)
    return {"success": True, "displaytext": "removed"}


def register(fake: FakeKT) -> None:
    handlers: dict[str, object] = {
        "createLoadBalancer": create_load_balancer,
        "listLoadBalancers": list_load_balancers,
        "updateLoadBalancer": update_load_balancer,
        "deleteLoadBalancer": delete_load_balancer,
        "addLoadBalancerWebServer": add_load_balancer_web_server,
        "listLoadBalancerWebServers": list_load_balancer_web_servers,
        "removeLoadBalancerWebServer": remove_load_balancer_web_server,
    }
    fake.handlers.update(handlers)  # type: ignore[arg-type]
    fake.lb_commands.update(handlers)
