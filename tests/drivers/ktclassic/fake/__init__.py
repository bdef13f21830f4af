"""A stateful fake of KT Cloud's classic API, answering the driver's own HTTP through `responses`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import responses

from tests.drivers.ktclassic.fake import catalogue, compute, load_balancers, network, server, storage
from tests.drivers.ktclassic.fake.server import API_KEY, SECRET_KEY, ApiError, FakeKT

__all__ = ["API_KEY", "SECRET_KEY", "ApiError", "FakeKT", "running"]


@contextmanager
def running() -> Iterator[FakeKT]:
    """The fake, intercepting every HTTP request of the test (anything it does not know fails)."""
    fake = FakeKT()
    for module in (catalogue, compute, network, storage, load_balancers):
        module.register(fake)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        server.register(fake, rsps)
        yield fake
