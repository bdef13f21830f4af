"""/healthz reports whether the database, the broker and the cache answer."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_broker_and_cache(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"] == {"engine": "postgresql", "ok": True, "ms": body["database"]["ms"]}
    assert body["broker"]["mode"] == "celery"
    assert body["broker"]["ok"] is True
    assert body["cache"]["ok"] is True


def test_healthz_is_503_when_the_broker_is_unreachable(client) -> None:  # type: ignore[no-untyped-def]
    with override_settings(SPIDERWEB_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


def test_healthz_in_embedded_mode_reports_in_process_tasks(client) -> None:  # type: ignore[no-untyped-def]
    with override_settings(SPIDERWEB_BROKER_URL="", REDIS_URL=""):
        body = client.get("/healthz").json()
    assert body["broker"] == {"mode": "in-process", "ok": True}
