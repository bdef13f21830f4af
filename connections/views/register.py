"""Register a connection: a provider's credential and region fields, new or existing, in one step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from connections import selectors, services
from connections.forms import ConnectionRegisterForm
from connections.views.common import can_manage, provider_entry, staff_for_posts
from spiderweb.errors import ServiceError
from spiderweb.htmx import HtmxHttpRequest


def chosen_provider(catalogue: list[dict[str, Any]], data: Mapping[str, str]) -> dict[str, Any] | None:
    # With a single installed driver there is nothing to pick.
    default = catalogue[0]["name"] if len(catalogue) == 1 else ""
    return provider_entry(data.get("provider", default))


@staff_for_posts
def register(request: HtmxHttpRequest) -> HttpResponse:
    catalogue = selectors.provider_catalogue()
    posted = request.method == "POST"
    provider = chosen_provider(catalogue, request.POST if posted else request.GET)
    form = ConnectionRegisterForm(
        request.POST if posted else None,
        catalogue=catalogue,
        provider=provider,
        swap_url=reverse("connection-register"),
    )
    if posted and form.is_valid():
        try:
            connection = services.connection_register(**form.registration())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Connection {connection.name} registered.")
            return redirect(f"{reverse('home')}?{urlencode({'highlight': connection.name})}")
    context = {"form": form, "provider": provider, "manage": can_manage(request)}
    if request.htmx and not posted:
        return render(request, "connections/register.html#provider_fields", context)
    return render(request, "connections/register.html", context)
