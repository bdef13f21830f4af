"""Key pairs (CVM CreateKeyPair, DescribeKeyPairs, DeleteKeyPairs, ModifyKeyPairAttribute).

Tencent key pair names take letters, digits and underscores only, at most 25 characters. A name
outside that ("key-01") is created under a cloud name with the other characters as underscores
("key_01"), and the name asked for is kept in the key pair's description, from which it reads back.
Tencent returns no fingerprint: it is the MD5 of the public key, as `ssh-keygen -E md5 -l` prints it.
DeleteKeyPairs succeeds but keeps a key pair that an instance still uses; the handler checks and
reports it as in use.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, NotFoundError
from drivers.tencent._session import TencentClients, tags_of
from drivers.types import IID, KeyPairInfo, KeyPairReqInfo

_NAME_MARK = re.compile(r"^spiderweb name=(.+)$")
_ALLOWED = re.compile(r"[^A-Za-z0-9_]")
MAX_NAME = 25


def cloud_name(name: str) -> str:
    """The KeyName Tencent accepts for `name`."""
    return _ALLOWED.sub("_", name)


def fingerprint(public_key: str) -> str:
    try:
        blob = base64.b64decode(public_key.split()[1])
    except (IndexError, binascii.Error):
        return ""
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[index : index + 2] for index in range(0, len(digest), 2))


def key_name(key: dict[str, Any]) -> str:
    mark = _NAME_MARK.match(str(key.get("Description") or ""))
    return mark.group(1) if mark else str(key["KeyName"])


def find_key(clients: TencentClients, iid: IID) -> dict[str, Any] | None:
    if iid.system_id:
        filters = [{"Name": "key-id", "Values": [iid.system_id]}]
    elif iid.name_id:
        filters = [{"Name": "key-name", "Values": [cloud_name(iid.name_id)]}]
    else:
        return None
    for key in clients.pages("cvm", "DescribeKeyPairs", {"Filters": filters}, "KeyPairSet"):
        if key["KeyId"] == iid.system_id or (not iid.system_id and key_name(key) in (iid.name_id, key["KeyName"])):
            return dict(key)
    return None


def key_info(key: dict[str, Any], private_key: str = "") -> KeyPairInfo:
    return KeyPairInfo(
        iid=IID(name_id=key_name(key), system_id=key["KeyId"]),
        fingerprint=fingerprint(str(key.get("PublicKey") or "")),
        public_key=str(key.get("PublicKey") or ""),
        private_key=private_key,
        tags=tags_of(key.get("Tags")),
        extra={"KeyName": str(key["KeyName"])},
    )


class TencentKeyPairHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients

    def create_key_pair(self, *, req: KeyPairReqInfo) -> KeyPairInfo:
        name = cloud_name(req.name)
        if not name or len(name) > MAX_NAME:
            raise InvalidRequestError(
                f"Key pair name {req.name!r} must have 1 to {MAX_NAME} characters on Tencent Cloud.", field="name"
            )
        if find_key(self._clients, IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Key pair '{req.name}' already exists.")
        params: dict[str, Any] = {"KeyName": name, "ProjectId": 0}
        if req.tags:
            tags = [{"Key": key, "Value": value} for key, value in req.tags.items()]
            params["TagSpecification"] = [{"ResourceType": "keypair", "Tags": tags}]
        key = self._clients.call("cvm", "CreateKeyPair", params)["KeyPair"]
        if name != req.name:
            description = f"spiderweb name={req.name}"
            self._clients.call("cvm", "ModifyKeyPairAttribute", {"KeyId": key["KeyId"], "Description": description})
            key["Description"] = description
        return key_info(key, private_key=str(key.get("PrivateKey") or ""))

    def list_key_pairs(self) -> list[KeyPairInfo]:
        return [key_info(key) for key in self._clients.pages("cvm", "DescribeKeyPairs", {}, "KeyPairSet")]

    def get_key_pair(self, *, iid: IID) -> KeyPairInfo:
        key = find_key(self._clients, iid)
        if key is None:
            raise NotFoundError(f"Key pair '{iid.system_id or iid.name_id}' does not exist.")
        return key_info(key)

    def delete_key_pair(self, *, iid: IID) -> None:
        key = find_key(self._clients, iid)
        if key is None:
            return
        self._clients.call("cvm", "DeleteKeyPairs", {"KeyIds": [key["KeyId"]]})
        left = find_key(self._clients, IID(name_id="", system_id=key["KeyId"]))
        if left is not None:
            users = ", ".join(left.get("AssociatedInstanceIds") or []) or "an instance or image"
            raise DependencyError(f"Key pair '{key_name(key)}' is still used by {users}.")
