from django.urls import path

from resources.views import dashboard

urlpatterns = [
    path("", dashboard.overview, name="dashboard"),
    path("dashboard/refresh/", dashboard.refresh_start, name="dashboard-refresh"),
    path("dashboard/refresh/<uuid:operation_id>/", dashboard.refresh_progress, name="dashboard-refresh-progress"),
]
