"""Injected latency and failures, set per connection through its region options.

They let a demo or a test show a slow region, a flaky one and a dead one side by side. Every
handler call (and `verify()`) passes through `Faults.apply()` before touching any state, so a
failed call never leaves half a change behind.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from drivers.errors import ProviderError, ThrottlingError, UnreachableError
from drivers.types import FieldSpec

REGION_OPTIONS: tuple[FieldSpec, ...] = (
    FieldSpec(
        name="latency_ms",
        label="Added latency (ms)",
        required=False,
        kind="integer",
        minimum=0,
        maximum=60_000,
        help="Sleep this long in every call, like a far-away region.",
    ),
    FieldSpec(
        name="failure_rate",
        label="Failure rate",
        required=False,
        kind="number",
        minimum=0,
        maximum=1,
        help="Probability (0-1) that a call fails with an internal cloud error.",
    ),
    FieldSpec(
        name="down",
        label="Region down",
        required=False,
        kind="boolean",
        help="Every call fails as if the region's endpoint could not be reached.",
    ),
    FieldSpec(
        name="throttle_rate",
        label="Throttle rate",
        required=False,
        kind="number",
        minimum=0,
        maximum=1,
        help="Probability (0-1) that a call is refused as throttled, with a retry-after hint.",
    ),
)

THROTTLE_RETRY_AFTER_S = 1.0

_random = random.Random()  # noqa: S311 - fault injection, not cryptography


@dataclass(frozen=True, slots=True, kw_only=True)
class Faults:
    latency_ms: int = 0
    failure_rate: float = 0.0
    down: bool = False
    throttle_rate: float = 0.0

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Faults:
        """Build from region options already checked by `validate_values`."""
        return cls(
            latency_ms=int(options.get("latency_ms", 0)),
            failure_rate=float(options.get("failure_rate", 0.0)),
            down=bool(options.get("down", False)),
            throttle_rate=float(options.get("throttle_rate", 0.0)),
        )

    def apply(self, *, region: str) -> None:
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        if self.down:
            raise UnreachableError(
                f"Mock region '{region}' cannot be reached.",
                provider_message="connect timeout: the region is marked down in its region options",
            )
        if self.throttle_rate and _random.random() < self.throttle_rate:
            raise ThrottlingError(
                f"Mock region '{region}' refused the call: request rate exceeded.",
                retry_after=THROTTLE_RETRY_AFTER_S,
                provider_message="RequestLimitExceeded",
            )
        if self.failure_rate and _random.random() < self.failure_rate:
            raise ProviderError(
                f"Mock region '{region}' failed internally; the call may succeed if retried.",
                provider_message="InternalError (injected by failure_rate)",
            )
