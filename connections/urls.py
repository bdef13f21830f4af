"""Dashboard pages for registering and managing cloud connections."""

from django.urls import path

from spiderweb import views

urlpatterns = [
    path("", views.home, name="home"),
]
