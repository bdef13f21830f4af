"""Helpers of the connection pages' tests."""

from __future__ import annotations

import html

HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:  # type: ignore[no-untyped-def]
    """A page as a person reads it: entities decoded."""
    return html.unescape(response.content.decode())
