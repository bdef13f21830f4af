"""Helpers shared by the Azure handlers."""

from __future__ import annotations

from typing import Any


def as_json(model: Any) -> dict[str, Any]:
    """An SDK model as the JSON ARM answered (camelCase keys, `properties` nested), so converters read
    one shape whether their input came through the SDK or from a recorded answer."""
    data: dict[str, Any] = model.as_dict()
    return data


def capability_map(capabilities: Any) -> dict[str, str]:
    """ARM's `[{"name": n, "value": v}]` capability lists as a dict."""
    return {str(item.get("name", "")): str(item.get("value", "")) for item in capabilities or ()}
