"""Many cloud calls side by side, each with a deadline; no call can hold up or fail another.

Plain threads: cloud listings wait on the network, not the CPU. Calls run on a pool of
`concurrency` threads, at most `per_provider` at once against one provider; throttling and other
transient errors are retried with backoff (honouring the provider's hint) while the deadline
allows. The caller's thread receives every outcome through `on_result`, in completion order, so it
can write to the database while calls are still in flight. A call still running at its deadline
is reported as failed and abandoned; its thread finishes in the background and is ignored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import Any

from drivers.errors import DriverError, TransientError
from resources.operations import RetryPolicy, WorkerPool, retrying

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class Call:
    key: Hashable
    provider: str
    run: Callable[[], list[Any]]


@dataclass(frozen=True, slots=True)
class Outcome:
    key: Hashable
    infos: list[Any] | None
    seconds: float
    error_code: str = ""
    error_message: str = ""
    retries: int = 0

    @property
    def ok(self) -> bool:
        return self.infos is not None


def fan_out(
    calls: Sequence[Call],
    *,
    concurrency: int,
    per_provider: int,
    deadline: float,
    retry: RetryPolicy,
    on_result: Callable[[Outcome], None],
) -> None:
    if not calls:
        return
    limits = {call.provider: threading.BoundedSemaphore(max(1, per_provider)) for call in calls}
    started: dict[Hashable, float] = {}

    def work(call: Call) -> Outcome:
        begin = time.monotonic()
        started[call.key] = begin
        if not limits[call.provider].acquire(timeout=deadline):
            return Outcome(
                call.key,
                None,
                time.monotonic() - begin,
                "deadline_exceeded",
                f"no free slot for provider {call.provider!r} within {deadline:g} s",
            )
        try:
            return _attempts(call, begin=begin, deadline=deadline, retry=retry)
        finally:
            limits[call.provider].release()

    pool = WorkerPool(name="fanout", size=concurrency)
    try:
        futures: dict[Future[Outcome], Call] = {pool.submit(work, call): call for call in calls}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                on_result(future.result())
            now = time.monotonic()
            for future in list(pending):
                key = futures[future].key
                begin = started.get(key)
                if begin is not None and now - begin > deadline:
                    pending.discard(future)
                    on_result(
                        Outcome(
                            key,
                            None,
                            now - begin,
                            "deadline_exceeded",
                            f"the cloud did not answer within {deadline:g} s",
                        )
                    )
    finally:
        # Abandoned calls finish on their own; nothing waits for them.
        pool.shutdown(wait=False, cancel_futures=True)


def _attempts(call: Call, *, begin: float, deadline: float, retry: RetryPolicy) -> Outcome:
    transient: list[str] = []
    try:
        infos = retrying(call.run, policy=retry, seen=transient, give_up_at=begin + deadline)
    except TransientError as exc:  # the last attempt's error: every earlier one was retried
        return Outcome(call.key, None, time.monotonic() - begin, exc.code, str(exc), retries=len(transient) - 1)
    except DriverError as exc:
        return Outcome(call.key, None, time.monotonic() - begin, exc.code, str(exc), retries=len(transient))
    except Exception as exc:
        logger.exception("listing %s failed unexpectedly", call.key)
        return Outcome(
            call.key,
            None,
            time.monotonic() - begin,
            "internal_error",
            f"unexpected error: {type(exc).__name__}",
            retries=len(transient),
        )
    return Outcome(call.key, infos, time.monotonic() - begin, retries=len(transient))
