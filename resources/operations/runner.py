"""The life of an Operation: created with its record, run by a task through the driver, finished once.

- `operation_create` writes the row and enqueues its task when the transaction commits.
- `operation_execute` (the task's body) claims the row, so a redelivered task never runs beside a
  live one, retries only transient driver errors with backoff (honouring the provider's hint), and
  records success or failure; a failure runs the action's cleanup so no half-made record or
  orphaned cloud object is left.

`resources.operations.sweeper` fails operations whose worker died (no heartbeat) or that no worker took.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from connections import crypto
from connections.models import Connection
from connections.services import connection_open
from drivers.errors import DriverError
from drivers.interface import CloudConnection
from resources import kinds
from resources.models import Operation, OperationState, Resource
from resources.operations.pool import WorkerPool
from resources.operations.retry import RetryPolicy, retrying
from spiderweb.errors import ServiceError

logger = logging.getLogger(__name__)

T = TypeVar("T")
ONE_TIME_ENTRY = "_once"  # a result entry sealed into Operation.sealed_secret instead of stored


@dataclass(frozen=True, slots=True)
class Action:
    """What an operation's task does: `run` the cloud work and record it; `cleanup` after a failure.

    `run` must be idempotent (it may run again after a lost answer or a redelivered task) and
    returns the JSON answer. `fields` maps the driver's request field names onto the API's.
    """

    name: str
    run: Callable[[Operation, CloudConnection], dict[str, Any]]
    cleanup: Callable[[Operation], None] | None = None
    fields: Mapping[str, str] = field(default_factory=dict)


_ACTIONS: dict[str, Action] = {}


def register_action(action: Action) -> Action:
    _ACTIONS[action.name] = action
    return action


def action_get(name: str) -> Action:
    return _ACTIONS[name]


def action_lookup(name: str) -> Action | None:
    """The action, or None for one no longer registered (an old operation's)."""
    return _ACTIONS.get(name)


# --- creating and waiting --------------------------------------------------------------------------


def operation_create(
    *,
    action: str,
    connection: Connection,
    user: Any,
    target_kind: str,
    target_name: str,
    resource: Resource | None = None,
    params: Mapping[str, Any] | None = None,
) -> Operation:
    """Record an operation of a registered action and enqueue its task once the transaction commits."""
    action_get(action)  # fail fast on a typo, before anything is written
    operation = operation_record(
        action=action,
        connection=connection,
        user=user,
        target_kind=target_kind,
        target_name=target_name,
        resource=resource,
        params=params,
    )
    transaction.on_commit(lambda: _enqueue(operation.pk))
    return operation


def operation_record(
    *,
    action: str,
    connection: Connection | None,
    user: Any,
    target_kind: str = "",
    target_name: str = "",
    resource: Resource | None = None,
    params: Mapping[str, Any] | None = None,
    progress_total: int = 0,
) -> Operation:
    """Write an operation row; the caller dispatches the work that will finish it."""
    return Operation.objects.create(
        action=action,
        connection=connection,
        connection_name=connection.name if connection else "",
        user=user if getattr(user, "is_authenticated", False) else None,
        target_kind=target_kind,
        target_name=target_name,
        resource=resource,
        params=dict(params or {}),
        progress_total=progress_total,
    )


def _enqueue(operation_id: uuid.UUID) -> None:
    dispatch("run_operation", str(operation_id))


def dispatch(task_name: str, *args: Any) -> None:
    """Run a task of `resources.tasks` on a Celery worker, or on a thread here when there is no broker.

    The embedded mode has no worker: its thread pool lets an asynchronous request answer at once
    and several operations proceed side by side. The queue is read per call so a deployment (or a
    test) can point web and workers at their own.
    """
    from resources import tasks

    task = getattr(tasks, task_name)
    if not settings.SPIDERWEB_BROKER_URL:
        _in_process_pool().submit(_run_in_thread, task, args)
        return
    task.apply_async(args=list(args), queue=settings.CELERY_TASK_DEFAULT_QUEUE)


_pool: WorkerPool | None = None
_pool_lock = threading.Lock()


def _in_process_pool() -> WorkerPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = WorkerPool(name="task", size=settings.SPIDERWEB_IN_PROCESS_WORKERS)
        return _pool


def _run_in_thread(task: Any, args: tuple[Any, ...]) -> None:
    try:
        task.run(*args)
    except Exception:
        logger.exception("task %s%r failed outside its own error handling", task.name, args)


def operation_wait(*, operation: Operation, timeout: float) -> Operation:
    """Reload `operation` until it finishes or `timeout` seconds pass; returns the latest row."""
    deadline = time.monotonic() + timeout
    pause = 0.01
    operation.refresh_from_db()
    while not operation.finished and time.monotonic() < deadline:
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 1.5, 0.2)
        operation.refresh_from_db()
    return operation


