"""The API key and connection the IBM tests use against the fake."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest.mock import patch

from drivers.types import ConnectionInfo
from tests.drivers.ibm.fake import FakeIBM, running

API_KEY = "0vBq3sXy9-ExampleKey_for_tests_4711abcdEFGH"  # a made-up key the fake knows
ACCOUNT = "4b8c1a2e9f0d4c3b8a7e6d5c4b3a2f10"
REGION = "us-south"
DEFAULT_ZONE = "us-south-1"


def connection_info(*, region: str = REGION, zone: str = "", **credential: str) -> ConnectionInfo:
    values = {"ApiKey": API_KEY, **credential}
    return ConnectionInfo(name="ibm-test", provider="ibm", credential=values, region=region, zone=zone)


@contextmanager
def fake_cloud() -> Iterator[FakeIBM]:
    """The fake with the test's API key, which belongs to ACCOUNT."""
    with running() as fake:
        fake.add_api_key(API_KEY, ACCOUNT)
        yield fake


@contextmanager
def quick_fake_cloud() -> Iterator[FakeIBM]:
    """The fake, with the driver polling settling resources without pauses (for tests outside this
    package, which do not have its fixtures)."""
    with patch("drivers.ibm._session.POLL_DELAYS", (0.0,)), fake_cloud() as fake:
        yield fake
