"""Dashboard forms that create resources, one per kind."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
