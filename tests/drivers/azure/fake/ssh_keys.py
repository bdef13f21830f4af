"""SSH public keys (Microsoft.Compute/sshPublicKeys): get, list by group, create (synchronous, 200 or
201), delete (200, or 204 when absent) and the generateKeyPair action, allowed once per key, answering
the private key as a PEM with CRLF line ends and the public key in ssh-rsa format.

Real Azure generates 3072-bit keys; the fake makes 2048-bit ones to keep the tests quick.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.drivers.azure.fake import resource_groups
from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok

KEYS = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/sshPublicKeys"
KEY = KEYS + "/{sshPublicKeyName}"
KEY_TYPE = "Microsoft.Compute/sshPublicKeys"
NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,78}[A-Za-z0-9_])?$")
KEY_BITS = 2048


def register(fake: FakeAzure) -> None:
    fake.arm("GET", KEYS, _list)
    fake.arm("GET", KEY, _get)
    fake.arm("PUT", KEY, _put)
    fake.arm("DELETE", KEY, _delete)
    fake.arm("POST", KEY + "/generateKeyPair", _generate)


def key_id(fake: FakeAzure, group: str, name: str) -> str:
    return f"{resource_groups.group_id(fake, group)}/providers/{KEY_TYPE}/{name}"


def find(fake: FakeAzure, group: str, name: str) -> dict[str, Any] | None:
    return fake.resources.get(key_id(fake, group, name).lower())


def _group(fake: FakeAzure, request: Request) -> tuple[str, Response | None]:
    name = request.args["resourceGroupName"]
    group = resource_groups.find(fake, name)
    if group is None:
        return name, error(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")
    return str(group["name"]), None


def _not_found(name: str, group: str) -> Response:
    return error(
        404, "ResourceNotFound", f"The Resource '{KEY_TYPE}/{name}' under resource group '{group}' was not found."
    )


def _list(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    prefix = f"{resource_groups.group_id(fake, group)}/providers/{KEY_TYPE}/".lower()
    found = [
        copy.deepcopy(b) for k, b in fake.resources.items() if k.startswith(prefix) and "/" not in k[len(prefix) :]
    ]
    return fake.page(request, sorted(found, key=lambda body: str(body["name"]).lower()))


def _get(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    name = request.args["sshPublicKeyName"]
    body = find(fake, group, name)
    return ok(copy.deepcopy(body)) if body is not None else _not_found(name, group)


def _put(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    name = request.args["sshPublicKeyName"]
    if not NAME.match(name):
        return error(400, "InvalidParameter", f"The value '{name}' of parameter 'sshPublicKeyName' is invalid.")
    wanted = request.json() or {}
    location = str(wanted.get("location", ""))
    if not location:
        return error(400, "LocationRequired", "The location property is required for this definition.")
    existing = find(fake, group, name)
    ident = str(existing["id"]) if existing else key_id(fake, group, name)
    props = dict(existing["properties"]) if existing else {}
    props.update(wanted.get("properties") or {})
    body: dict[str, Any] = {
        "id": ident,
        "name": str(existing["name"]) if existing else name,
        "type": KEY_TYPE,
        "location": location,
        "properties": props,
    }
    if wanted.get("tags"):
        body["tags"] = dict(wanted["tags"])
    fake.resources[ident.lower()] = body
    return ok(copy.deepcopy(body), 200 if existing else 201)


def _delete(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    body = find(fake, group, request.args["sshPublicKeyName"])
    if body is None:
        return Response(204)
    del fake.resources[str(body["id"]).lower()]
    return Response(200)


def _generate(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    name = request.args["sshPublicKeyName"]
    body = find(fake, group, name)
    if body is None:
        return _not_found(name, group)
    if body["properties"].get("publicKey"):
        return error(
            409, "OperationNotAllowed", f"A key pair was already generated for SSH public key resource '{name}'."
        )
    encryption = str((request.json() or {}).get("encryptionType", "RSA"))
    if encryption != "RSA":
        return error(400, "InvalidParameter", f"Encryption type '{encryption}' is not supported by the fake.")
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    public = f"{public} generated-by-azure"
    body["properties"]["publicKey"] = public
    return ok({"privateKey": private.replace("\n", "\r\n"), "publicKey": public, "id": body["id"]})
