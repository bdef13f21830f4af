"""Fixtures for the GCP driver tests: the fake Google Cloud, and a connection to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.gcp import GCPConnection, GCPDriver
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.support import connection_info, fake_cloud


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Operations are polled without pauses: the fake finishes them on a later poll anyway."""
    monkeypatch.setattr("drivers.gcp._session.POLL_DELAYS", (0.0,))


@pytest.fixture
def fake() -> Iterator[FakeGCP]:
    """The fake Google Cloud, intercepting all HTTP for the test; its state is open to assertions."""
    with fake_cloud() as cloud:
        yield cloud


@pytest.fixture
def gcp(fake: FakeGCP) -> Iterator[GCPConnection]:
    """A connection to the fake in us-central1 with no zone configured."""
    conn = GCPDriver().connect(connection_info())
    yield conn
    conn.close()
