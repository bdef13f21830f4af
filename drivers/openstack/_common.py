"""Helpers shared by the OpenStack handlers: names, tags as strings, lookups by IID."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.types import IID

T = TypeVar("T")

# Neutron, Nova (microversion 2.26) and Octavia tags are plain strings; a Spiderweb tag is kept as
# "key=value" (a tag without "=" reads back as a key with an empty value).
TAG_SEPARATOR = "="
MAX_NAME = 255


def tags_to_strings(tags: Mapping[str, str]) -> list[str]:
    return [f"{key}{TAG_SEPARATOR}{value}" for key, value in tags.items()]


def tags_from_strings(tags: Iterable[str] | None) -> dict[str, str]:
    result: dict[str, str] = {}
    for tag in tags or ():
        key, _, value = str(tag).partition(TAG_SEPARATOR)
        result[key] = value
    return result


def check_tags(tags: Mapping[str, str], *, field: str = "tags") -> None:
    for key, value in tags.items():
        if not key or TAG_SEPARATOR in key:
            raise InvalidRequestError(f"Tag key {key!r} must be non-empty and must not contain '='.", field=field)
        if len(key) + len(value) + 1 > 60:
            # Neutron and Nova keep tags of at most 60 characters.
            raise InvalidRequestError(f"Tag {key}={value} is longer than OpenStack's 60 characters.", field=field)
        if "/" in key or "/" in value or "," in key or "," in value:
            raise InvalidRequestError(f"Tag {key}={value} must not contain '/' or ','.", field=field)


def check_name(name: str, *, field: str = "name", what: str = "Name") -> str:
    if not name or not name.strip():
        raise InvalidRequestError(f"{what} must not be empty.", field=field)
    if len(name) > MAX_NAME:
        raise InvalidRequestError(f"{what} is longer than {MAX_NAME} characters.", field=field)
    return name


def pick(items: Iterable[T], iid: IID, *, what: str, ident: Callable[[T], str], name: Callable[[T], str]) -> T:
    """The one item `iid` means: by system id when given, else by exact name (OpenStack allows
    several resources of one name; more than one is refused rather than guessed)."""
    candidates = list(items)
    if iid.system_id:
        for item in candidates:
            if ident(item) == iid.system_id:
                return item
        raise NotFoundError(f"{what} '{iid.system_id}' does not exist.")
    named = [item for item in candidates if name(item) == iid.name_id]
    if not named:
        raise NotFoundError(f"{what} '{iid.name_id}' does not exist.")
    if len(named) > 1:
        raise AlreadyExistsError(f"Several {what}s are named '{iid.name_id}'; address it by its id.", field="system_id")
    return named[0]


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def first(values: Iterable[T]) -> T | None:
    return next(iter(values), None)
