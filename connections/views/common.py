"""What every connection page shares: who may change the registry, and the provider being worked on."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden

from connections import selectors
from spiderweb.errors import NotFound

View = Callable[..., HttpResponse]


def can_manage(request: HttpRequest) -> bool:
    """Staff change the registry; everybody else who is logged in may look."""
    return bool(getattr(request.user, "is_staff", False))


def staff_for_posts(view: View) -> View:
    """Answer 403 to a POST from a user who may only look."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and not can_manage(request):
            return HttpResponseForbidden("Only staff users can change connections.")
        return view(request, *args, **kwargs)

    return wrapper


def provider_entry(name: str) -> dict[str, Any] | None:
    """The installed provider's catalogue entry, or None when nothing (or nothing installed) is named."""
    if not name:
        return None
    try:
        return selectors.provider_entry(name)
    except NotFound:
        return None
