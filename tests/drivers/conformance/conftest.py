"""Every conformance test takes `cloud` and so runs once per driver in HARNESSES."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.drivers.conformance.harness import HARNESSES, Harness


@pytest.fixture(params=sorted(HARNESSES))
def cloud(request: pytest.FixtureRequest) -> Iterator[Harness]:
    yield from HARNESSES[request.param](request)
