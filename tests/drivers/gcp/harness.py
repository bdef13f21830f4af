"""The GCP driver's entry in the conformance suite: the driver against the fake Google Cloud."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.gcp import GCPDriver
from drivers.types import IID
from tests.drivers.conformance.harness import Harness
from tests.drivers.gcp.support import connection_info, fake_cloud


def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setattr("drivers.gcp._session.POLL_DELAYS", (0.0,))
    with fake_cloud():
        driver = GCPDriver()
        conn = driver.connect(connection_info())
        try:
            yield Harness(
                driver=driver,
                conn=conn,
                image=IID(name_id="projects/debian-cloud/global/images/family/debian-12"),
                spec_name="e2-standard-2",
                vpc_cidr="10.20.0.0/16",
                subnet_cidrs=("10.20.1.0/24", "10.20.2.0/24"),
            )
        finally:
            conn.close()
