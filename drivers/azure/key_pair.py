"""Key pairs are SSH public key resources (Microsoft.Compute/sshPublicKeys) in the connection's
resource group. Azure generates the pair (`generateKeyPair`, RSA 3072 bits) and keeps only the public
half: the private key is in the answer to create and nowhere else.

Azure records no fingerprint; Spiderweb's is OpenSSH's (SHA256 of the public key, base64).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
from collections.abc import Mapping
from typing import Any

from azure.mgmt.compute.models import SshPublicKeyResource

from drivers.azure._common import as_json
from drivers.azure._compute import fetch, name_in_group
from drivers.azure._errors import translate
from drivers.azure._session import AzureSession
from drivers.azure._vpc_checks import SSH_KEY_NAME_MAX, check_name, check_tags, user_tags
from drivers.errors import AlreadyExistsError, DependencyError, DriverError, InvalidStateError, NotFoundError
from drivers.types import IID, KeyPairInfo, KeyPairReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "key_pair": (
        "A key pair is an Azure SSH public key resource; Azure generates an RSA pair and keeps only the public key."
    ),
}

SSH_KEY_TYPE = "Microsoft.Compute/sshPublicKeys"
# The login user Spiderweb puts the key on when it starts a VM (the same on every cloud).
VM_USER = "cb-user"


def fingerprint(public_key: str) -> str:
    """OpenSSH's SHA256 fingerprint of a public key line ('' when it is not one)."""
    parts = public_key.split()
    if len(parts) < 2:
        return ""
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return ""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def key_pair_info(key: Mapping[str, Any], *, private_key: str = "") -> KeyPairInfo:
    public_key = str((key.get("properties") or {}).get("publicKey") or "").strip()
    extra = {"location": str(key.get("location", "")), "key_type": public_key.split(" ", 1)[0] if public_key else ""}
    return KeyPairInfo(
        iid=IID(name_id=str(key["name"]), system_id=str(key.get("id", ""))),
        fingerprint=fingerprint(public_key),
        public_key=public_key,
        private_key=private_key,
        vm_user_id=VM_USER,
        tags=user_tags(key.get("tags")),
        extra={k: v for k, v in extra.items() if v},
    )


def find_key(session: AzureSession, iid: IID) -> dict[str, Any] | None:
    """The SSH public key an IID names in the connection's group: by ARM id when it has one, else by name."""
    name = name_in_group(session, iid, SSH_KEY_TYPE)
    if name is None:
        return None
    return fetch(lambda: session.compute().ssh_public_keys.get(session.resource_group(), name))


def public_key_of(session: AzureSession, iid: IID) -> tuple[IID, str]:
    """The key pair's IID (with its ARM id) and public key line, for putting it on a VM."""
    key = find_key(session, iid)
    if key is None:
        raise NotFoundError(f"Key pair '{iid.system_id or iid.name_id}' does not exist.", field="key_pair_iid")
    info = key_pair_info(key)
    if not info.public_key:
        raise InvalidStateError(
            f"Key pair '{info.iid.name_id}' has no public key (its generation did not finish).", field="key_pair_iid"
        )
    return info.iid, info.public_key


class AzureKeyPairHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    def create_key_pair(self, *, req: KeyPairReqInfo) -> KeyPairInfo:
        check_name(req.name, what="key pair", limit=SSH_KEY_NAME_MAX)
        tags = check_tags(req.tags)
        group = self._session.resource_group()
        existing = find_key(self._session, IID(name_id=req.name))
        if existing is not None:
            raise AlreadyExistsError(
                f"A key pair named '{req.name}' already exists ({existing.get('id')}).", field="name"
            )
        keys = self._session.compute().ssh_public_keys
        with translate(field="name"):
            created = as_json(
                keys.create(group, req.name, SshPublicKeyResource({"location": self._session.region, "tags": tags}))
            )
        try:
            with translate():
                generated = as_json(keys.generate_key_pair(group, req.name, {"encryptionType": "RSA"}))
        except DriverError:
            # A key resource without a key is of no use, and its name would block a retry.
            with contextlib.suppress(DriverError), translate():
                keys.delete(group, req.name)
            raise
        # Azure sends the PEM with CRLF line ends; OpenSSH reads either, files conventionally use LF.
        private_key = str(generated.get("privateKey", "")).replace("\r\n", "\n")
        properties = {**(created.get("properties") or {}), "publicKey": str(generated.get("publicKey", ""))}
        return key_pair_info({**created, "properties": properties}, private_key=private_key)

    def list_key_pairs(self) -> list[KeyPairInfo]:
        group = self._session.resource_group()
        with translate():
            keys = [as_json(key) for key in self._session.compute().ssh_public_keys.list_by_resource_group(group)]
        return sorted((key_pair_info(key) for key in keys), key=lambda info: info.iid.name_id.lower())

    def get_key_pair(self, *, iid: IID) -> KeyPairInfo:
        key = find_key(self._session, iid)
        if key is None:
            raise NotFoundError(f"Key pair '{iid.system_id or iid.name_id}' does not exist.")
        return key_pair_info(key)

    def delete_key_pair(self, *, iid: IID) -> None:
        key = find_key(self._session, iid)
        if key is None:
            return
        # Imported here: the cluster module builds on this one. AKS keeps a copy of the key, so Azure
        # would let it go while the cluster still logs its new nodes in with it.
        from drivers.azure._aks import clusters_using

        clusters = clusters_using(self._session, key_pair=str(key["name"]))
        if clusters:
            raise DependencyError(f"Key pair '{key['name']}' is used by clusters: {', '.join(clusters)}.")
        group = self._session.resource_group()
        # VMs keep their own copy of the public key, so deleting the resource leaves them as they are.
        with contextlib.suppress(NotFoundError), translate():
            self._session.compute().ssh_public_keys.delete(group, str(key["name"]))
