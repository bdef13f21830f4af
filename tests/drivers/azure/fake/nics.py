"""Network interfaces (Microsoft.Network): create or update, get, list and delete, as operations.

A NIC's one IP configuration takes a dynamic private address from its subnet (Azure keeps the first four
of every subnet), and may hold a public IP address; `networkSecurityGroup` is the one NSG Azure allows
per NIC. The VM using it shows in `virtualMachine` (set by vms.py); such a NIC cannot be deleted.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from tests.drivers.azure.fake import arm_crud, vnets
from tests.drivers.azure.fake.public_ips import PIP_TYPE, user_of
from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok

NIC_TYPE = "Microsoft.Network/networkInterfaces"
NICS = arm_crud.PROVIDER + "/" + NIC_TYPE
NIC = NICS + "/{networkInterfaceName}"
NAMESPACE = "Microsoft.Network"
_SUBNET_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/([^/]+)/providers/Microsoft.Network/virtualNetworks/([^/]+)/subnets/([^/]+)$",
    re.IGNORECASE,
)
_RESERVED = 4  # network address, gateway and Azure's two DNS addresses


def register(fake: FakeAzure) -> None:
    fake.arm("GET", NICS, lambda f, r: arm_crud.listed(f, r, NIC_TYPE))
    fake.arm("GET", NIC, _get)
    fake.arm("PUT", NIC, _put)
    fake.arm("DELETE", NIC, _delete)


def subnet(fake: FakeAzure, subnet_id: str) -> dict[str, Any] | None:
    match = _SUBNET_ID.match(subnet_id)
    if match is None:
        return None
    vnet = vnets.find(fake, match.group(1), match.group(2))
    for item in (vnet or {}).get("properties", {}).get("subnets") or []:
        if str(item["name"]).lower() == match.group(3).lower():
            return dict(item)
    return None


def _config_of(nic: dict[str, Any]) -> dict[str, Any]:
    configs = nic["properties"].get("ipConfigurations") or [{}]
    return dict(configs[0].get("properties") or {})


def _free_address(fake: FakeAzure, subnet_id: str, cidr: str, nic_id: str) -> str:
    used = {
        _config_of(nic).get("privateIPAddress")
        for nic in arm_crud.of_type(fake, NIC_TYPE)
        if str(_config_of(nic).get("subnet", {}).get("id", "")).lower() == subnet_id.lower()
        and nic["id"].lower() != nic_id.lower()
    }
    for index, host in enumerate(ipaddress.IPv4Network(cidr).hosts()):
        if index >= _RESERVED - 1 and str(host) not in used:
            return str(host)
    return ""


def _get(fake: FakeAzure, request: Request) -> Response:
    body, missing = arm_crud.lookup(fake, request, NIC_TYPE, "networkInterfaceName")
    return ok(body) if body is not None else missing  # type: ignore[return-value]


def _put(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    name = request.args["networkInterfaceName"]
    rid = arm_crud.resource_id(fake, group, NIC_TYPE, name)
    existing = arm_crud.find(fake, rid)
    wanted = request.json() or {}
    properties = dict(wanted.get("properties") or {})
    configs = properties.get("ipConfigurations") or []
    if len(configs) != 1:
        return error(400, "InvalidRequestFormat", "Exactly one IP configuration is supported here.")
    asked = dict(configs[0].get("properties") or {})
    subnet_id = str((asked.get("subnet") or {}).get("id", ""))
    found = subnet(fake, subnet_id)
    if found is None:
        return error(
            400, "InvalidResourceReference", f"Resource {subnet_id} referenced by resource {rid} was not found."
        )
    nsg_id = str((properties.get("networkSecurityGroup") or {}).get("id", ""))
    if nsg_id and arm_crud.find(fake, nsg_id) is None:
        return error(400, "InvalidResourceReference", f"Resource {nsg_id} referenced by resource {rid} was not found.")
    pip_id = str((asked.get("publicIPAddress") or {}).get("id", ""))
    if pip_id:
        if arm_crud.find(fake, pip_id) is None or PIP_TYPE.lower() not in pip_id.lower():
            return error(
                400, "InvalidResourceReference", f"Resource {pip_id} referenced by resource {rid} was not found."
            )
        user = user_of(fake, pip_id)
        if user and not user.lower().startswith(rid.lower() + "/"):
            return error(
                400, "PublicIPAddressInUse", f"Resource {pip_id} is already in use by {user}; it cannot be reused."
            )
    address = _free_address(fake, subnet_id, str(found["properties"]["addressPrefix"]), rid)
    if not address:
        return error(400, "SubnetIsFull", f"Subnet {found['name']} has no free IP address left.")
    config: dict[str, Any] = {
        "name": str(configs[0].get("name") or "ipconfig1"),
        "id": f"{rid}/ipConfigurations/{configs[0].get('name') or 'ipconfig1'}",
        "properties": {
            "provisioningState": "Succeeded",
            "privateIPAddress": address,
            "privateIPAllocationMethod": "Dynamic",
            "subnet": {"id": subnet_id},
            "primary": True,
            "privateIPAddressVersion": "IPv4",
        },
    }
    if pip_id:
        config["properties"]["publicIPAddress"] = {"id": pip_id}
    new: dict[str, Any] = {
        "provisioningState": "Updating",
        "ipConfigurations": [config],
        "dnsSettings": {"dnsServers": [], "internalDomainNameSuffix": "x1y2z3.gx.internal.cloudapp.net"},
        "enableAcceleratedNetworking": bool(properties.get("enableAcceleratedNetworking", False)),
        "nicType": "Standard",
    }
    if nsg_id:
        new["networkSecurityGroup"] = {"id": nsg_id}
    for key in ("virtualMachine", "macAddress"):
        if existing is not None and key in existing["properties"]:
            new[key] = existing["properties"][key]
    body = arm_crud.new_body(fake, group, NIC_TYPE, name, wanted, new)
    fake.resources[rid.lower()] = body

    def done() -> None:
        body["properties"]["provisioningState"] = "Succeeded"

    return arm_crud.changed(fake, body, NAMESPACE, done, 200 if existing else 201)


def _delete(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    rid = arm_crud.resource_id(fake, group, NIC_TYPE, request.args["networkInterfaceName"])
    body = arm_crud.find(fake, rid)
    if body is not None and body["properties"].get("virtualMachine"):
        vm_id = body["properties"]["virtualMachine"]["id"]
        return error(
            400,
            "NicInUse",
            f"Network Interface {rid} is used by existing resource {vm_id}. In order to delete the "
            "network interface, it must be dissociated from the resource.",
        )
    return arm_crud.deleted(fake, body, NAMESPACE, lambda: remove(fake, rid))


def remove(fake: FakeAzure, rid: str) -> None:
    fake.resources.pop(rid.lower(), None)


def public_ip_of(nic: dict[str, Any]) -> str:
    return str((_config_of(nic).get("publicIPAddress") or {}).get("id", ""))
