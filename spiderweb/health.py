"""`/healthz`: is the database answering, and the broker (and cache) when one is configured."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

PROBE_TIMEOUT_SECONDS = 3


def _probe(check: Callable[[], Any]) -> dict[str, Any]:
    started = time.monotonic()
    try:
        check()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__, "ms": round((time.monotonic() - started) * 1000)}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    from spiderweb.celery import app

    with app.connection_for_write(settings.SPIDERWEB_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS)


def _cache() -> None:
    cache.set("healthz", "1", timeout=10)
    if cache.get("healthz") != "1":
        raise RuntimeError("cache did not return what was written")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {"database": {"engine": connection.vendor, **_probe(_database)}}
    if settings.SPIDERWEB_BROKER_URL:
        checks["broker"] = {"mode": "celery", **_probe(_broker)}
    else:
        checks["broker"] = {"mode": "in-process", "ok": True}
    checks["cache"] = {"mode": "redis", **_probe(_cache)} if settings.REDIS_URL else {"mode": "memory", "ok": True}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
