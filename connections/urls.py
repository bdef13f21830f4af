"""Dashboard pages for registering and managing cloud connections."""

from django.urls import path

from connections.views import discover, edit, listing, register

urlpatterns = [
    path("", listing.home, name="home"),
    path("new/", register.register, name="connection-register"),
    path("discover/", discover.discover, name="connection-discover"),
    path("parts/", edit.parts, name="connection-parts"),
    path("credentials/<str:name>/edit/", edit.credential_edit, name="credential-edit"),
    path("credentials/<str:name>/delete/", edit.credential_remove, name="credential-delete"),
    path("regions/<str:name>/edit/", edit.region_edit, name="region-edit"),
    path("regions/<str:name>/delete/", edit.region_remove, name="region-delete"),
    path("<str:name>/edit/", edit.connection_edit, name="connection-edit"),
    path("<str:name>/verify/", listing.verify, name="connection-test"),
    path("<str:name>/delete/", listing.delete, name="connection-delete"),
]
