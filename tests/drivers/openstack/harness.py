"""The OpenStack driver's entry in the conformance suite: the driver against the fake OpenStack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.registry import get_driver
from drivers.types import IID
from tests.drivers.conformance.harness import Harness
from tests.drivers.openstack.support import connection_info, fake_cloud


def harness_for(provider: str, request: pytest.FixtureRequest) -> Iterator[Harness]:
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setattr("drivers.openstack._session.POLL_DELAYS", (0.0,))
    monkeypatch.setattr("drivers.openstack._session.WAIT_TIMEOUT", 10.0)
    with fake_cloud(provider):
        driver = get_driver(provider)
        conn = driver.connect(connection_info(provider))
        try:
            yield Harness(
                driver=driver,
                conn=conn,
                image=IID(name_id="ubuntu-22.04"),
                spec_name="m1.small",
                vpc_cidr="10.20.0.0/16",
                subnet_cidrs=("10.20.1.0/24", "10.20.2.0/24"),
                timeout_s=10.0,
                # The fake publishes cluster templates of these Kubernetes versions (fake/magnum.py).
                k8s_upgrade=("1.27.8", "1.28.9"),
                # Magnum's API names no node servers of a node group (only addresses): nodes stay empty.
                cluster_nodes_emulated=False,
            )
        finally:
            conn.close()


def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    yield from harness_for("openstack", request)
