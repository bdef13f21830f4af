"""Key pairs: SSH keys of the region. IBM imports a public key and never makes one, so the driver
generates an RSA key pair, imports its public half (`POST /keys`) and hands back the private key once.

VMs are given the key through cloud-init for the login user cb-user (see vm.py), as IBM's images log
in as root otherwise.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.ibm._common import attach_tags, check_name, check_tags, ident, iid_of, missing, read_tags
from drivers.ibm._errors import translate
from drivers.ibm._session import IBMClients, result
from drivers.types import IID, KeyPairInfo, KeyPairReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "key_pair": "An RSA-2048 key made by Spiderweb, its public half imported as an IBM Cloud SSH key; "
    "login user cb-user.",
}
KEY_BITS = 2048
VM_USER = "cb-user"


def new_key_pair() -> tuple[str, str]:
    """(private key PEM, OpenSSH public key) of a fresh RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return private, public


def find_key(clients: IBMClients, iid: IID) -> dict[str, Any] | None:
    if iid.system_id:
        return clients.get_or_none(clients.vpc.get_key, id=iid.system_id)
    return clients.find(clients.vpc.list_keys, "keys", name_or_id=ident(iid))


def key_info(clients: IBMClients, key: dict[str, Any], private_key: str = "") -> KeyPairInfo:
    return KeyPairInfo(
        iid=iid_of(key),
        fingerprint=str(key.get("fingerprint", "")),
        public_key=str(key.get("public_key", "")),
        private_key=private_key,
        vm_user_id=VM_USER,
        tags=read_tags(clients, str(key.get("crn", ""))),
        extra={"type": str(key.get("type", "")), "length": str(key.get("length", "")), "crn": str(key.get("crn", ""))},
    )


class IBMKeyPairHandler:
    def __init__(self, clients: IBMClients) -> None:
        self._clients = clients

    def create_key_pair(self, *, req: KeyPairReqInfo) -> KeyPairInfo:
        clients = self._clients
        check_name(req.name, what="Key pair")
        tag_names = check_tags(req.tags)
        if find_key(clients, IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Key pair '{req.name}' already exists.", field="name")
        private, public = new_key_pair()
        with translate(field="name"):
            key = result(clients.vpc.create_key(public_key=public, name=req.name, type="rsa"))
        attach_tags(clients, str(key.get("crn", "")), tag_names)
        return key_info(clients, key, private)

    def list_key_pairs(self) -> list[KeyPairInfo]:
        clients = self._clients
        return [key_info(clients, key) for key in clients.list_all(clients.vpc.list_keys, "keys")]

    def get_key_pair(self, *, iid: IID) -> KeyPairInfo:
        key = find_key(self._clients, iid)
        if key is None:
            raise missing("Key pair", iid)
        return key_info(self._clients, key)

    def delete_key_pair(self, *, iid: IID) -> None:
        key = find_key(self._clients, iid)
        if key is not None:
            with contextlib.suppress(NotFoundError), translate():
                self._clients.vpc.delete_key(id=key["id"])
