"""Edit and delete registrations: a connection's name and parts, a credential's values, unused parts."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from connections import selectors, services
from connections.forms import ConnectionEditForm, CredentialEditForm, RegionEditForm
from connections.models import Credential, Region
from connections.views.common import can_manage, provider_entry, staff_for_posts
from spiderweb.errors import InUse, ServiceError
from spiderweb.htmx import HtmxHttpRequest


@staff_for_posts
def connection_edit(request: HtmxHttpRequest, name: str) -> HttpResponse:
    connection = get_object_or_404(selectors.connection_list(), name=name)
    form = ConnectionEditForm(request.POST if request.method == "POST" else None, connection=connection)
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_update(connection=connection, **form.change())
        except ServiceError as exc:
            form.add_service_error(exc)
            connection.refresh_from_db()
        else:
            messages.success(request, f"Connection {connection.name} saved.")
            return redirect(f"{reverse('home')}?{urlencode({'highlight': connection.name})}")
    context = {"connection": connection, "form": form, "manage": can_manage(request)}
    return render(request, "connections/edit.html", context)


@staff_for_posts
def credential_edit(request: HtmxHttpRequest, name: str) -> HttpResponse:
    credential = get_object_or_404(Credential, name=name)
    provider = provider_entry(credential.provider)
    form = CredentialEditForm(
        request.POST if request.method == "POST" else None,
        credential=credential,
        specs=provider["credential_fields"] if provider else [],
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.credential_update(credential=credential, **form.change())
        except ServiceError as exc:
            form.add_service_error(exc)
            credential.refresh_from_db()
        else:
            messages.success(request, f"Credential {credential.name} saved.")
            return redirect("connection-parts")
    context = {
        "credential": credential,
        "form": form,
        "manage": can_manage(request),
        "users": list(credential.connections.order_by("name").values_list("name", flat=True)),
    }
    return render(request, "connections/credential_edit.html", context)


@staff_for_posts
def region_edit(request: HtmxHttpRequest, name: str) -> HttpResponse:
    region = get_object_or_404(Region, name=name)
    form = RegionEditForm(
        request.POST if request.method == "POST" else None, region=region, provider=provider_entry(region.provider)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.region_update(region=region, **form.change())
        except ServiceError as exc:
            form.add_service_error(exc)
            region.refresh_from_db()
        else:
            messages.success(request, f"Region {region.name} saved.")
            return redirect("connection-parts")
    context = {
        "region": region,
        "form": form,
        "manage": can_manage(request),
        "users": list(region.connections.order_by("name").values_list("name", flat=True)),
    }
    return render(request, "connections/region_edit.html", context)


@require_GET
def parts(request: HtmxHttpRequest) -> HttpResponse:
    """Credentials and regions with how many connections use each: the ones to clean up stand out."""
    context = {
        "credentials": Credential.objects.annotate(used=Count("connections")).order_by("provider", "name"),
        "regions": Region.objects.annotate(used=Count("connections")).order_by("provider", "region", "zone", "name"),
        "manage": can_manage(request),
    }
    return render(request, "connections/parts.html", context)


def _delete_part(request: HtmxHttpRequest, record: Credential | Region, kind: str) -> HttpResponse:
    try:
        if isinstance(record, Credential):
            services.credential_delete(credential=record)
        else:
            services.region_delete(region=record)
    except InUse as exc:
        context = {"message": exc.message, "users": exc.details.get("connections", [])}
        return render(request, "connections/parts.html#refused", context)
    messages.success(request, f"{kind.capitalize()} {record.name} deleted.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("connection-parts"))
    return redirect("connection-parts")


@require_POST
@staff_for_posts
def credential_remove(request: HtmxHttpRequest, name: str) -> HttpResponse:
    return _delete_part(request, get_object_or_404(Credential, name=name), "credential")


@require_POST
@staff_for_posts
def region_remove(request: HtmxHttpRequest, name: str) -> HttpResponse:
    return _delete_part(request, get_object_or_404(Region, name=name), "region")
