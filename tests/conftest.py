"""Test-wide setup: the suite runs against real PostgreSQL and Redis, never a silent substitute."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.worker import celery_worker  # noqa: F401 - a fixture for every test module


def _require_services() -> None:
    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL must point at PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/spiderweb)")
    if not settings.REDIS_URL:
        problems.append("REDIS_URL must point at Redis (e.g. redis://127.0.0.1:6379/1)")
    else:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            problems.append(f"Redis at REDIS_URL is not answering ({exc})")
    if problems:
        hint = "run the suite with `make test` (it sets them); `.ci/run` also starts the services"
        pytest.exit(
            "the test suite needs PostgreSQL and Redis:\n  - " + "\n  - ".join(problems) + f"\n{hint}", returncode=3
        )


def pytest_configure(config: pytest.Config) -> None:
    # Drivers' own tests run without Django too; only check when Django is in charge.
    if os.environ.get("DJANGO_SETTINGS_MODULE") or config.getini("DJANGO_SETTINGS_MODULE"):
        _require_services()


@pytest.fixture(autouse=True)
def celery_in_process() -> Iterator[None]:
    """Tasks run in the calling process unless a test asks for a real worker (the `celery_worker` fixture)."""
    from spiderweb.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def quick_retries(settings) -> None:  # type: ignore[no-untyped-def]
    """Keep the transient-error retry policy's shape but not its pauses."""
    settings.SPIDERWEB_RETRY = {"attempts": 3, "base_delay": 0.01, "max_delay": 0.05}
    settings.SPIDERWEB_OPERATION_WAIT_SECONDS = 15
    settings.SPIDERWEB_CLUSTER_POLL_SECONDS = 0.2
    # Each test that wants the listing refreshed after a change turns it on itself.
    settings.SPIDERWEB_INVENTORY_REFRESH_AFTER_CHANGE = False


@pytest.fixture
def user(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(username=f"user-{uuid.uuid4().hex[:8]}", password="s3cret-pass!")


@pytest.fixture
def api(user) -> APIClient:  # type: ignore[no-untyped-def]
    """An API client authenticated by token, as scripts and the CLI are."""
    client = APIClient()
    token = Token.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def mock_tenant() -> Iterator[str]:
    """A fresh mock-cloud tenant (its MockName) so tests never see each other's cloud state."""
    yield f"t-{uuid.uuid4().hex[:12]}"
