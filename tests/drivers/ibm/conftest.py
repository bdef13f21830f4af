"""Fixtures for the IBM driver tests: the fake IBM Cloud, and a connection to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.ibm import IBMConnection, IBMDriver
from tests.drivers.ibm.fake import FakeIBM
from tests.drivers.ibm.support import connection_info, fake_cloud


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settling resources are polled without pauses: the fake moves them on with each request anyway."""
    monkeypatch.setattr("drivers.ibm._session.POLL_DELAYS", (0.0,))


@pytest.fixture
def fake() -> Iterator[FakeIBM]:
    with fake_cloud() as cloud:
        yield cloud


@pytest.fixture
def ibm(fake: FakeIBM) -> Iterator[IBMConnection]:
    """A connection to the fake in us-south with no zone configured."""
    conn = IBMDriver().connect(connection_info())
    yield conn
    conn.close()
