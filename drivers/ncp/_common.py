"""What the NCP families share: code fields, lookups by IID, waiting on states, tags kept in descriptions."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from drivers.errors import InvalidRequestError, InvalidStateError, NotFoundError
from drivers.types import IID

T = TypeVar("T")

# Pauses between two polls of a resource that is changing state; tests set (0.0,).
POLL_DELAYS: tuple[float, ...] = (1.0, 2.0, 3.0, 5.0)
POLL_LIMIT = 120  # polls before giving up on a state that never comes

# NCP's names (VPC, subnet, ACG, login key, server): 3-30 lower-case letters, digits and "-", from a letter.
_NAME = re.compile(r"^[a-z][a-z0-9-]{1,28}[a-z0-9]$")
_META_PREFIX = "spiderweb:"


def code(value: Any) -> str:
    """The `code` of one of NCP's CommonCode objects (`{"code": "RUN", "codeName": "Server run state"}`)."""
    if isinstance(value, Mapping):
        return str(value.get("code", ""))
    return "" if value is None else str(value)


def matches(iid: IID, *, number: str, name: str) -> bool:
    """The contract's lookup: the system id when given, else the name."""
    if iid.system_id:
        return iid.system_id == number
    return bool(iid.name_id) and iid.name_id == name


def find(items: Iterable[T], iid: IID, key: Callable[[T], tuple[str, str]], what: str) -> T:
    for item in items:
        number, name = key(item)
        if matches(iid, number=number, name=name):
            return item
    raise NotFoundError(f"{what} '{iid.system_id or iid.name_id}' does not exist.")


def find_image(items: Iterable[T], iid: IID, key: Callable[[T], tuple[str, str]]) -> T:
    """Images are named by their number or their name alike (the API's image field carries either,
    in name_id and system_id both), so either matches."""
    wanted = {value for value in (iid.system_id, iid.name_id) if value}
    for item in items:
        if wanted & set(key(item)):
            return item
    raise NotFoundError(f"Image '{iid.system_id or iid.name_id}' does not exist.")


def check_name(name: str, *, field: str, what: str) -> str:
    if not _NAME.match(name):
        raise InvalidRequestError(
            f"NCP {what} names are 3-30 lower-case letters, digits or '-', starting with a letter: {name!r}.",
            field=field,
        )
    return name


def wait_for(read: Callable[[], T], done: Callable[[T], bool], what: str) -> T:
    """Poll `read` until `done`; NCP's creates and deletes are asynchronous (INIT/CREAT -> RUN...)."""
    for attempt in range(POLL_LIMIT):
        current = read()
        if done(current):
            return current
        time.sleep(POLL_DELAYS[min(attempt, len(POLL_DELAYS) - 1)])
    raise InvalidStateError(f"NCP's {what} did not settle in time.")


def describe(tags: Mapping[str, str], *, field: str = "tags", **meta: str) -> str:
    """A description holding the tags (and `meta`), for NCP objects that have a description but no tags."""
    for key, value in tags.items():
        if not isinstance(key, str) or not isinstance(value, str) or not key:
            raise InvalidRequestError("Tags are non-empty string keys with string values.", field=field)
    text = _META_PREFIX + json.dumps({**meta, "tags": dict(tags)}, separators=(",", ":"), sort_keys=True)
    if len(text) > 1000:  # NCP's description fields hold 1000 characters
        raise InvalidRequestError("The tags do not fit in NCP's 1000-character description.", field=field)
    return text


def described(description: Any) -> dict[str, Any]:
    """What `describe` kept in a description ({} for any other description)."""
    text = str(description or "")
    if not text.startswith(_META_PREFIX):
        return {}
    try:
        data = json.loads(text[len(_META_PREFIX) :])
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def described_tags(description: Any) -> dict[str, str]:
    tags = described(description).get("tags")
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}


def no_tags(tags: Mapping[str, str], *, field: str, what: str) -> None:
    if tags:
        raise InvalidRequestError(f"NCP {what} take no tags and have no description to keep them in.", field=field)


def parse_date(value: Any) -> datetime | None:
    """NCP's dates: "2024-05-07T11:32:10+0900"."""
    text = str(value or "")
    for pattern in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def gib(size_bytes: Any) -> int:
    try:
        return int(size_bytes) // (1024**3)
    except (TypeError, ValueError):
        return 0


def mib(size_bytes: Any) -> int:
    try:
        return int(size_bytes) // (1024**2)
    except (TypeError, ValueError):
        return 0


def rows(answer: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    return [dict(item) for item in answer.get(key) or []]
