"""The one retry loop: transient driver errors are retried with backoff, honouring the provider's hint."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings

from drivers.errors import ThrottlingError, TransientError

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int
    base_delay: float
    max_delay: float

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        conf = settings.SPIDERWEB_RETRY
        return cls(
            attempts=int(conf["attempts"]), base_delay=float(conf["base_delay"]), max_delay=float(conf["max_delay"])
        )

    def delay(self, attempt: int, error: TransientError) -> float:
        backoff = self.base_delay * (2 ** (attempt - 1)) * random.uniform(0.8, 1.2)  # noqa: S311 - jitter
        hint = error.retry_after if isinstance(error, ThrottlingError) and error.retry_after else 0.0
        return min(max(backoff, hint), self.max_delay)


def retrying(
    call: Callable[[], T],
    *,
    policy: RetryPolicy,
    before_attempt: Callable[[], None] = lambda: None,
    seen: list[str] | None = None,
    give_up_at: float | None = None,
) -> T:
    """Run `call`, retrying transient driver errors; any other error, or the last one, propagates.

    The code of every transient error is appended to `seen`, so a caller can tell later whether
    any attempt may have reached the cloud (and how many retries there were). With `give_up_at`
    (a `time.monotonic()` value), no retry starts whose pause would end after it.
    """
    for attempt in range(1, policy.attempts + 1):
        before_attempt()
        try:
            return call()
        except TransientError as exc:
            if seen is not None:
                seen.append(exc.code)
            pause = policy.delay(attempt, exc)
            out_of_time = give_up_at is not None and time.monotonic() + pause > give_up_at
            if attempt == policy.attempts or out_of_time:
                raise
            logger.info(
                "transient cloud error (%s), attempt %d of %d, retrying in %.2fs",
                exc.code,
                attempt,
                policy.attempts,
                pause,
            )
            time.sleep(pause)
    raise AssertionError("unreachable: the loop returns or raises")
