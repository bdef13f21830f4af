"""Fixtures for the Azure driver tests: the fake Azure answering every HTTP request, and a connection
to it. No test reaches the network: a request the fake does not know fails the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.azure import AzureConnection, AzureDriver
from tests.drivers.azure.fake import FakeAzure


@pytest.fixture
def fake_azure() -> Iterator[FakeAzure]:
    """A fresh fake account (tenant, service principal, subscription), answering while the test runs."""
    with FakeAzure().running() as fake:
        yield fake


@pytest.fixture
def azure_driver() -> AzureDriver:
    """Polls operations without waiting, and gives up on one after a few seconds."""
    return AzureDriver(polling_interval=0, lro_timeout=5)


@pytest.fixture
def azure(fake_azure: FakeAzure, azure_driver: AzureDriver) -> Iterator[AzureConnection]:
    """A connection to koreacentral of the fake account, with Spiderweb's own resource group policy."""
    conn = azure_driver.connect(fake_azure.connection_info())
    yield conn
    conn.close()
