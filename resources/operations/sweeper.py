"""The sweeper: operations whose worker died (no heartbeat) or that no worker took are failed, and cleaned up."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from resources.models import Operation, OperationState
from resources.operations.runner import action_lookup

logger = logging.getLogger(__name__)


def operations_sweep(*, now: datetime | None = None, only: Operation | None = None) -> int:
    """Fail operations whose worker stopped answering or that no worker took; returns how many.

    Celery beat runs it every minute; reading one unfinished operation sweeps just that one, so the
    embedded mode (no beat) never shows a lost operation as running either.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.SPIDERWEB_OPERATION_STALE_SECONDS)
    unclaimed = now - timedelta(seconds=settings.SPIDERWEB_OPERATION_PENDING_SECONDS)
    swept = 0
    dead = Operation.objects.filter(
        Q(state=OperationState.RUNNING, heartbeat_at__lt=stale)
        | Q(state=OperationState.PENDING, created_at__lt=unclaimed)
    )
    if only is not None:
        dead = dead.filter(pk=only.pk)
    for operation in dead.select_related("resource"):
        was = operation.state
        message = (
            f"the worker running this operation stopped answering (last heartbeat {operation.heartbeat_at:%H:%M:%S})"
            if was == OperationState.RUNNING
            else f"no worker took this operation within {settings.SPIDERWEB_OPERATION_PENDING_SECONDS} s"
        )
        # Only the sweeper that flips the state runs the cleanup, even with several sweepers at once.
        changes = {
            "state": OperationState.FAILED,
            "error_code": "worker_lost",
            "error_message": message,
            "finished_at": now,
        }
        if Operation.objects.filter(pk=operation.pk, state=was).update(**changes):
            for name, value in changes.items():
                setattr(operation, name, value)
            swept += 1
            action = action_lookup(operation.action)
            if action is not None and action.cleanup is not None:
                try:
                    action.cleanup(operation)
                except Exception:
                    logger.exception("cleanup after lost operation %s failed", operation.pk)
    if swept:
        logger.warning("swept %d lost operation(s)", swept)
    return swept
