"""Fixtures for the driver tests. They need Redis (for the mock's shared state), never Django."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from drivers.mock import MockConnection, MockDriver
from tests.drivers.support import SETTLE_SECONDS, MakeConnection, connection_info


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("SPIDERWEB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"the driver tests need Redis at {url} (set SPIDERWEB_TEST_REDIS_URL): {exc}", pytrace=False)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mockcloud.sqlite3'}"


@pytest.fixture(params=["redis", "sqlite"])
def store_url(request: pytest.FixtureRequest) -> str:
    """Each mock-store test runs on both backends."""
    fixture = "redis_url" if request.param == "redis" else "sqlite_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def tenant() -> str:
    """A fresh MockName, so no two tests share cloud state."""
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def mock_driver(redis_url: str, tenant: str) -> Iterator[MockDriver]:
    driver = MockDriver(store_url=redis_url, settle_seconds=SETTLE_SECONDS)
    yield driver
    driver.wipe_tenant(tenant)


@pytest.fixture
def make_connection(mock_driver: MockDriver, tenant: str) -> MakeConnection:
    """Open a connection of the test's tenant: `make_connection(region="venus", down=True)`."""

    def make(*, region: str = "mars", zone: str = "", **options: Any) -> MockConnection:
        return mock_driver.connect(connection_info(tenant, region=region, zone=zone, **options))

    return make


@pytest.fixture
def conn(make_connection: MakeConnection) -> MockConnection:
    """A connection to region mars with no faults."""
    return make_connection()