def operation_take_secret(*, operation: Operation) -> dict[str, str]:
    """Hand out the operation's sealed secret once: it is erased in the same transaction."""
    with transaction.atomic():
        row = Operation.objects.select_for_update().only("sealed_secret").get(pk=operation.pk)
        if not row.sealed_secret:
            return {}
        secret = crypto.decrypt_values(row.sealed_secret)
        Operation.objects.filter(pk=operation.pk).update(sealed_secret="")
    operation.sealed_secret = ""
    return secret


# --- running ----------------------------------------------------------------------------------------


def _claim(operation_id: str) -> Operation | None:
    """Take the operation if it is pending, or running with a dead worker; None if someone else has it."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.SPIDERWEB_OPERATION_STALE_SECONDS)
    claimed = (
        Operation.objects.filter(pk=operation_id)
        .filter(Q(state=OperationState.PENDING) | Q(state=OperationState.RUNNING, heartbeat_at__lt=stale_before))
        .update(
            state=OperationState.RUNNING,
            heartbeat_at=now,
            started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    return Operation.objects.select_related("connection__region", "connection__credential", "resource").get(
        pk=operation_id
    )


def _heartbeat(operation: Operation) -> None:
    Operation.objects.filter(pk=operation.pk, state=OperationState.RUNNING).update(heartbeat_at=timezone.now())


def operation_execute(*, operation_id: str) -> None:
    """The body of the operation task: claim, run the action with retries, record the outcome."""
    operation = _claim(operation_id)
    if operation is None:
        logger.info("operation %s is finished or held by a live worker; nothing to do", operation_id)
        return
    action = action_get(operation.action)
    if operation.connection is None:
        _fail(operation, action, code="not_found", message="the operation's connection was deleted")
        return
    transient_codes: list[str] = []
    try:
        cloud = connection_open(connection=operation.connection)
        try:
            result = retrying(
                lambda: action.run(operation, cloud),
                policy=RetryPolicy.from_settings(),
                before_attempt=lambda: _heartbeat(operation),
                seen=transient_codes,
            )
        finally:
            cloud.close()
    except DriverError as exc:
        _fail(
            operation,
            action,
            code=exc.code,
            message=str(exc),
            field=exc.field,
            retry_after=getattr(exc, "retry_after", None),
            transient_codes=transient_codes,
        )
    except ServiceError as exc:
        _fail(operation, action, code=exc.code, message=exc.message, field=exc.field)
    except Exception as exc:
        logger.exception("operation %s (%s) failed unexpectedly", operation.pk, operation.action)
        _fail(operation, action, code="internal_error", message=f"unexpected error: {type(exc).__name__}")
    else:
        _succeed(operation, result)


def _succeed(operation: Operation, result: dict[str, Any]) -> None:
    secret = result.pop(ONE_TIME_ENTRY, None)
    updates: dict[str, Any] = {"state": OperationState.SUCCEEDED, "result": result, "finished_at": timezone.now()}
    if secret:
        updates["sealed_secret"] = crypto.encrypt_values(secret)
    Operation.objects.filter(pk=operation.pk).update(**updates)
    spec = kinds.by_name(operation.target_kind)
    kind = spec.listed_kind if spec else ""  # the listing that shows the change: a subnet's is its VPC's
    if settings.SPIDERWEB_INVENTORY_REFRESH_AFTER_CHANGE and kind and operation.connection_id:
        # The touched listing is refreshed at once, so the inventory shows what the change did
        # (and anything else that changed there) without waiting for the periodic refresh.
        dispatch("refresh_inventory_pair", operation.connection_id, kind)


def api_field(action: Action, driver_field: str) -> str:
    """`security_group_iids[1]` → `security_groups[1]` through the action's field map."""
    if not driver_field:
        return ""
    head, bracket, rest = driver_field.partition("[")
    mapped = action.fields.get(head, head)
    return f"{mapped}{bracket}{rest}"


def _fail(
    operation: Operation,
    action: Action,
    *,
    code: str,
    message: str,
    field: str = "",
    retry_after: float | None = None,
    transient_codes: list[str] | None = None,
) -> None:
    result: dict[str, Any] = {}
    if retry_after:
        result["retry_after"] = retry_after
    if transient_codes:
        result["transient_errors"] = transient_codes
    changes = {
        "state": OperationState.FAILED,
        "error_code": code,
        "error_message": message,
        "error_field": api_field(action, field),
        "result": result,
        "finished_at": timezone.now(),
    }
    Operation.objects.filter(pk=operation.pk).update(**changes)
    for name, value in changes.items():  # the cleanup reads the outcome from this object
        setattr(operation, name, value)
    logger.info("operation %s (%s %s) failed: %s", operation.pk, operation.action, operation.target_name, code)
    if action.cleanup is not None:
        try:
            action.cleanup(operation)
        except Exception:
            logger.exception("cleanup after operation %s (%s) failed", operation.pk, operation.action)
