"""Meta information of one connection: region-zones, images, specs and prices."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
