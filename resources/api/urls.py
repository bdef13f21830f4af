"""Routes of the resource API. Each kind's routes come from its declaration in `resources.kinds`."""

from django.urls import URLPattern, URLResolver, include, path

from resources import kinds
from resources.api import adoption, extras, inventory, inventory_refresh, meta
from resources.api.operations import OperationDetail, OperationList


def _kind_patterns(spec: kinds.KindSpec) -> list[URLPattern | URLResolver]:
    """`{segment}/…` of one kind: register/reconcile first (fixed words before `<name>`), then its own routes."""
    found: list[URLPattern | URLResolver] = []
    segment, kind = spec.segment, spec.name
    if spec.adoptable:
        found += [
            path(f"{segment}/register/", adoption.register_view(spec).as_view(), name=f"{segment}-register"),
            path(f"{segment}/reconcile/", adoption.Reconcile.as_view(kind=kind), name=f"{segment}-reconcile"),
            path(
                f"{segment}/<str:name>/unregister/",
                adoption.Unregister.as_view(kind=kind),
                name=f"{segment}-unregister",
            ),
            path(f"{segment}/<str:name>/tags/", extras.ResourceTags.as_view(kind=kind), name=f"{segment}-tags"),
            path(f"{segment}/<str:name>/tags/<str:key>/", extras.ResourceTag.as_view(kind=kind), name=f"{segment}-tag"),
        ]
    if spec.api_routes:
        found.append(path(f"{segment}/", include(kinds.resolve(spec.api_routes))))
    return found


connection_patterns: list[URLPattern | URLResolver] = [
    *meta.urlpatterns,
    path("tags/", extras.TagSearch.as_view(), name="tag-search"),
    path("anycall/", extras.AnyCall.as_view(), name="anycall"),
    path("destroy/", extras.Destroy.as_view(), name="destroy"),
]
for each in kinds.all_kinds():
    connection_patterns += _kind_patterns(each)

urlpatterns = [
    path("connections/<str:conn>/", include(connection_patterns)),
    path("inventory/refresh/", inventory_refresh.InventoryRefresh.as_view(), name="inventory-refresh"),
    path("inventory/", include(inventory.urlpatterns)),
    path("operations/", OperationList.as_view(), name="operation-list"),
    path("operations/<uuid:operation_id>/", OperationDetail.as_view(), name="operation-detail"),
]
