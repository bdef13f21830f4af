"""Fixtures for the KT Cloud Classic driver tests: the fake KT Cloud, and a connection to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.ktclassic import KTClassicConnection, KTClassicDriver
from tests.drivers.ktclassic.fake import FakeKT, running
from tests.drivers.ktclassic.support import connection_info, fresh_driver


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs are polled without pauses: the fake finishes them a few requests later anyway."""
    monkeypatch.setattr("drivers.ktclassic._client.POLL_DELAYS", (0.0,))


@pytest.fixture
def fake() -> Iterator[FakeKT]:
    """The fake KT Cloud, intercepting all HTTP for the test; its state is open to assertions."""
    with running() as cloud:
        yield cloud


@pytest.fixture
def driver(redis_url: str) -> Iterator[KTClassicDriver]:
    """The driver, keeping its emulated records in the test Redis (wiped before and after)."""
    yield from fresh_driver(redis_url)


@pytest.fixture
def kt(fake: FakeKT, driver: KTClassicDriver) -> Iterator[KTClassicConnection]:
    """A connection to the fake in zone KOR-Seoul M2."""
    conn = driver.connect(connection_info())
    yield conn
    conn.close()
