"""A stateful fake of Tencent Cloud API 3.0 for the Tencent driver's tests (no network).

`running()` starts it with every product registered and `responses` intercepting all HTTP; each
product family is one module with a `register(fake)` function.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import responses

from tests.drivers.tencent.fake import catalogue, cbs, clb, custom_images, cvm, monitor, tag, tke, vpc
from tests.drivers.tencent.fake.server import SECRET_ID, SECRET_KEY, ApiError, Call, FakeGap, FakeTencent

FAMILIES = (
    catalogue.register,
    vpc.register,
    cvm.register,
    cbs.register,
    custom_images.register,
    monitor.register,
    clb.register,
    tke.register,
    tag.register,
)


@contextmanager
def running() -> Iterator[FakeTencent]:
    """The fake, answering every request made through `requests` until the block ends."""
    fake = FakeTencent()
    for register in FAMILIES:
        register(fake)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake.install(rsps)
        yield fake
    # The SDK turns any failure to get an answer into ClientNetworkError; a request the fake could not
    # answer must fail the test even when the driver took that error in its stride.
    if fake.gaps:
        raise FakeGap("; ".join(fake.gaps))


__all__ = ["SECRET_ID", "SECRET_KEY", "ApiError", "Call", "FakeGap", "FakeTencent", "running"]
