from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from spiderweb import health

api_v1: list[URLPattern | URLResolver] = [
    path("", include("connections.api.urls")),
    path("", include("resources.api.urls")),
    path("auth/token/", obtain_auth_token, name="api-token"),
]

urlpatterns = [
    path("", include("resources.urls")),
    path("connections/", include("connections.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The docs are a page for people: an anonymous visitor is sent to the login form, not given a 401.
    path("api/docs/", login_required(SpectacularSwaggerView.as_view(url_name="schema")), name="api-docs"),
]
