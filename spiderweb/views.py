"""Pages that belong to no single app."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from connections import selectors


def home(request: HttpRequest) -> HttpResponse:
    connections = list(selectors.connection_list().order_by("provider", "region__region", "region__zone", "name"))
    grouped = [
        (provider, [(region, list(items)) for region, items in groupby(group, key=lambda c: c.region.region)])
        for provider, group in groupby(connections, key=lambda c: c.provider)
    ]
    return render(request, "home.html", {"grouped": grouped, "total": len(connections)})
