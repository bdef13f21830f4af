"""Fixtures for the AWS driver tests: a moto server on loopback, wiped before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.aws import AWSConnection
from tests.drivers.aws import emulator


@pytest.fixture(scope="session")
def moto_url() -> str:
    return emulator.endpoint()


@pytest.fixture
def aws(moto_url: str) -> Iterator[AWSConnection]:
    """A connection to a freshly reset emulator in us-east-1."""
    emulator.reset()
    conn = emulator.connect()
    yield conn
    conn.close()
