"""Every page and API call needs a logged-in user, except /healthz; the API takes token, Basic and session."""

from __future__ import annotations

import base64

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/connections/", "/api/v1/providers/", "/api/v1/credentials/", "/api/schema/"])
def test_anonymous_api_calls_are_401(anon, path) -> None:  # type: ignore[no-untyped-def]
    response = anon.get(path, HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("path", ["/", "/api/docs/"])
def test_anonymous_pages_redirect_to_login(client, path) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_anonymous_admin_redirects_to_its_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_healthz_needs_no_login(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/healthz").status_code == 200


def test_token_authentication(api) -> None:  # type: ignore[no-untyped-def]
    assert api.get("/api/v1/connections/").status_code == 200


def test_basic_authentication(user) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    good = base64.b64encode(f"{user.username}:s3cret-pass!".encode()).decode()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {good}")
    assert client.get("/api/v1/connections/").status_code == 200
    bad = base64.b64encode(f"{user.username}:wrong".encode()).decode()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {bad}")
    assert client.get("/api/v1/connections/").status_code == 401


def test_session_authentication_after_login_form(client, user) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/login/", {"username": user.username, "password": "s3cret-pass!"})
    assert response.status_code == 302
    assert client.get("/api/v1/connections/").status_code == 200
    assert client.get("/").status_code == 200


def test_token_obtained_with_password(anon, user) -> None:  # type: ignore[no-untyped-def]
    response = anon.post("/api/v1/auth/token/", {"username": user.username, "password": "s3cret-pass!"}, format="json")
    assert response.status_code == 200
    anon.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert anon.get("/api/v1/providers/").status_code == 200


def test_admin_is_for_superusers_only(client, user, django_user_model) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user)
    assert client.get("/admin/").status_code == 302
    root = django_user_model.objects.create_superuser(username="root", password="pw-123-abc!")
    client.force_login(root)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/connections/connection/").status_code == 200
