"""Public IP addresses (Microsoft.Network): create or update, get, list and delete, as operations.

A Standard address is static and gets its address at once; the NIC using it shows in `ipConfiguration`.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.drivers.azure.fake import arm_crud
from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error

PIP_TYPE = "Microsoft.Network/publicIPAddresses"
NIC_TYPE = "Microsoft.Network/networkInterfaces"
PIPS = arm_crud.PROVIDER + "/" + PIP_TYPE
PIP = PIPS + "/{publicIpAddressName}"
NAMESPACE = "Microsoft.Network"


def register(fake: FakeAzure) -> None:
    fake.public_ip_seq = 0
    fake.arm("GET", PIPS, lambda f, r: arm_crud.listed(f, r, PIP_TYPE, lambda body: view(f, body)))
    fake.arm("GET", PIP, _get)
    fake.arm("PUT", PIP, _put)
    fake.arm("DELETE", PIP, _delete)


def user_of(fake: FakeAzure, pip_id: str) -> str:
    """The id of the NIC IP configuration using the address, or ''."""
    for nic in arm_crud.of_type(fake, NIC_TYPE):
        for config in nic["properties"].get("ipConfigurations") or []:
            used = ((config.get("properties") or {}).get("publicIPAddress") or {}).get("id", "")
            if str(used).lower() == pip_id.lower():
                return f"{nic['id']}/ipConfigurations/{config.get('name', 'ipconfig1')}"
    return ""


def view(fake: FakeAzure, body: dict[str, Any]) -> dict[str, Any]:
    shown = copy.deepcopy(body)
    user = user_of(fake, body["id"])
    if user:
        shown["properties"]["ipConfiguration"] = {"id": user}
    return shown


def _get(fake: FakeAzure, request: Request) -> Response:
    body, missing = arm_crud.lookup(fake, request, PIP_TYPE, "publicIpAddressName")
    if body is None:
        assert missing is not None
        return missing
    return Response(200, view(fake, body))


def _put(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    name = request.args["publicIpAddressName"]
    wanted = request.json() or {}
    if not wanted.get("location"):
        return error(400, "LocationRequired", "The location property is required for this definition.")
    existing = arm_crud.find(fake, arm_crud.resource_id(fake, group, PIP_TYPE, name))
    sku = str((wanted.get("sku") or {}).get("name", "Basic"))
    properties = dict(wanted.get("properties") or {})
    if sku == "Standard" and properties.get("publicIPAllocationMethod", "Static") != "Static":
        return error(
            400,
            "StandardSkuPublicIPAddressesMustBeStatic",
            f"Standard sku publicIp /subscriptions/.../{name} must have AllocationMethod set to Static.",
        )
    if existing is not None:
        address = existing["properties"]["ipAddress"]
    else:
        fake.public_ip_seq += 1
        address = f"20.41.{fake.public_ip_seq // 250}.{fake.public_ip_seq % 250 + 4}"
    body = arm_crud.new_body(
        fake,
        group,
        PIP_TYPE,
        name,
        wanted,
        {
            "provisioningState": "Updating",
            "resourceGuid": "7f2d9c1e-4b3a-4e8f-9a6d-2c1b0e5f8a73",
            "publicIPAddressVersion": properties.get("publicIPAddressVersion", "IPv4"),
            "publicIPAllocationMethod": properties.get("publicIPAllocationMethod", "Static"),
            "idleTimeoutInMinutes": 4,
            "ipAddress": address,
            **({"deleteOption": properties["deleteOption"]} if properties.get("deleteOption") else {}),
        },
    )
    body["sku"] = {"name": sku, "tier": "Regional"}
    fake.resources[body["id"].lower()] = body

    def done() -> None:
        body["properties"]["provisioningState"] = "Succeeded"

    return arm_crud.changed(fake, view(fake, body), NAMESPACE, done, 200 if existing else 201)


def _delete(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    rid = arm_crud.resource_id(fake, group, PIP_TYPE, request.args["publicIpAddressName"])
    body = arm_crud.find(fake, rid)
    user = user_of(fake, rid) if body is not None else ""
    if user:
        # Azure's code and words for an address still on a NIC or a load balancer's frontend
        # (https://learn.microsoft.com/en-us/azure/virtual-network/ip-services/remove-public-ip-address-vm,
        # terraform-provider-azurerm and azure-cli issue threads quote the same answer).
        return error(
            400,
            "PublicIPAddressCannotBeDeleted",
            f"Public IP address {rid} can not be deleted since it is still allocated to resource {user}. In order "
            "to delete the public IP, disassociate/detach the Public IP address from the resource.",
        )
    return arm_crud.deleted(fake, body, NAMESPACE, lambda: fake.resources.pop(rid.lower(), None))
