"""The Alibaba driver's entry in the conformance suite: the driver against the fake Alibaba Cloud."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.alibaba import AlibabaDriver
from drivers.types import IID
from tests.drivers.alibaba.support import connection_info, fake_cloud
from tests.drivers.conformance.harness import Harness


def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setattr("drivers.alibaba._session.POLL_DELAYS", (0.0,))
    with fake_cloud():
        driver = AlibabaDriver()
        conn = driver.connect(connection_info())
        try:
            yield Harness(
                driver=driver,
                conn=conn,
                image=IID(name_id="ubuntu_22_04_x64_20G_alibase_20240926.vhd"),
                spec_name="ecs.g7.large",
                vpc_cidr="10.20.0.0/16",
                subnet_cidrs=("10.20.1.0/24", "10.20.2.0/24"),
                k8s_upgrade=("1.30.7-aliyun.1", "1.31.1-aliyun.1"),
            )
        finally:
            conn.close()
