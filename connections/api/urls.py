"""Routes of the registry API; the names are the ones DRF's router gave them, which clients may reverse."""

from django.urls import path

from connections.api import views

urlpatterns = [
    path("providers/", views.ProviderCollection.as_view(), name="provider-list"),
    path("providers/<str:name>/", views.ProviderItem.as_view(), name="provider-detail"),
    path("drivers/", views.DriverCollection.as_view(), name="driver-list"),
    path("drivers/<str:name>/", views.DriverItem.as_view(), name="driver-detail"),
    path("credentials/", views.CredentialCollection.as_view(), name="credential-list"),
    path("credentials/<str:name>/", views.CredentialItem.as_view(), name="credential-detail"),
    path("regions/", views.RegionCollection.as_view(), name="region-list"),
    path("regions/<str:name>/", views.RegionItem.as_view(), name="region-detail"),
    path("connections/", views.ConnectionCollection.as_view(), name="connection-list"),
    path("connections/<str:name>/", views.ConnectionItem.as_view(), name="connection-detail"),
    path(
        "connections/<str:name>/capabilities/", views.ConnectionCapabilities.as_view(), name="connection-capabilities"
    ),
    path("connections/<str:name>/verify/", views.ConnectionVerify.as_view(), name="connection-verify"),
]
