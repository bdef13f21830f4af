"""The Tencent driver's entry in the conformance suite: the driver against the fake Tencent Cloud."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.tencent import TencentDriver
from drivers.types import IID
from tests.drivers.conformance.harness import Harness
from tests.drivers.tencent.fake import running
from tests.drivers.tencent.support import connection_info


def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setattr("drivers.tencent._session.POLL_DELAYS", (0.0,))
    with running():
        driver = TencentDriver()
        conn = driver.connect(connection_info())
        try:
            yield Harness(
                driver=driver,
                conn=conn,
                image=IID(name_id="img-487zeit5"),  # Ubuntu Server 22.04 LTS 64bit
                spec_name="S5.MEDIUM4",
                vpc_cidr="10.20.0.0/16",
                subnet_cidrs=("10.20.1.0/24", "10.20.2.0/24"),
                k8s_upgrade=("1.28.3", "1.30.0"),
            )
        finally:
            conn.close()
