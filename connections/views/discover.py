"""Bulk discovery: ask a cloud which regions and zones it offers, then register the ones picked."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from connections import forms, selectors, services
from connections.models import Credential
from connections.services import Place
from connections.views.common import can_manage, staff_for_posts
from connections.views.register import chosen_provider, provider_context
from spiderweb.errors import CloudFailure, ServiceError

TEMPLATE = "connections/discover.html"


def _discover(data: Any, provider: dict[str, Any], errors: forms.Errors) -> tuple[Credential | None, list[Place]]:
    """Ask the cloud; a new credential is kept only when the cloud accepted it."""
    credential = forms._part(data, provider, "credential", errors)
    if not data.get("bootstrap", "").strip():
        errors["bootstrap"] = "Name a region to ask the cloud through."
    if errors:
        return None, []
    try:
        return services.places_discover(provider=provider["name"], credential=credential,
                                        bootstrap=data.get("bootstrap", ""))
    except CloudFailure as exc:
        errors["cloud"] = exc.message
    except ServiceError as exc:
        errors.update(forms.service_errors(exc))
    return None, []


def _rows(credential: Credential, places: list[Place]) -> list[dict[str, Any]]:
    registered = selectors.places_connected(credential=credential)
    return [{"value": f"{region}|{zone}", "region": region, "zone": zone, "registered": (region, zone) in registered}
            for region, zone in places]


def _register(data: Any, provider: dict[str, Any], errors: forms.Errors) -> dict[str, Any]:
    """Register the picked places, after asking the cloud again that it really offers them."""
    credential = Credential.objects.filter(name=data.get("credential", ""), provider=provider["name"]).first()
    if credential is None:
        errors["credential"] = "Discover again: that credential is gone."
        return {}
    bootstrap = data.get("bootstrap", "")
    picked = [Place(*value.split("|", 1)) for value in data.getlist("place") if "|" in value]
    try:
        if picked:
            report = services.places_register(credential=credential, bootstrap=bootstrap, places=picked)
        else:
            errors["place"] = "Pick at least one region or zone."
            report = services.PlacesReport(offered=services.places_offered(credential=credential,
                                                                            bootstrap=bootstrap))
    except ServiceError as exc:
        errors["cloud"] = exc.message
        return {}
    return {"credential": credential, "bootstrap": bootstrap, "report": report,
            "rows": _rows(credential, sorted(report.offered))}


@staff_for_posts
def discover(request: HttpRequest) -> HttpResponse:
    catalogue = selectors.provider_catalogue()
    data = request.POST if request.method == "POST" else request.GET
    provider = chosen_provider(catalogue, data)
    errors: forms.Errors = {}
    result: dict[str, Any] = {}
    if request.method == "POST" and provider is None:
        errors["provider"] = "Pick one of the installed providers."
    elif request.method == "POST" and data.get("action") == "register":
        result = _register(data, provider, errors)  # type: ignore[arg-type]
    elif request.method == "POST":
        credential, places = _discover(data, provider, errors)  # type: ignore[arg-type]
        if credential is not None:
            result = {"credential": credential, "bootstrap": data.get("bootstrap", "").strip(),
                      "rows": _rows(credential, places)}
    context = {"catalogue": catalogue, "data": data, "errors": errors, "manage": can_manage(request), **result,
               **provider_context(provider, data, errors, with_region=False)}
    if request.htmx and request.method == "GET":
        return render(request, f"{TEMPLATE}#provider_fields", context)
    return render(request, TEMPLATE, context)
