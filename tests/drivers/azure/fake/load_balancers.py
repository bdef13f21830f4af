"""Load balancers (Microsoft.Network/loadBalancers, Standard SKU): get, list, create or update and delete
as operations, and the per-rule health of the backend addresses (POST .../loadBalancingRules/{rule}/health).

Child resources get their ARM ids and references are checked as ARM does (a rule's frontend, pool and
probe must be the load balancer's own; a public IP or VNet must exist). A backend address is Up when a
network interface of a running VM holds it (`fake.vm_power`, kept by vms.py), else Down.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.drivers.azure.fake import arm_crud
from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok

LB_TYPE = "Microsoft.Network/loadBalancers"
LBS = arm_crud.PROVIDER + "/" + LB_TYPE
LB = LBS + "/{loadBalancerName}"
NAMESPACE = "Microsoft.Network"
_CHILDREN = ("frontendIPConfigurations", "backendAddressPools", "probes", "loadBalancingRules")


def register(fake: FakeAzure) -> None:
    fake.arm("GET", LBS, lambda f, r: arm_crud.listed(f, r, LB_TYPE))
    fake.arm("GET", LB, _get)
    fake.arm("PUT", LB, _put)
    fake.arm("DELETE", LB, _delete)
    fake.arm("POST", LB + "/loadBalancingRules/{ruleName}/health", _health)


def _get(fake: FakeAzure, request: Request) -> Response:
    body, missing = arm_crud.lookup(fake, request, LB_TYPE, "loadBalancerName")
    return ok(copy.deepcopy(body)) if body is not None else missing  # type: ignore[return-value]


def _invalid(message: str) -> Response:
    return error(400, "InvalidResourceReference", message)


def _put(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    name = request.args["loadBalancerName"]
    rid = arm_crud.resource_id(fake, group, LB_TYPE, name)
    existing = arm_crud.find(fake, rid)
    wanted = request.json() or {}
    if (wanted.get("sku") or {}).get("name") != "Standard":
        return error(400, "InvalidParameter", "Only the Standard SKU is modelled here.")
    properties: dict[str, Any] = copy.deepcopy(dict(wanted.get("properties") or {}))
    for kind in _CHILDREN:
        for child in properties.setdefault(kind, []):
            child["id"] = f"{rid}/{kind}/{child['name']}"
            child.setdefault("properties", {})["provisioningState"] = "Succeeded"
    for frontend in properties["frontendIPConfigurations"]:
        props = frontend["properties"]
        pip = str((props.get("publicIPAddress") or {}).get("id", ""))
        subnet = str((props.get("subnet") or {}).get("id", ""))
        if pip and arm_crud.find(fake, pip) is None:
            return _invalid(f"Resource {pip} referenced by resource {rid} was not found.")
        if subnet and arm_crud.find(fake, subnet.split("/subnets/")[0]) is None:
            return _invalid(f"Resource {subnet} referenced by resource {rid} was not found.")
        if subnet:
            props.setdefault("privateIPAddress", "10.20.1.100")
    for pool in properties["backendAddressPools"]:
        for address in pool["properties"].get("loadBalancerBackendAddresses") or []:
            vnet = str(((address.get("properties") or {}).get("virtualNetwork") or {}).get("id", ""))
            if arm_crud.find(fake, vnet) is None:
                return _invalid(f"Resource {vnet} referenced by resource {rid} was not found.")
    own = {str(child["id"]).lower() for kind in _CHILDREN for child in properties[kind]}
    for rule in properties["loadBalancingRules"]:
        props = rule["properties"]
        for ref in ("frontendIPConfiguration", "backendAddressPool", "probe"):
            target = str((props.get(ref) or {}).get("id", ""))
            if target.lower() not in own:
                return _invalid(f"Resource {target} referenced by resource {rule['id']} was not found.")
        for port in ("frontendPort", "backendPort"):
            if not 1 <= int(props.get(port) or 0) <= 65535:
                return error(400, "InvalidParameter", f"The {port} of rule {rule['name']} must be 1 to 65535.")
    for probe in properties["probes"]:
        if int(probe["properties"].get("intervalInSeconds") or 0) < 5:
            return error(400, "InvalidParameter", f"Probe {probe['name']}: intervalInSeconds must be 5 or more.")
    properties["provisioningState"] = "Updating"
    body = arm_crud.new_body(fake, group, LB_TYPE, str(existing["name"]) if existing else name, wanted, properties)
    fake.resources[rid.lower()] = body

    def done() -> None:
        body["properties"]["provisioningState"] = "Succeeded"

    return arm_crud.changed(fake, body, NAMESPACE, done, 200 if existing else 201)


def _delete(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    rid = arm_crud.resource_id(fake, group, LB_TYPE, request.args["loadBalancerName"])
    return arm_crud.deleted(fake, arm_crud.find(fake, rid), NAMESPACE, lambda: fake.resources.pop(rid.lower(), None))


def _running_addresses(fake: FakeAzure) -> dict[str, str]:
    """Private address -> NIC IP configuration id, for the NICs of running VMs."""
    power: dict[str, str] = getattr(fake, "vm_power", {})
    found = {}
    for nic in arm_crud.of_type(fake, "Microsoft.Network/networkInterfaces"):
        vm = str((nic["properties"].get("virtualMachine") or {}).get("id", "")).lower()
        if not vm or power.get(vm, "running") != "running":
            continue
        for config in nic["properties"].get("ipConfigurations") or []:
            found[str(config["properties"].get("privateIPAddress", ""))] = str(config.get("id", ""))
    return found


def _health(fake: FakeAzure, request: Request) -> Response:
    """POST .../loadBalancingRules/{rule}/health: Azure answers 202 + Location and the health at that
    Location once gathered (azure-mgmt-network's begin_health accepts 200 or 202 and reads the end of
    the Location poll: https://learn.microsoft.com/en-us/rest/api/load-balancer/load-balancer-load-balancing-rules/health)."""
    body, missing = arm_crud.lookup(fake, request, LB_TYPE, "loadBalancerName")
    if body is None:
        return missing  # type: ignore[return-value]
    rule = next((r for r in body["properties"]["loadBalancingRules"] if r["name"] == request.args["ruleName"]), None)
    if rule is None:
        return error(404, "NotFound", f"Load balancing rule {request.args['ruleName']} was not found.")
    pool_id = str(rule["properties"]["backendAddressPool"]["id"]).lower()
    pool = next(p for p in body["properties"]["backendAddressPools"] if str(p["id"]).lower() == pool_id)
    return Response(202, None, fake.begin_location(result=lambda: _rule_health(fake, pool)))


def _rule_health(fake: FakeAzure, pool: dict[str, Any]) -> dict[str, Any]:
    running = _running_addresses(fake)
    addresses = []
    for address in pool["properties"].get("loadBalancerBackendAddresses") or []:
        ip = str(address["properties"].get("ipAddress", ""))
        up = ip in running
        entry = {"ipAddress": ip, "state": "Up" if up else "Down", "reason": "Up" if up else "Probe failed"}
        if up:
            entry["networkInterfaceIPConfigurationId"] = running[ip]
        addresses.append(entry)
    return {
        "up": sum(1 for a in addresses if a["state"] == "Up"),
        "down": sum(1 for a in addresses if a["state"] == "Down"),
        "loadBalancerBackendAddresses": addresses,
    }
