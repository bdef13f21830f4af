"""Celery tasks: thin wrappers that take ids and call one service."""

from __future__ import annotations

from celery import shared_task

from resources.services import operations


@shared_task(name="resources.run_operation", acks_late=True, ignore_result=True)
def run_operation(operation_id: str) -> None:
    # Retries of transient cloud errors happen inside, where the policy honours the provider's hint
    # and works the same with or without a broker.
    operations.operation_execute(operation_id=operation_id)


@shared_task(name="resources.sweep_operations", ignore_result=True)
def sweep_operations() -> int:
    return operations.operations_sweep()
