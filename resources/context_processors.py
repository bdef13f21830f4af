"""What every page's frame needs from this app: the kinds, for the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from resources import kinds


def resource_kinds(request: HttpRequest) -> dict[str, Any]:
    return {"resource_kinds": kinds.all_kinds()}
