"""Helpers shared by the IBM handlers: names, references, user tags through the Global Tagging API."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from drivers.errors import DriverError, InvalidRequestError, NotFoundError
from drivers.ibm._errors import translate
from drivers.ibm._session import IBMClients, result
from drivers.types import IID

# VPC resource names: lowercase letters, digits and hyphens, starting with a letter, at most 63.
NAME = re.compile(r"^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$")
# VPC resource ids: a four-character prefix (region or zone) and a UUID, e.g. r006-1a2b...; 0717-...
ID = re.compile(r"^[0-9a-z]{4}-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
REGION = re.compile(r"^[a-z]{2}-[a-z]{3,5}$")
# A user tag is "key:value"; IBM stores tags lower-cased, so only lower-case tags read back as given.
TAG_KEY = re.compile(r"^[a-z0-9 _.-]{1,64}$")
TAG_VALUE = re.compile(r"^[a-z0-9 _.:-]{0,63}$")
MAX_TAG = 128


def check_name(name: str, *, what: str, field: str = "name") -> str:
    if not NAME.fullmatch(name):
        raise InvalidRequestError(
            f"{what} name {name!r} must be lowercase letters, digits and hyphens, start with a letter, end with a "
            "letter or digit and be at most 63 characters (IBM Cloud's rule for VPC resources).",
            field=field,
        )
    return name


def derived_name(name: str, suffix: str) -> str:
    """The name of a part Spiderweb makes for a resource (its boot volume, floating IP...), kept within
    IBM's 63 characters by shortening the resource's name."""
    return name[: 63 - len(suffix) - 1].rstrip("-") + "-" + suffix


def iid_of(item: Mapping[str, Any]) -> IID:
    return IID(name_id=str(item.get("name", "")), system_id=str(item.get("id", "")))


def ident(iid: IID) -> str:
    """What to look an IID up by: its system id when it has one, else its name."""
    return iid.system_id or iid.name_id


def zone_of(item: Mapping[str, Any]) -> str:
    return str((item.get("zone") or {}).get("name", ""))


def missing(what: str, iid: IID, *, field: str = "") -> NotFoundError:
    return NotFoundError(f"{what} '{iid.system_id or iid.name_id}' does not exist.", field=field)


# --- user tags -----------------------------------------------------------------------------------------


def check_tags(tags: Mapping[str, str], *, field: str = "tags") -> list[str]:
    """The tags as IBM user tags ("key:value"), refusing what would not read back unchanged."""
    names: list[str] = []
    for key, value in tags.items():
        if not TAG_KEY.fullmatch(key) or not TAG_VALUE.fullmatch(value) or len(key) + 1 + len(value) > MAX_TAG:
            raise InvalidRequestError(
                f"Tag {key!r}={value!r} cannot be an IBM Cloud user tag: keys of lowercase letters, digits, spaces, "
                "'_', '.' and '-', values of those and ':', at most 128 characters together.",
                field=f"{field}.{key}",
            )
        names.append(f"{key}:{value}")
    return names


def parse_tags(names: list[str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for name in names:
        key, _, value = name.partition(":")
        tags[key] = value
    return tags


def read_tags(clients: IBMClients, crn: str) -> dict[str, str]:
    """The user tags attached to a resource, as key -> value."""
    if not crn:
        return {}
    names: list[str] = []
    offset = 0
    while True:
        with translate():
            page = result(clients.tagging.list_tags(attached_to=crn, tag_type="user", offset=offset, limit=1000))
        items = page.get("items", [])
        names.extend(str(item.get("name", "")) for item in items)
        offset += len(items)
        if not items or offset >= int(page.get("total_count", 0)):
            break
    return parse_tags(names)


def attach_tags(clients: IBMClients, crn: str, names: list[str]) -> None:
    if names:
        _tag_call(clients, crn, names, attach=True)


def detach_tags(clients: IBMClients, crn: str, names: list[str]) -> None:
    if names:
        _tag_call(clients, crn, names, attach=False)


def _tag_call(clients: IBMClients, crn: str, names: list[str], *, attach: bool) -> None:
    call = clients.tagging.attach_tag if attach else clients.tagging.detach_tag
    with translate():
        answer = result(call(resources=[{"resource_id": crn}], tag_names=names, tag_type="user"))
    for item in answer.get("results", []):
        if item.get("is_error"):
            raise DriverError(
                f"IBM Cloud could not {'attach' if attach else 'detach'} tags on {crn}.",
                provider_message=str(item.get("message", "")),
            )
