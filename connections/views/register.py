"""Register a connection: a provider's credential and region fields, new or existing, in one step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from connections import forms, selectors
from connections.models import Credential, Region
from connections.views.common import can_manage, provider_entry, staff_for_posts


def provider_context(provider: dict[str, Any] | None, data: Mapping[str, str], errors: forms.Errors,
                     *, with_region: bool = True) -> dict[str, Any]:
    """The provider-specific part of a form: its credential (and region) inputs and existing records."""
    if provider is None:
        return {"provider": None}
    secrets = any(spec["secret"] for spec in provider["credential_fields"])
    context: dict[str, Any] = {
        "provider": provider,
        "credentials": list(Credential.objects.filter(provider=provider["name"]).order_by("name")),
        "credential_rows": forms.field_rows(provider["credential_fields"], prefix=forms.CRED, data=data,
                                            errors=errors),
        "secret_note": bool(errors) and secrets and not data.get("credential"),
    }
    if with_region:
        context["regions"] = list(Region.objects.filter(provider=provider["name"]).order_by("name"))
        context["place_rows"] = forms.field_rows(provider["region_fields"], prefix=forms.PLACE, data=data,
                                                 errors=errors)
        context["option_rows"] = forms.field_rows(provider["region_options"], prefix=forms.OPTION, data=data,
                                                  errors=errors)
        context["options_open"] = any(row["value"] or row["error"] for row in context["option_rows"])
    return context


def chosen_provider(catalogue: list[dict[str, Any]], data: Mapping[str, str]) -> dict[str, Any] | None:
    # With a single installed driver there is nothing to pick.
    default = catalogue[0]["name"] if len(catalogue) == 1 else ""
    return provider_entry(data.get("provider", default))


@staff_for_posts
def register(request: HttpRequest) -> HttpResponse:
    catalogue = selectors.provider_catalogue()
    data = request.POST if request.method == "POST" else request.GET
    provider = chosen_provider(catalogue, data)
    errors: forms.Errors = {}
    if request.method == "POST":
        if provider is None:
            errors["provider"] = "Pick one of the installed providers."
        else:
            connection, errors = forms.register_connection(request.POST, provider)
            if connection is not None:
                messages.success(request, f"Connection {connection.name} registered.")
                return redirect(f"{reverse('home')}?{urlencode({'highlight': connection.name})}")
    context = {"catalogue": catalogue, "data": data, "errors": errors, "manage": can_manage(request),
               **provider_context(provider, data, errors)}
    if request.htmx and request.method == "GET":
        return render(request, "connections/register.html#provider_fields", context)
    return render(request, "connections/register.html", context)
