"""The API's body parser: JSON, refusing what the database cannot store.

Kept apart from `spiderweb.api`: DRF imports its parser classes while it reads its settings, before
serializers and drf-spectacular can be imported.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """JSON bodies, refusing a NUL character in any key or string (PostgreSQL cannot store one) with a
    400 naming the field where it is."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        where = _nul_at(data, "")
        if where is not None:
            raise exceptions.ValidationError({where or "body": ["must not contain a NUL character"]})
        return data


def _nul_at(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return inner.replace("\x00", "")
            found = _nul_at(item, inner)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_at(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None
