"""The IBM driver's entry in the conformance suite: the driver against the fake IBM Cloud."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.ibm import IBMDriver
from drivers.types import IID
from tests.drivers.conformance.harness import Harness
from tests.drivers.ibm.support import connection_info, fake_cloud


def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setattr("drivers.ibm._session.POLL_DELAYS", (0.0,))
    with fake_cloud():
        driver = IBMDriver()
        conn = driver.connect(connection_info())
        try:
            yield Harness(
                driver=driver,
                conn=conn,
                image=IID(name_id="ibm-ubuntu-22-04-4-minimal-amd64-1"),
                spec_name="bx2-2x8",
                vpc_cidr="10.20.0.0/16",
                subnet_cidrs=("10.20.1.0/24", "10.20.2.0/24"),
            )
        finally:
            conn.close()
