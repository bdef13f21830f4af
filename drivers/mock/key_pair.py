"""Key pairs in the mock cloud: real ed25519 keys, the private half handed out exactly once."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from drivers.errors import DependencyError
from drivers.mock._common import Record, check_new_name, check_tags, find, get, iid_of, new_id, table
from drivers.mock._context import Context
from drivers.mock._relations import user_names
from drivers.mock._store import Doc
from drivers.types import IID, KeyPairInfo, KeyPairReqInfo

VM_USER = "cb-user"


def key_pair_info(record: Mapping[str, Any], *, private_key: str = "") -> KeyPairInfo:
    return KeyPairInfo(
        iid=iid_of(record),
        fingerprint=record["fingerprint"],
        public_key=record["public_key"],
        private_key=private_key,
        vm_user_id=VM_USER,
        tags=record["tags"],
    )


def fingerprint(public_key: str) -> str:
    """The OpenSSH SHA256 fingerprint of an OpenSSH public key line (as `ssh-keygen -l` shows)."""
    blob = base64.b64decode(public_key.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _generate(comment: str) -> tuple[str, str]:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return private, f"{public.decode()} {comment}"


class MockKeyPairHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def create_key_pair(self, *, req: KeyPairReqInfo) -> KeyPairInfo:
        self._cx.enter()
        tags = check_tags(req.tags)
        private, public = _generate(comment=f"{VM_USER}@{req.name}")

        def change(doc: Doc) -> KeyPairInfo:
            keys = table(doc, "key_pairs")
            check_new_name(keys.values(), req.name, what="key pair")
            # The private key is deliberately not stored: like a real cloud, it cannot be fetched again.
            record: Record = {
                "id": new_id("key"),
                "name": req.name,
                "fingerprint": fingerprint(public),
                "public_key": public,
                "tags": tags,
                "created_at": time.time(),
            }
            keys[record["id"]] = record
            return key_pair_info(record, private_key=private)

        return self._cx.update(change)

    def list_key_pairs(self) -> list[KeyPairInfo]:
        self._cx.enter()
        records = sorted(table(self._cx.read(), "key_pairs").values(), key=lambda r: r["name"])
        return [key_pair_info(record) for record in records]

    def get_key_pair(self, *, iid: IID) -> KeyPairInfo:
        self._cx.enter()
        return key_pair_info(get(table(self._cx.read(), "key_pairs").values(), iid, what="Key pair"))

    def delete_key_pair(self, *, iid: IID) -> None:
        self._cx.enter()

        def change(doc: Doc) -> None:
            keys = table(doc, "key_pairs")
            record = find(keys.values(), iid)
            if record is None:
                return
            vms = sorted(vm["name"] for vm in table(doc, "vms").values() if vm["key_id"] == record["id"])
            if vms:
                raise DependencyError(f"Key pair '{record['name']}' is used by VMs: {', '.join(vms)}.")
            clusters = user_names(
                doc,
                "clusters",
                lambda cluster: any(group["key_id"] == record["id"] for group in cluster["node_groups"]),
            )
            if clusters:
                raise DependencyError(
                    f"Key pair '{record['name']}' is used by node groups of Kubernetes clusters: {', '.join(clusters)}."
                )
            del keys[record["id"]]

        self._cx.update(change)
