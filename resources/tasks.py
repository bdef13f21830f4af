"""Celery tasks: thin wrappers that take ids and call one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from resources import operations
from resources.inventory import refresh as inventory


@shared_task(name="resources.run_operation", acks_late=True, ignore_result=True)
def run_operation(operation_id: str) -> None:
    # Retries of transient cloud errors happen inside, where the policy honours the provider's hint
    # and works the same with or without a broker.
    operations.operation_execute(operation_id=operation_id)


@shared_task(name="resources.sweep_operations", ignore_result=True)
def sweep_operations() -> int:
    return operations.operations_sweep()


@shared_task(name="resources.refresh_inventory_shard", acks_late=True, ignore_result=True)
def refresh_inventory_shard(operation_id: str, pairs: list[list[Any]], concurrency: int, per_provider: int) -> None:
    inventory.inventory_run_shard(
        operation_id=operation_id, pairs=pairs, concurrency=concurrency, per_provider=per_provider
    )


@shared_task(name="resources.refresh_inventory_pair", ignore_result=True)
def refresh_inventory_pair(connection_id: int, kind: str) -> None:
    inventory.refresh_after_change(connection_id=connection_id, kind=kind)


@shared_task(name="resources.refresh_inventory", ignore_result=True)
def refresh_inventory() -> str:
    """The periodic refresh of everything (Celery beat)."""
    return str(inventory.inventory_refresh(user=None).pk)
