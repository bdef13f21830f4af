"""Fixtures for the Alibaba driver tests: the fake Alibaba Cloud, and a connection to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.alibaba import AlibabaConnection, AlibabaDriver
from tests.drivers.alibaba.fake import FakeAlibaba
from tests.drivers.alibaba.support import connection_info, fake_cloud


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asynchronous states are polled without pauses: the fake moves them on per poll anyway."""
    monkeypatch.setattr("drivers.alibaba._session.POLL_DELAYS", (0.0,))


@pytest.fixture
def fake() -> Iterator[FakeAlibaba]:
    with fake_cloud() as cloud:
        yield cloud


@pytest.fixture
def ali(fake: FakeAlibaba) -> Iterator[AlibabaConnection]:
    """A connection to the fake in cn-hangzhou with no zone configured."""
    conn = AlibabaDriver().connect(connection_info())
    yield conn
    conn.close()
