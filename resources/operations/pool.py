"""The one worker pool: threads for work that waits on clouds, each closing its database connections.

Operations in the embedded mode, inventory fan-out and catalogue comparisons all run here. A task
that touched the database leaves its thread's connection closed, so a pool thread that lives on
never holds a connection the database has dropped (or one per idle thread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import connections as db_connections

logger = logging.getLogger(__name__)

T = TypeVar("T")


class WorkerPool(ThreadPoolExecutor):
    def __init__(self, *, name: str, size: int) -> None:
        super().__init__(max_workers=max(1, size), thread_name_prefix=f"spiderweb-{name}")

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(_closing_connections, fn, *args, **kwargs)


def _closing_connections(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return fn(*args, **kwargs)
    finally:
        db_connections.close_all()
