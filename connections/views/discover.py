"""Bulk discovery: ask a cloud which regions and zones it offers, then register the ones picked."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from connections import forms, selectors, services
from connections.models import Credential
from connections.views.common import can_manage, failure_message, staff_for_posts
from connections.views.register import chosen_provider, provider_context
from drivers.errors import DriverError
from drivers.types import RegionZoneInfo
from spiderweb.errors import ServiceError

TEMPLATE = "connections/discover.html"


def _places(found: list[RegionZoneInfo]) -> list[tuple[str, str]]:
    """Every zone of every region; a region without zones is a place of its own."""
    places = []
    for region in found:
        places.extend((region.name, zone.name) for zone in region.zones)
        if not region.zones:
            places.append((region.name, ""))
    return places


def _ask(credential: Credential, bootstrap: str, errors: forms.Errors) -> list[tuple[str, str]]:
    try:
        return _places(services.region_zones_discover(credential=credential, region=bootstrap))
    except (DriverError, ServiceError) as exc:
        errors["cloud"] = failure_message(exc)
        return []


def _discover(data: Any, provider: dict[str, Any], errors: forms.Errors) -> tuple[Credential | None, list[Any]]:
    """Ask the cloud; a new credential is kept only when the cloud accepted it."""
    bootstrap = data.get("bootstrap", "").strip()
    with transaction.atomic():
        credential = forms.credential_from(data, provider, errors)
        if not bootstrap:
            errors["bootstrap"] = "Name a region to ask the cloud through."
        places = _ask(credential, bootstrap, errors) if credential is not None and not errors else []
        if errors:
            transaction.set_rollback(True)
            return None, []
    return credential, places


def _rows(credential: Credential, places: list[tuple[str, str]]) -> list[dict[str, Any]]:
    registered = forms.registered_places(credential)
    return [{"value": f"{region}|{zone}", "region": region, "zone": zone, "registered": (region, zone) in registered}
            for region, zone in places]


def _register(data: Any, provider: dict[str, Any], errors: forms.Errors) -> dict[str, Any]:
    """Register the picked places, after asking the cloud again that it really offers them."""
    credential = Credential.objects.filter(name=data.get("credential", ""), provider=provider["name"]).first()
    if credential is None:
        errors["credential"] = "Discover again: that credential is gone."
        return {}
    bootstrap = data.get("bootstrap", "")
    offered = set(_ask(credential, bootstrap, errors))
    if errors:
        return {}
    picked = [tuple(value.split("|", 1)) for value in data.getlist("place") if "|" in value]
    if not picked:
        errors["place"] = "Pick at least one region or zone."
    wanted = [(region, zone) for region, zone in picked if (region, zone) in offered]
    report = forms.register_places(credential, wanted) if wanted else forms.Report()
    report.failed.extend((forms.place_label(region, zone), "the cloud does not offer it")
                         for region, zone in picked if (region, zone) not in offered)
    return {"credential": credential, "bootstrap": bootstrap, "report": report,
            "rows": _rows(credential, sorted(offered))}


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
