"""Long-running operations of Google's newer APIs (TPU, GKE), whose failures are google.rpc.Status codes.

Compute Engine's own operations are followed by `GCPClients.wait()`; the APIs here answer an
operation with `done` (google.longrunning) or a `status` of DONE (GKE) and, when it failed, an
`error` holding a canonical gRPC code and Google's message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from google.longrunning import operations_pb2  # type: ignore[import-untyped]

from drivers.errors import DriverError, ProviderError, QuotaError, TransientError
from drivers.gcp import _session
from drivers.gcp._errors import classify, translate

# Canonical codes -> the reason names `classify` knows and the HTTP status Google pairs them with.
_RPC_CODES: dict[int, tuple[str, int]] = {
    1: ("CANCELLED", 499),
    2: ("UNKNOWN", 500),
    3: ("INVALID_ARGUMENT", 400),
    4: ("DEADLINE_EXCEEDED", 504),
    5: ("NOT_FOUND", 404),
    6: ("ALREADY_EXISTS", 409),
    7: ("IAM_PERMISSION_DENIED", 403),
    8: ("RESOURCE_EXHAUSTED", 429),
    9: ("FAILED_PRECONDITION", 400),
    10: ("ABORTED", 409),
    11: ("OUT_OF_RANGE", 400),
    12: ("UNIMPLEMENTED", 501),
    13: ("INTERNAL_ERROR", 500),
    14: ("UNAVAILABLE", 503),
    16: ("UNAUTHENTICATED", 401),
}


def rpc_error(code: int, message: str, *, what: str, field: str = "") -> DriverError:
    """The driver error of a failed operation's google.rpc.Status."""
    reason, status = _RPC_CODES.get(code, ("UNKNOWN", 500))
    if code == 8:
        # RESOURCE_EXHAUSTED is a quota or, for accelerators and nodes, a zone out of capacity.
        if "capacity" in message.lower() or "stockout" in message.lower():
            return ProviderError(f"Google Cloud has no capacity for {what} ({reason}).", provider_message=message)
        return QuotaError(f"Google Cloud refused {what} ({reason}).", provider_message=message)
    return classify([reason], status, what=what, google_message=message, field=field)


def wait_longrunning(
    get: Callable[[str], Any],
    operation: operations_pb2.Operation,
    *,
    what: str,
    field: str = "",
    timeout: float | None = None,
) -> operations_pb2.Operation | None:
    """Follow a google.longrunning operation (polling `get(name)`) until it is done and return it;
    raise its error as a `DriverError`. After `timeout` it returns None: the operation carries on."""
    limit = _session.OPERATION_TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + limit
    delays = iter(_session.POLL_DELAYS)
    delay = 0.0
    current = operation
    while not current.done:
        if time.monotonic() + delay > deadline:
            return None
        time.sleep(delay)
        with translate():
            current = get(current.name)
        delay = next(delays, _session.POLL_DELAYS[-1])
    if current.HasField("error"):
        raise rpc_error(int(current.error.code), str(current.error.message), what=what, field=field)
    return current


def overdue(what: str, name: str, timeout: float) -> TransientError:
    return TransientError(
        f"Google Cloud had not finished {what} after {timeout:g} seconds; it carries on.",
        provider_message=f"operation {name} is still running",
    )
