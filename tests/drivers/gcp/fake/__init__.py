"""A stateful fake of Google Cloud's REST APIs for the GCP driver's tests (no network).

`running()` starts it with every family registered and `responses` intercepting all HTTP. A new
resource family is one module with a `register(fake)` function (routes and seed state); the
modules beyond the catalogue ones in FAMILIES are found by name, in alphabetical order.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import responses

from tests.drivers.gcp.fake import billing, images, machine_types, operations, regions
from tests.drivers.gcp.fake.operations import start_operation
from tests.drivers.gcp.fake.server import ApiError, FakeGap, FakeGCP, Request, not_found

FAMILIES: tuple[Callable[[FakeGCP], None], ...] = (
    operations.register,
    regions.register,
    images.register,
    machine_types.register,
    billing.register,
)
_CORE = {"server", "tokens", "operations", "regions", "images", "machine_types", "billing"}
FAMILIES += tuple(
    importlib.import_module(f"{__name__}.{module.name}").register
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name)
    if module.name not in _CORE
)


@contextmanager
def running() -> Iterator[FakeGCP]:
    """The fake, answering every request made through `requests` until the block ends."""
    fake = FakeGCP()
    for register in FAMILIES:
        register(fake)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake.install(rsps)
        yield fake


__all__ = ["FAMILIES", "ApiError", "FakeGCP", "FakeGap", "Request", "not_found", "running", "start_operation"]
