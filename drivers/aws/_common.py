"""Helpers shared by the AWS handlers: names in the `Name` tag, tag conversion, name checks."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from drivers.errors import InvalidRequestError, NotFoundError

T = TypeVar("T")

NAME_TAG = "Name"
MAX_NAME_LENGTH = 255  # AWS tag values hold 256 characters; Spiderweb keeps the mock's limit


def tag_map(tags: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """AWS `[{"Key": k, "Value": v}]` as a dict."""
    return {str(tag["Key"]): str(tag.get("Value", "")) for tag in tags or ()}


def name_of(tags: Iterable[Mapping[str, Any]] | None, fallback: str) -> str:
    """The Spiderweb name (the `Name` tag), or the AWS id for a resource created elsewhere."""
    return tag_map(tags).get(NAME_TAG) or fallback


def user_tags(tags: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """Tags without `Name`, which carries the Spiderweb name rather than a user tag."""
    return {key: value for key, value in tag_map(tags).items() if key != NAME_TAG}


def tag_spec(resource_type: str, name: str, tags: Mapping[str, str]) -> list[Any]:
    """`TagSpecifications` that name a resource and tag it at creation, in one call."""
    items = [{"Key": NAME_TAG, "Value": name}, *({"Key": k, "Value": v} for k, v in tags.items())]
    return [{"ResourceType": resource_type, "Tags": items}]


def check_name(name: str, *, what: str, field: str = "name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidRequestError(f"A {what} needs a non-empty name.", field=field)
    if len(name) > MAX_NAME_LENGTH or not name.isprintable() or name != name.strip():
        raise InvalidRequestError(
            f"{what.capitalize()} name {name!r} is invalid: use up to {MAX_NAME_LENGTH} printable characters "
            "without leading or trailing spaces.",
            field=field,
        )
    return name


def check_tags(tags: Mapping[str, str], *, field: str = "tags") -> dict[str, str]:
    """AWS's tag limits, checked before any call so the error names the field."""
    result: dict[str, str] = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not key.strip() or len(key) > 128:
            raise InvalidRequestError(f"Tag key {key!r} is invalid: use 1 to 128 characters.", field=field)
        if key == NAME_TAG or key.lower().startswith("aws:"):
            raise InvalidRequestError(
                f"Tag key {key!r} is reserved (the Name tag holds the resource's name).", field=field
            )
        if not isinstance(value, str) or len(value) > 256:
            raise InvalidRequestError(f"Tag '{key}' needs a string value of at most 256 characters.", field=field)
        result[key] = value
    return result


def filters(**values: str | Sequence[str]) -> list[Any]:
    """EC2 `Filters` from keyword arguments; `tag_Name="x"` becomes the filter `tag:Name`."""
    result = []
    for key, value in values.items():
        name = key.replace("tag_", "tag:", 1) if key.startswith("tag_") else key.replace("_", "-")
        result.append({"Name": name, "Values": [value] if isinstance(value, str) else list(value)})
    return result


# EC2 reads are eventually consistent: a resource just created may be "not found" for a moment.
READ_AFTER_WRITE_DELAYS = (0.2, 0.5, 1.0, 2.0)


def read_after_write(read: Callable[[], T], *, delays: Sequence[float] = READ_AFTER_WRITE_DELAYS) -> T:
    """`read()` of a resource just created, retried while AWS does not show it yet."""
    for delay in delays:
        try:
            return read()
        except NotFoundError:
            time.sleep(delay)
    return read()
