from django.urls import include, path

from resources.views import bulk, catalogue, dashboard, detail, operations, resources

urlpatterns = [
    path("", dashboard.overview, name="dashboard"),
    path("dashboard/refresh/", dashboard.refresh_start, name="dashboard-refresh"),
    path("dashboard/refresh/<uuid:operation_id>/", dashboard.refresh_progress, name="dashboard-refresh-progress"),
    path("operations/", operations.operations, name="operations"),
    path("catalogue/regions/", catalogue.regions, name="catalogue-regions"),
    path("catalogue/images/", catalogue.images, name="catalogue-images"),
    path("catalogue/specs/", catalogue.specs, name="catalogue-specs"),
    path("catalogue/prices/", catalogue.prices, name="catalogue-prices"),
    path("resources/", include("resources.create_urls")),
    path("resources/<str:segment>/", resources.resource_list, name="resource-list"),
    # `bulk` is a fixed word in the place of a connection name: routed before the per-connection routes.
    path("resources/<str:segment>/bulk/", bulk.resource_bulk, name="resource-bulk"),
    path("resources/<str:segment>/<str:conn>/<str:name>/", detail.resource_detail, name="resource-detail"),
    path("resources/<str:segment>/<str:conn>/<str:name>/tags/", detail.tag_change, name="resource-tags"),
    path("resources/<str:segment>/<str:conn>/<str:name>/actions/", detail.resource_action, name="resource-action"),
    path("resources/<str:segment>/<str:conn>/<str:name>/register/", detail.resource_adopt, name="resource-adopt"),
    path("operations/<uuid:operation_id>/row/", operations.operation_row, name="operation-row"),
]
