"""Fixtures for the Tencent driver tests: the fake Tencent Cloud, and a connection to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.tencent import TencentConnection, TencentDriver
from tests.drivers.tencent.fake import FakeTencent, running
from tests.drivers.tencent.support import connection_info


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slow operations are polled without pauses: the fake finishes them on a later poll anyway."""
    monkeypatch.setattr("drivers.tencent._session.POLL_DELAYS", (0.0,))


@pytest.fixture
def fake() -> Iterator[FakeTencent]:
    """The fake Tencent Cloud, intercepting all HTTP for the test; its state is open to assertions."""
    with running() as cloud:
        yield cloud


@pytest.fixture
def tencent(fake: FakeTencent) -> Iterator[TencentConnection]:
    """A connection to the fake in ap-guangzhou with no zone configured."""
    conn = TencentDriver().connect(connection_info())
    yield conn
    conn.close()
