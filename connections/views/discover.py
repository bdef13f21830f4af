"""Bulk discovery: ask a cloud which regions and zones it offers, then register the ones picked."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from connections import selectors, services
from connections.forms import DiscoverForm, PlacesForm
from connections.models import Credential
from connections.services import Place
from connections.views.common import can_manage, staff_for_posts
from connections.views.register import chosen_provider
from spiderweb.errors import CloudFailure, ServiceError
from spiderweb.htmx import HtmxHttpRequest

TEMPLATE = "connections/discover.html"


def _rows(credential: Credential, places: list[Place]) -> list[dict[str, Any]]:
    registered = selectors.places_connected(credential=credential)
    return [
        {"value": f"{region}|{zone}", "region": region, "zone": zone, "registered": (region, zone) in registered}
        for region, zone in sorted(places)
    ]


def _discover(form: DiscoverForm) -> dict[str, Any]:
    """Ask the cloud; a new credential is kept only when the cloud accepted it."""
    if not form.is_valid():
        return {}
    try:
        credential, places = services.places_discover(**form.discovery())
    except CloudFailure as exc:
        return {"cloud_error": exc.message}
    except ServiceError as exc:
        form.add_service_error(exc)
        return {}
    return {"credential": credential, "bootstrap": form.cleaned_data["bootstrap"], "rows": _rows(credential, places)}


def _register(picked: PlacesForm) -> dict[str, Any]:
    """Register the picked places; the service asks the cloud again that it really offers them."""
    valid = picked.is_valid()
    credential: Credential | None = picked.cleaned_data.get("credential")
    if credential is None:
        return {}
    bootstrap = picked.cleaned_data.get("bootstrap", "")
    try:
        if valid:
            report = services.places_register(
                credential=credential, bootstrap=bootstrap, places=picked.cleaned_data["place"]
            )
        else:  # nothing picked: an empty report and the offer again, beside the message
            report = services.PlacesReport(offered=services.places_offered(credential=credential, bootstrap=bootstrap))
    except ServiceError as exc:
        return {"cloud_error": exc.message}
    return {
        "credential": credential,
        "bootstrap": bootstrap,
        "report": report,
        "rows": _rows(credential, report.offered),
    }


@staff_for_posts
def discover(request: HtmxHttpRequest) -> HttpResponse:
    catalogue = selectors.provider_catalogue()
    posted = request.method == "POST"
    data = request.POST if posted else request.GET
    provider = chosen_provider(catalogue, data)
    registering = posted and data.get("action") == "register" and provider is not None
    # The pick form stays as posted while places are registered, so the next discovery starts from it.
    form = DiscoverForm(
        request.POST if posted and not registering else None,
        catalogue=catalogue,
        provider=provider,
        swap_url=reverse("connection-discover"),
        swap_select="unset",
        initial={key: data.get(key, "") for key in ("credential", "bootstrap")},
    )
    context: dict[str, Any] = {"form": form, "provider": provider, "manage": can_manage(request)}
    if registering:
        assert provider is not None
        picked = PlacesForm(request.POST, provider=provider["name"])
        context.update(_register(picked), picked=picked)
    elif posted:
        context.update(_discover(form))
    if request.htmx and not posted:
        return render(request, f"{TEMPLATE}#provider_fields", context)
    return render(request, TEMPLATE, context)
