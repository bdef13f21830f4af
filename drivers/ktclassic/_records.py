"""What KT Cloud Classic cannot keep itself: the emulated VPCs, subnets and security groups, and the
public keys of key pairs.

The classic platform has no VPCs, subnets or security groups (its network is physical: every VM of
an account is placed on the account's network of its zone), and `listSSHKeyPairs` answers no public
key. CB-Spider's driver keeps VPC and security-group records in local JSON files; here they live in
the deployment's shared state store (Redis, or SQLite on a laptop: the mock cloud's store), one
document per KT Cloud account (a hash of its API key) and zone, so every web and worker process sees
the same records. What they mean on KT Cloud is set out where they are used (`vpc.py`,
`security_group.py`, `vm.py`).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from drivers.mock._store import Store, open_store

T = TypeVar("T")
Doc = dict[str, Any]

DEFAULT_STORE = "sqlite:///./var/ktclassic.sqlite3"


def default_store_url() -> str:
    """The store of the deployment: `SPIDERWEB_KTCLASSIC_STORE`, else `REDIS_URL`, else a local SQLite file."""
    return os.environ.get("SPIDERWEB_KTCLASSIC_STORE") or os.environ.get("REDIS_URL") or DEFAULT_STORE


def tenant_of(api_key: str) -> str:
    return "ktclassic-" + hashlib.sha256(api_key.encode()).hexdigest()[:24]


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


class Records:
    """The records of one KT Cloud account in one zone."""

    def __init__(self, *, store: Store, api_key: str, zone_id: str) -> None:
        self._store = store
        self._tenant = tenant_of(api_key)
        self._zone = zone_id

    def read(self, section: str) -> dict[str, Any]:
        value = self._store.read(self._tenant, self._zone).get(section, {})
        return value if isinstance(value, dict) else {}

    def update(self, section: str, change: Callable[[dict[str, Any]], T]) -> T:
        def apply(doc: Doc) -> T:
            return change(doc.setdefault(section, {}))

        return self._store.update(self._tenant, self._zone, apply)

    def wipe(self) -> None:
        self._store.wipe_tenant(self._tenant)


__all__ = ["Records", "Store", "default_store_url", "new_id", "open_store", "tenant_of"]
