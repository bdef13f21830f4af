"""Helpers shared by the mock's handlers: ids, name and tag checks, IID lookups, CIDRs."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.types import IID

Record = dict[str, Any]

MAX_NAME_LENGTH = 255


def new_id(prefix: str) -> str:
    # Shaped like AWS ids (vpc-0123456789abcdef0) so they read as cloud ids in the UI.
    return f"{prefix}-{secrets.token_hex(8)}"


def timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def table(doc: dict[str, Any], kind: str) -> dict[str, Record]:
    """The records of one kind in a tenant-region document, keyed by system id."""
    records: dict[str, Record] = doc.setdefault(kind, {})
    return records


def matches(record: Mapping[str, Any], iid: IID) -> bool:
    """An IID matches by system id when it carries one, else by name (or an id given as name)."""
    if iid.system_id:
        return bool(record["id"] == iid.system_id)
    return iid.name_id in (record["name"], record["id"])


def find(records: Iterable[Record], iid: IID) -> Record | None:
    for record in records:
        if matches(record, iid):
            return record
    return None


def get(records: Iterable[Record], iid: IID, *, what: str, field: str = "") -> Record:
    record = find(records, iid)
    if record is None:
        raise NotFoundError(f"{what} '{iid.system_id or iid.name_id}' does not exist.", field=field)
    return record


def iid_of(record: Mapping[str, Any]) -> IID:
    return IID(name_id=record["name"], system_id=record["id"])


def check_new_name(records: Iterable[Record], name: str, *, what: str, field: str = "name") -> str:
    """Validate a name for a new resource and refuse one already taken (the create contract)."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidRequestError(f"A {what} needs a non-empty name.", field=field)
    if len(name) > MAX_NAME_LENGTH or not name.isprintable() or name != name.strip():
        raise InvalidRequestError(
            f"{what.capitalize()} name {name!r} is invalid: use up to {MAX_NAME_LENGTH} printable characters "
            "without leading or trailing spaces.",
            field=field,
        )
    for record in records:
        if record["name"] == name:
            raise AlreadyExistsError(f"A {what} named '{name}' already exists ({record['id']}).", field=field)
    return name


def check_tags(tags: Mapping[str, str], *, field: str = "tags") -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not key.strip() or len(key) > 128:
            raise InvalidRequestError(f"Tag key {key!r} is invalid: use 1 to 128 characters.", field=field)
        if not isinstance(value, str) or len(value) > 256:
            raise InvalidRequestError(f"Tag '{key}' needs a string value of at most 256 characters.", field=field)
        result[key] = value
    return result


def network(cidr: str, *, field: str, min_prefix: int = 0, max_prefix: int = 32) -> ipaddress.IPv4Network:
    """Parse an IPv4 CIDR the way clouds do: host bits must be zero, the size within bounds."""
    try:
        net = ipaddress.IPv4Network(cidr, strict=True)
    except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError, TypeError) as exc:
        raise InvalidRequestError(f"'{cidr}' is not a valid IPv4 CIDR block: {exc}.", field=field) from None
    if not min_prefix <= net.prefixlen <= max_prefix:
        raise InvalidRequestError(
            f"CIDR block {cidr} must have a prefix between /{min_prefix} and /{max_prefix}.", field=field
        )
    return net
