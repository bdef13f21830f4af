"""Key pairs. Google Cloud has none: the driver makes an RSA key pair itself, keeps the public half
in the project's metadata and hands the private half out once, in the answer to create.

Each key is one item of the project's common instance metadata, `spiderweb-keypair-<name>`, whose
value is a JSON object (id, OpenSSH public key, fingerprint, tags). The metadata is written as a
whole under its fingerprint, so two writers cannot lose each other's change: a write that finds the
fingerprint changed reads the metadata again and retries. VMs get the key as
`cb-user:<public key>` in their own `ssh-keys` metadata (`public_key_of`); the project item itself
is not an SSH key, so it gives no access to the project's other VMs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.cloud import compute_v1
from google.cloud.compute_v1.types import compute

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, NotFoundError, TransientError
from drivers.gcp._errors import translate
from drivers.gcp._net_common import check_tags, meta_tags
from drivers.gcp._session import CALL, GCPClients
from drivers.types import IID, KeyPairInfo, KeyPairReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "key_pair": "Google Cloud has no key pairs: the driver makes an RSA key, keeps its public half in the "
    "project's metadata and puts it on each VM's login user cb-user; the private key is shown once.",
}

VM_USER = "cb-user"
ITEM_PREFIX = "spiderweb-keypair-"
KEY_BITS = 3072
# Metadata keys are [a-zA-Z0-9-_]{1,128}; the prefix takes 18 of them.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,109}$")
# How often a write is tried again when the metadata changed under it.
WRITE_ATTEMPTS = 5


def fingerprint(public_key: str) -> str:
    """The OpenSSH SHA256 fingerprint of an OpenSSH public key line (as `ssh-keygen -l` shows it)."""
    blob = base64.b64decode(public_key.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _generate(comment: str) -> tuple[str, str]:
    """(PEM private key, OpenSSH public key line) of a new RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return private, f"{public.decode()} {comment}"


def _record(item: compute.Items) -> dict[str, Any] | None:
    if not item.key.startswith(ITEM_PREFIX):
        return None
    try:
        data = json.loads(item.value)
    except ValueError:
        return None
    if not isinstance(data, dict) or not data.get("publicKey"):
        return None
    return {**data, "name": item.key.removeprefix(ITEM_PREFIX)}


def key_pair_info(record: Mapping[str, Any], *, private_key: str = "") -> KeyPairInfo:
    return KeyPairInfo(
        iid=IID(name_id=str(record["name"]), system_id=str(record.get("id", ""))),
        fingerprint=str(record.get("fingerprint", "")),
        public_key=str(record["publicKey"]),
        private_key=private_key,
        vm_user_id=VM_USER,
        tags=meta_tags(record),
        extra={"created": str(record["created"])} if record.get("created") else {},
    )


def _matches(record: Mapping[str, Any], iid: IID) -> bool:
    if iid.system_id:
        return bool(record.get("id") == iid.system_id)
    return iid.name_id in (record["name"], record.get("id"))


def _project_metadata(clients: GCPClients) -> compute.Metadata:
    with translate():
        project = clients.client(compute_v1.ProjectsClient).get(project=clients.project, **CALL)
    return project.common_instance_metadata


def _records(clients: GCPClients) -> list[dict[str, Any]]:
    records = (_record(item) for item in _project_metadata(clients).items)
    return sorted((record for record in records if record is not None), key=lambda record: str(record["name"]))


def _find(clients: GCPClients, iid: IID) -> dict[str, Any] | None:
    return next((record for record in _records(clients) if _matches(record, iid)), None)


def public_key_of(clients: GCPClients, iid: IID, *, field: str = "key_pair_iid") -> tuple[IID, str]:
    """The key pair an IID names and its OpenSSH public key line, for a VM's `ssh-keys` metadata."""
    record = _find(clients, iid)
    if record is None:
        raise NotFoundError(f"Key pair '{iid.system_id or iid.name_id}' does not exist.", field=field)
    info = key_pair_info(record)
    return info.iid, info.public_key


def _update(clients: GCPClients, change: Callable[[list[compute.Items]], bool], *, what: str) -> None:
    """Apply `change` to the metadata items and write them back; `change` answers False when there
    is nothing to write. A write refused because the metadata changed meanwhile is retried afresh."""
    projects = clients.client(compute_v1.ProjectsClient)
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        metadata = _project_metadata(clients)
        items = [compute.Items(key=item.key, value=item.value) for item in metadata.items]
        if not change(items):
            return
        resource = compute.Metadata(fingerprint=metadata.fingerprint, items=items)
        try:
            with translate():
                operation = projects.set_common_instance_metadata_unary(
                    project=clients.project, metadata_resource=resource, **CALL
                )
            clients.wait(operation, what=what)
            return
        except TransientError:
            # The fingerprint no longer matched (or the answer was lost): read again and redo.
            if attempt == WRITE_ATTEMPTS:
                raise


class GCPKeyPairHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients

    def create_key_pair(self, *, req: KeyPairReqInfo) -> KeyPairInfo:
        name = req.name
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise InvalidRequestError(
                f"Key pair name {name!r} is not valid on Google Cloud: 1 to 110 letters, digits, '-' and '_', "
                "starting with a letter or digit.",
                field="name",
            )
        tags = check_tags(req.tags)
        if _find(self._clients, IID(name_id=name)) is not None:
            raise AlreadyExistsError(f"A key pair named '{name}' already exists.", field="name")
        private, public = _generate(comment=VM_USER)
        record = {
            "id": f"kp-{secrets.token_hex(8)}",
            "publicKey": public,
            "fingerprint": fingerprint(public),
            "created": datetime.now(tz=UTC).isoformat(timespec="seconds"),
            "tags": tags,
        }
        key = ITEM_PREFIX + name
        value = json.dumps(record, sort_keys=True, separators=(",", ":"))

        def add(items: list[compute.Items]) -> bool:
            for item in items:
                if item.key == key:
                    if item.value == value:
                        return False  # an earlier attempt got through
                    raise AlreadyExistsError(f"A key pair named '{name}' already exists.", field="name")
            items.append(compute.Items(key=key, value=value))
            return True

        _update(self._clients, add, what=f"storing key pair '{name}'")
        return key_pair_info({**record, "name": name}, private_key=private)

    def list_key_pairs(self) -> list[KeyPairInfo]:
        return [key_pair_info(record) for record in _records(self._clients)]

    def get_key_pair(self, *, iid: IID) -> KeyPairInfo:
        record = _find(self._clients, iid)
        if record is None:
            raise NotFoundError(f"Key pair '{iid.system_id or iid.name_id}' does not exist.")
        return key_pair_info(record)

    def delete_key_pair(self, *, iid: IID) -> None:
        record = _find(self._clients, iid)
        if record is None:
            return
        # Imported here: the cluster module builds on this one.
        from drivers.gcp.cluster import clusters_using_key

        users = clusters_using_key(self._clients, IID(name_id=str(record["name"]), system_id=str(record.get("id", ""))))
        if users:
            raise DependencyError(
                f"Key pair '{record['name']}' is used by the node pools of clusters: {', '.join(users)}."
            )
        key = ITEM_PREFIX + str(record["name"])

        def remove(items: list[compute.Items]) -> bool:
            kept = [item for item in items if item.key != key]
            if len(kept) == len(items):
                return False
            items[:] = kept
            return True

        # VMs keep their copy of the public key: deleting the pair does not lock anyone out.
        _update(self._clients, remove, what=f"deleting key pair '{record['name']}'")
