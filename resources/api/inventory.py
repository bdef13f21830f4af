"""Read API across all connections: `inventory/summary/` and `inventory/{kind}/`."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
