"""Facts about KT Cloud's classic zones and the helpers the handlers share."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from drivers.errors import InvalidRequestError, NotFoundError
from drivers.types import IID

T = TypeVar("T")

# The zones of the classic platform (CB-Spider's cloud-driver-libs/region/ktclassic_region_meta.yaml and
# the zone table of KT Cloud's Python SDK): id -> (zone name as listZones answers it, region).
ZONES: Mapping[str, tuple[str, str]] = {
    "95e2f517-d64a-4866-8585-5177c256f7c7": ("KOR-Seoul M", "KOR-Seoul"),
    "d7d0177e-6cda-404a-a46f-a5b356d2874e": ("KOR-Seoul M2", "KOR-Seoul"),
    "eceb5d65-6571-4696-875f-5a17949f3317": ("KOR-Central A", "KOR-Central"),
    "9845bd17-d438-4bde-816d-1b12f37d5080": ("KOR-Central B", "KOR-Central"),
    "dfd6f03d-dae5-458e-a2ea-cb6a55d0d994": ("KOR-HA", "KOR-HA"),
    "b7eb18c8-876d-4dc6-9215-3bd455bb05be": ("US-West", "US-West"),
}
REGION_LABELS: Mapping[str, str] = {
    "KOR-Seoul": "South Korea, Seoul",
    "KOR-Central": "South Korea, Chungcheongnam-do",
    "US-West": "United States, West",
}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# Spiderweb's own tags on a VM, which say what it was started with (KT Cloud has no VPCs or
# security groups to ask); they are hidden from the user's tags.
TAG_PREFIX = "spiderweb-"
TAG_VPC = "spiderweb-vpc"
TAG_SUBNET = "spiderweb-subnet"
TAG_SGS = "spiderweb-security-groups"
TAG_PUBLIC_IP = "spiderweb-public-ip-id"


def region_of_zone_name(name: str) -> str:
    """'KOR-Seoul M2' -> 'KOR-Seoul': a zone's name is its region and a letter or two ('KOR-HA' and
    'US-West' are zones alone in their region)."""
    head, _, tail = name.rpartition(" ")
    return head if head and tail else name


def zone_id_for(value: str) -> str:
    """A zone given by id or by name, as its id ('' when it is neither a known name nor an id)."""
    text = value.strip()
    if UUID.match(text.lower()):
        return text.lower()
    for zone_id, (name, _region) in ZONES.items():
        if name.lower() == text.lower():
            return zone_id
    return ""


def matches(iid: IID, *, name: str, system_id: str) -> bool:
    """Whether a resource is the one `iid` names: by system id when given, else by name."""
    if iid.system_id:
        return iid.system_id == system_id
    return iid.name_id in (name, system_id)


def find(items: Iterable[T], iid: IID, key: Any, *, what: str, field: str = "") -> T:
    """The one of `items` that `iid` names (`key(item)` -> (name, system id)), else `NotFoundError`."""
    for item in items:
        name, system_id = key(item)
        if matches(iid, name=name, system_id=system_id):
            return item
    shown = iid.system_id or iid.name_id
    raise NotFoundError(f"{what} '{shown}' does not exist in this KT Cloud zone.", field=field)


def user_tags(tags: Any) -> dict[str, str]:
    """The `tags` list of a KT Cloud answer as a mapping, without Spiderweb's own keys."""
    result: dict[str, str] = {}
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, dict):
            key = str(tag.get("key", ""))
            if key and not key.startswith(TAG_PREFIX):
                result[key] = str(tag.get("value", ""))
    return result


def check_user_tags(tags: Mapping[str, str]) -> None:
    """Refuse tag keys that are Spiderweb's own, which would otherwise overwrite what a resource was made with."""
    for key in tags:
        if key.startswith(TAG_PREFIX):
            raise InvalidRequestError(f"Tag keys starting {TAG_PREFIX!r} are reserved ({key!r}).", field="tags")


def all_tags(tags: Any) -> dict[str, str]:
    return {
        str(tag.get("key", "")): str(tag.get("value", ""))
        for tag in (tags if isinstance(tags, list) else [])
        if isinstance(tag, dict) and tag.get("key")
    }
