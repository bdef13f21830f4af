"""Fixtures for the NCP driver tests: the fake NCP, and connections to it on both platforms."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.ncp import NCPClassicDriver, NCPConnection, NCPDriver
from tests.drivers.ncp.fake import FakeNCP
from tests.drivers.ncp.support import connection_info, fake_cloud


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """States are polled without pauses: the fake moves them on with every request anyway."""
    monkeypatch.setattr("drivers.ncp._common.POLL_DELAYS", (0.0,))


@pytest.fixture
def fake() -> Iterator[FakeNCP]:
    with fake_cloud() as cloud:
        yield cloud


@pytest.fixture
def ncp(fake: FakeNCP) -> Iterator[NCPConnection]:
    conn = NCPDriver().connect(connection_info())
    yield conn
    conn.close()


@pytest.fixture
def classic(fake: FakeNCP) -> Iterator[NCPConnection]:
    conn = NCPClassicDriver().connect(connection_info(provider="ncpclassic"))
    yield conn
    conn.close()
