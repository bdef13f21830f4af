"""The ktvpc driver's entry in the conformance suite: the driver against the fake laid out as that cloud."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.drivers.conformance.harness import Harness
from tests.drivers.openstack.harness import harness_for


def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    yield from harness_for("ktvpc", request)
