"""Dashboard forms that create resources, one per kind."""

from django.urls import URLPattern, path

from resources.views import create_index, create_network

urlpatterns: list[URLPattern] = [
    path("<str:segment>/new/", create_index.resource_create, name="resource-create"),
    path("<str:segment>/new/<uuid:operation_id>/", create_index.create_done, name="resource-create-done"),
    path(
        "<str:segment>/new/<uuid:operation_id>/private-key/",
        create_network.private_key_download,
        name="resource-create-key",
    ),
]
