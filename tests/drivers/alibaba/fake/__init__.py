"""A stateful fake of Alibaba Cloud's OpenAPI for the Alibaba driver's tests (no network).

`running()` starts it with every family registered and `responses` intercepting all HTTP. A
family is one module with a `register(fake)` function (routes and seed state).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager

import responses

from tests.drivers.alibaba.fake.server import ApiError, Call, FakeAlibaba, FakeGap, not_found

_CORE = {"server"}
FAMILIES = tuple(
    importlib.import_module(f"{__name__}.{module.name}").register
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name)
    if module.name not in _CORE
)


@contextmanager
def running(*, access_key_id: str, access_key_secret: str) -> Iterator[FakeAlibaba]:
    """The fake, answering every request made through `requests` until the block ends."""
    fake = FakeAlibaba(access_key_id=access_key_id, access_key_secret=access_key_secret)
    for register in FAMILIES:
        register(fake)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake.install(rsps)
        yield fake


__all__ = ["ApiError", "Call", "FakeAlibaba", "FakeGap", "not_found", "running"]
