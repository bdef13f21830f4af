from django.urls import include, path

from resources.api import meta

urlpatterns = [
    path("connections/<str:conn>/", include(meta.urlpatterns)),
]
