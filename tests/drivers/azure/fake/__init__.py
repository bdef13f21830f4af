"""A stateful fake of the Azure REST APIs the driver calls, answering through `responses`.

`server.py` is the core (state, routing, ARM checks, errors, paging, operations) and `entra.py` the
token endpoints it always serves; each other module is one resource family and declares its routes in
`register(fake)`. A new family is one more module here: the modules beyond the ones in FAMILIES are
found by name, in alphabetical order (see the end of docs/drivers-azure.md).
"""

import importlib
import pkgutil

from tests.drivers.azure.fake import images, locations, prices, resource_groups, skus
from tests.drivers.azure.fake.server import (
    CLIENT_ID,
    CLIENT_SECRET,
    SUBSCRIPTION_ID,
    TENANT_ID,
    FakeAzure,
    Request,
    Response,
    UnknownRequest,
    error,
    fixture,
    ok,
)

FAMILIES = (resource_groups, locations, skus, images, prices)
_CORE = {"server", "entra", *(module.__name__.rsplit(".", 1)[1] for module in FAMILIES)}
FAMILIES += tuple(
    importlib.import_module(f"{__name__}.{module.name}")
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name)
    if module.name not in _CORE
)

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "FAMILIES",
    "SUBSCRIPTION_ID",
    "TENANT_ID",
    "FakeAzure",
    "Request",
    "Response",
    "UnknownRequest",
    "error",
    "fixture",
    "ok",
]
