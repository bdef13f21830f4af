"""Helpers shared by the Alibaba handlers: tags in the APIs' shapes, the connection's zone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers.alibaba._session import AlibabaClients, dig
from drivers.alibaba.meta import zone_names
from drivers.errors import InvalidRequestError


def tag_params(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """Tags as create calls take them: `Tag.N.Key` / `Tag.N.Value` (at most 20 per resource)."""
    if len(tags) > 20:
        raise InvalidRequestError("Alibaba Cloud takes at most 20 tags per resource.", field="tags")
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def tags_of(item: Mapping[str, Any]) -> dict[str, str]:
    """Tags as answers carry them: VPC and SLB say Key/Value, ECS says TagKey/TagValue. Tags the
    cloud's own services add (acs:, aliyun) are left out as they are not the user's."""
    result: dict[str, str] = {}
    for tag in dig(item, "Tags", "Tag"):
        key = str(tag.get("Key") or tag.get("TagKey") or "")
        if key and not key.startswith(("acs:", "aliyun")):
            result[key] = str(tag.get("Value") or tag.get("TagValue") or "")
    return result


def default_zone(clients: AlibabaClients) -> str:
    """The connection's zone, else the region's first zone."""
    if clients.zone:
        return clients.zone
    zones = zone_names(clients)
    if not zones:
        raise InvalidRequestError(f"Region {clients.region} has no zone open to this account.")
    return zones[0]
