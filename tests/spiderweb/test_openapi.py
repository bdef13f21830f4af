"""/api/schema/ is valid OpenAPI 3 and /api/docs/ renders from local assets only."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3_with_create_examples(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/drivers/", "/api/v1/credentials/", "/api/v1/regions/", "/api/v1/connections/"):
        create = spec["paths"][path]["post"]
        assert create["requestBody"]["content"]["application/json"].get("examples"), path
    assert "/api/v1/connections/{name}/verify/" in spec["paths"]


def test_docs_render_with_local_assets_only(client, user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources, page
    assert all(not re.match(r"^(https?:)?//", src) for src in sources), sources
    for src in sources:
        if src.startswith("/static/"):
            assert client.get(src).status_code == 200, src
