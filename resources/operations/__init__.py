"""Operations: every cloud mutation and refresh as a row, run by a task, retried, swept when lost.

`runner` creates, dispatches, runs and waits for operations; `retry` is the one retry loop;
`pool` the one worker pool; `sweeper` fails operations whose worker died.
"""

from resources.operations.pool import WorkerPool
from resources.operations.retry import RetryPolicy, retrying
from resources.operations.runner import (
    ONE_TIME_ENTRY,
    Action,
    action_get,
    action_lookup,
    api_field,
    dispatch,
    operation_create,
    operation_execute,
    operation_record,
    operation_take_secret,
    operation_wait,
    register_action,
)
from resources.operations.sweeper import operations_sweep

__all__ = [
    "ONE_TIME_ENTRY",
    "Action",
    "RetryPolicy",
    "WorkerPool",
    "action_get",
    "action_lookup",
    "api_field",
    "dispatch",
    "operation_create",
    "operation_execute",
    "operation_record",
    "operation_take_secret",
    "operation_wait",
    "operations_sweep",
    "register_action",
    "retrying",
]
