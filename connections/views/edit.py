"""Edit and delete registrations: a connection's name and parts, a credential's values, unused parts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from connections import forms, selectors
from connections.models import Credential, Region
from connections.services import credential_delete, region_delete
from connections.views.common import can_manage, provider_entry, staff_for_posts
from spiderweb.errors import InUse


@staff_for_posts
def connection_edit(request: HttpRequest, name: str) -> HttpResponse:
    connection = get_object_or_404(selectors.connection_list(), name=name)
    data = request.POST if request.method == "POST" else {
        "name": connection.name, "credential": connection.credential.name, "region": connection.region.name}
    errors: forms.Errors = {}
    if request.method == "POST":
        errors = forms.update_connection(connection, request.POST)
        if not errors:
            messages.success(request, f"Connection {connection.name} saved.")
            return redirect(f"{reverse('home')}?{urlencode({'highlight': connection.name})}")
        connection.refresh_from_db()
    context = {
        "connection": connection, "data": data, "errors": errors, "manage": can_manage(request),
        "credentials": Credential.objects.filter(provider=connection.provider).order_by("name"),
        "regions": Region.objects.filter(provider=connection.provider).order_by("name"),
    }
    return render(request, "connections/edit.html", context)


@staff_for_posts
def credential_edit(request: HttpRequest, name: str) -> HttpResponse:
    credential = get_object_or_404(Credential, name=name)
    provider = provider_entry(credential.provider)
    specs = provider["credential_fields"] if provider else []
    errors: forms.Errors = {}
    data: Any = request.POST if request.method == "POST" else {"name": credential.name}
    if request.method == "POST":
        errors = forms.update_credential(credential, specs, request.POST)
        if not errors:
            messages.success(request, f"Credential {credential.name} saved.")
            return redirect("connection-parts")
        credential.refresh_from_db()
    context = {
        "credential": credential, "data": data, "errors": errors, "manage": can_manage(request),
        # Stored values are never put back into the page: every input starts empty and empty means keep.
        "rows": forms.field_rows(specs, prefix=forms.CRED, data=data, errors=errors, keep_values=False),
        "users": list(credential.connections.order_by("name").values_list("name", flat=True)),
    }
    return render(request, "connections/credential_edit.html", context)


@staff_for_posts
def region_edit(request: HttpRequest, name: str) -> HttpResponse:
    region = get_object_or_404(Region, name=name)
    provider = provider_entry(region.provider)
    errors: forms.Errors = {}
    if request.method == "POST":
        data: Any = request.POST
        errors = forms.update_region(region, provider or {"region_fields": [], "region_options": []}, data)
        if not errors:
            messages.success(request, f"Region {region.name} saved.")
            return redirect("connection-parts")
        region.refresh_from_db()
    else:
        data = {"name": region.name, f"{forms.PLACE}region": region.region, f"{forms.PLACE}zone": region.zone,
                **{f"{forms.OPTION}{key}": str(value).lower() if isinstance(value, bool) else str(value)
                   for key, value in region.options.items()}}
    context = {
        "region": region, "data": data, "errors": errors, "manage": can_manage(request),
        "place_rows": forms.field_rows(provider["region_fields"] if provider else [], prefix=forms.PLACE, data=data,
                                       errors=errors),
        "option_rows": forms.field_rows(provider["region_options"] if provider else [], prefix=forms.OPTION,
                                        data=data, errors=errors),
        "users": list(region.connections.order_by("name").values_list("name", flat=True)),
    }
    return render(request, "connections/region_edit.html", context)


@require_GET
def parts(request: HttpRequest) -> HttpResponse:
    """Credentials and regions with how many connections use each: the ones to clean up stand out."""
    context = {
        "credentials": Credential.objects.annotate(used=Count("connections")).order_by("provider", "name"),
        "regions": Region.objects.annotate(used=Count("connections")).order_by("provider", "region", "zone", "name"),
        "manage": can_manage(request),
    }
    return render(request, "connections/parts.html", context)


def _delete_part(request: HttpRequest, record: Credential | Region, kind: str) -> HttpResponse:
    try:
        if isinstance(record, Credential):
            credential_delete(credential=record)
        else:
            region_delete(region=record)
    except InUse as exc:
        context = {"message": exc.message, "users": exc.details.get("connections", [])}
        return render(request, "connections/parts.html#refused", context)
    messages.success(request, f"{kind.capitalize()} {record.name} deleted.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("connection-parts"))
    return redirect("connection-parts")


@require_POST
@staff_for_posts
def credential_remove(request: HttpRequest, name: str) -> HttpResponse:
    return _delete_part(request, get_object_or_404(Credential, name=name), "credential")


@require_POST
@staff_for_posts
def region_remove(request: HttpRequest, name: str) -> HttpResponse:
    return _delete_part(request, get_object_or_404(Region, name=name), "region")
