"""The conformance harness of the Azure driver: the fake Azure answering a connection to koreacentral."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.azure import AzureDriver
from drivers.types import IID
from tests.drivers.azure.fake import FakeAzure
from tests.drivers.conformance.harness import Harness


def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    with FakeAzure().running() as fake:
        driver = AzureDriver(polling_interval=0, lro_timeout=5)
        conn = driver.connect(fake.connection_info())
        try:
            yield Harness(
                driver=driver,
                conn=conn,
                image=IID(name_id="Canonical:ubuntu-24_04-lts:server:latest"),
                spec_name="Standard_B2s",
                vpc_cidr="10.20.0.0/16",
                subnet_cidrs=("10.20.1.0/24", "10.20.2.0/24"),
            )
        finally:
            conn.close()
