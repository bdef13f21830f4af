"""Fixtures for the OpenStack-family driver tests: the fake cloud, and a connection to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.openstack import OpenStackConnection, OpenStackDriver
from tests.drivers.openstack.fake import FakeOpenStack
from tests.drivers.openstack.support import connection_info, fake_cloud


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Waits poll without pauses (the fake settles after a number of polls, not of seconds)."""
    monkeypatch.setattr("drivers.openstack._session.POLL_DELAYS", (0.0,))
    monkeypatch.setattr("drivers.openstack._session.WAIT_TIMEOUT", 10.0)


@pytest.fixture
def fake() -> Iterator[FakeOpenStack]:
    with fake_cloud() as cloud:
        yield cloud


@pytest.fixture
def conn(fake: FakeOpenStack) -> Iterator[OpenStackConnection]:
    connection = OpenStackDriver().connect(connection_info())
    yield connection
    connection.close()
