"""The AccessKey, region and connection the Alibaba tests use against the fake."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drivers.alibaba import _session
from drivers.types import ConnectionInfo
from tests.drivers.alibaba.fake import FakeAlibaba, running

ACCESS_KEY_ID = "LTAI5tTestAccessKeyId01"
ACCESS_KEY_SECRET = "TestAccessKeySecretForTheFake0123"  # a made-up secret the fake signs with
REGION = "cn-hangzhou"
DEFAULT_ZONE = "cn-hangzhou-h"  # the region's first zone


def connection_info(*, region: str = REGION, zone: str = "", **credential: str) -> ConnectionInfo:
    values = {"AccessKeyId": ACCESS_KEY_ID, "AccessKeySecret": ACCESS_KEY_SECRET, **credential}
    return ConnectionInfo(name="alibaba-test", provider="alibaba", credential=values, region=region, zone=zone)


@contextmanager
def fake_cloud(*, quick_polls: bool = False) -> Iterator[FakeAlibaba]:
    """The fake with the test AccessKey; `quick_polls` drops the driver's pauses between polls while it
    runs (the fake moves states on per request anyway), for tests without pytest's monkeypatch."""
    delays = _session.POLL_DELAYS
    if quick_polls:
        _session.POLL_DELAYS = (0.0,)
    try:
        with running(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET) as fake:
            yield fake
    finally:
        _session.POLL_DELAYS = delays
