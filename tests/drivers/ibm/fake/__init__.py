"""A stateful fake of IBM Cloud's IAM, VPC and Global Tagging APIs for the IBM driver's tests (no network).

`running()` starts it with every family registered and `responses` intercepting all HTTP: a request
no family answers fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import responses

from tests.drivers.ibm.fake import (
    catalog,
    compute,
    global_catalog,
    kubernetes,
    load_balancers,
    network,
    storage,
    tagging,
)
from tests.drivers.ibm.fake.server import ApiError, FakeGap, FakeIBM, Request, not_found

FAMILIES = (
    catalog.register,
    global_catalog.register,
    network.register,
    compute.register,
    storage.register,
    load_balancers.register,
    tagging.register,
    kubernetes.register,
)


@contextmanager
def running() -> Iterator[FakeIBM]:
    fake = FakeIBM()
    for register in FAMILIES:
        register(fake)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake.install(rsps)
        yield fake


__all__ = ["ApiError", "FakeGap", "FakeIBM", "Request", "not_found", "running"]
