"""Key pairs: `createSSHKeyPair` / `listSSHKeyPairs` / `deleteSSHKeyPair`, by name.

KT Cloud generates the key and answers its private key once; `listSSHKeyPairs` answers the name and
fingerprint only, so the public key (derived from the private key at creation) is kept in the
shared store (`_records`). A key pair has no id besides its name.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization

from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.ktclassic._client import KTClient
from drivers.ktclassic._records import Records
from drivers.types import IID, KeyPairInfo, KeyPairReqInfo


def public_key_of(private_key: str) -> str:
    key = serialization.load_pem_private_key(private_key.encode(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def key_pairs(client: KTClient, name: str = "") -> list[dict[str, Any]]:
    return client.listing("listSSHKeyPairs", "sshkeypair", {"name": name} if name else {})


class KTKeyPairHandler:
    def __init__(self, client: KTClient, records: Records) -> None:
        self._client = client
        self._records = records

    def _info(self, item: dict[str, Any], *, public_key: str = "", private_key: str = "") -> KeyPairInfo:
        name = str(item.get("name", ""))
        return KeyPairInfo(
            iid=IID(name_id=name, system_id=name),
            fingerprint=str(item.get("fingerprint", "")),
            public_key=public_key or str(self._records.read("keys").get(name, "")),
            private_key=private_key,
        )

    def _find(self, iid: IID) -> dict[str, Any] | None:
        name = iid.system_id or iid.name_id
        return next((item for item in key_pairs(self._client, name) if item.get("name") == name), None)

    def create_key_pair(self, *, req: KeyPairReqInfo) -> KeyPairInfo:
        if not req.name:
            raise InvalidRequestError("A key pair needs a name.", field="name")
        if self._find(IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"A key pair named '{req.name}' already exists.", field="name")
        created = self._client.call("createSSHKeyPair", {"name": req.name}, field="name").get("keypair", {})
        private_key = str(created.get("privatekey", ""))
        public_key = public_key_of(private_key)
        self._records.update("keys", lambda keys: keys.__setitem__(req.name, public_key))
        return self._info(created, public_key=public_key, private_key=private_key)

    def list_key_pairs(self) -> list[KeyPairInfo]:
        return [self._info(item) for item in key_pairs(self._client)]

    def get_key_pair(self, *, iid: IID) -> KeyPairInfo:
        item = self._find(iid)
        if item is None:
            raise NotFoundError(f"Key pair '{iid.system_id or iid.name_id}' does not exist.", field="key_pair")
        return self._info(item)

    def delete_key_pair(self, *, iid: IID) -> None:
        item = self._find(iid)
        if item is None:
            return
        name = str(item["name"])
        self._client.call("deleteSSHKeyPair", {"name": name})
        self._records.update("keys", lambda keys: keys.pop(name, None))
