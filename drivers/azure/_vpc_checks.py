"""Checks and ARM id helpers shared by the network families (VNets, NSGs) and SSH public keys.

Spiderweb names are Azure resource names, so they must follow Azure's naming rules; checking them
before any call lets the error name the field instead of surfacing ARM's `InvalidResourceName`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from drivers.errors import InvalidRequestError

# Microsoft.Network names: letters, digits, '.', '_' and '-', starting with a letter or digit and
# ending with a letter, digit or '_'.
_NETWORK_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$")

VNET_NAME_MAX = 64
SUBNET_NAME_MAX = 80
NSG_NAME_MAX = 80
SSH_KEY_NAME_MAX = 80

# Tags Spiderweb keeps for itself on the resources it makes.
SPIDERWEB_PREFIX = "spiderweb-"
_TAG_KEY_FORBIDDEN = set("<>%&\\?/")
_TAG_KEY_RESERVED = ("microsoft", "azure", "windows")
TAG_KEY_MAX = 512
TAG_VALUE_MAX = 256
TAGS_MAX = 50


def check_name(name: Any, *, what: str, limit: int, field: str = "name") -> str:
    if not isinstance(name, str) or not name:
        raise InvalidRequestError(f"A {what} needs a non-empty name.", field=field)
    if len(name) > limit or not _NETWORK_NAME.match(name):
        raise InvalidRequestError(
            f"{what.capitalize()} name {name!r} is invalid on Azure: use 1 to {limit} letters, digits, '.', '_' or "
            "'-', starting with a letter or digit and ending with a letter, digit or '_'.",
            field=field,
        )
    return name


def check_tags(tags: Mapping[str, str], *, field: str = "tags") -> dict[str, str]:
    """Azure's tag limits; keys starting with 'spiderweb-' are Spiderweb's own."""
    if len(tags) > TAGS_MAX - 1:
        raise InvalidRequestError(f"Azure takes at most {TAGS_MAX - 1} tags here (one is Spiderweb's).", field=field)
    result: dict[str, str] = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not key.strip() or len(key) > TAG_KEY_MAX:
            raise InvalidRequestError(f"Tag key {key!r} is invalid: use 1 to {TAG_KEY_MAX} characters.", field=field)
        if _TAG_KEY_FORBIDDEN & set(key):
            raise InvalidRequestError(f"Tag key {key!r} may not contain any of < > % & \\ ? /.", field=field)
        lowered = key.lower()
        if lowered.startswith(_TAG_KEY_RESERVED) or lowered.startswith(SPIDERWEB_PREFIX):
            raise InvalidRequestError(
                f"Tag key {key!r} is reserved (prefixes microsoft, azure, windows and {SPIDERWEB_PREFIX}).",
                field=field,
            )
        if not isinstance(value, str) or len(value) > TAG_VALUE_MAX:
            raise InvalidRequestError(
                f"Tag '{key}' needs a string value of at most {TAG_VALUE_MAX} characters.", field=field
            )
        result[key] = value
    return result


def user_tags(tags: Mapping[str, Any] | None) -> dict[str, str]:
    """The tags a user set: Spiderweb's own ('spiderweb-...') left out."""
    return {str(k): str(v) for k, v in (tags or {}).items() if not str(k).lower().startswith(SPIDERWEB_PREFIX)}


def parse_id(system_id: str, *, subscription_id: str, resource_type: str) -> tuple[str, str] | None:
    """(resource group, name) of an ARM id of `resource_type` ("Microsoft.Network/virtualNetworks") in
    the subscription, or None when the id is not one."""
    parts = system_id.strip("/").split("/")
    provider, kind = resource_type.split("/")
    if len(parts) != 8:
        return None
    expected = ["subscriptions", subscription_id, "resourcegroups", None, "providers", provider, kind, None]
    for part, want in zip(parts, expected, strict=True):
        if want is not None and part.lower() != want.lower():
            return None
    return parts[3], parts[7]
