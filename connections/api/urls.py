from rest_framework.routers import SimpleRouter

from connections.api import views

router = SimpleRouter()
router.register("providers", views.ProviderViewSet, basename="provider")
router.register("drivers", views.DriverViewSet, basename="driver")
router.register("credentials", views.CredentialViewSet, basename="credential")
router.register("regions", views.RegionViewSet, basename="region")
router.register("connections", views.ConnectionViewSet, basename="connection")

urlpatterns = router.urls
