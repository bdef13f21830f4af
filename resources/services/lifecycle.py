"""What to do with a record when its operation fails, shared by every kind.

A refusal by the cloud (bad request, not found, quota, auth, unreachable...) means nothing was
made there, so a failed create just drops its record. An uncertain failure (a timeout, a 5xx, a
lost worker) may have left an object at the cloud: it is deleted by its cloud name, and if even
that fails the record stays, marked failed, so nothing is ever left unrecorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from connections.services import connection_call
from drivers.errors import DriverError
from drivers.interface import CloudConnection
from drivers.types import IID
from resources.models import Lifecycle, Operation, Resource
from resources.services import records
from resources.services.records import iid_of

logger = logging.getLogger(__name__)

# Failures after which the cloud may have done the work. Throttling is a refusal, so it is not one.
UNCERTAIN_CODES = frozenset({"transient", "provider_error", "worker_lost", "internal_error", "driver_error"})


def may_have_reached_the_cloud(operation: Operation) -> bool:
    codes = {operation.error_code, *operation.result.get("transient_errors", [])}
    return bool(codes & UNCERTAIN_CODES)


def drop_failed_create(operation: Operation, delete_at_cloud: Callable[[CloudConnection, IID], object]) -> None:
    record = records.records_of_operation(operation).select_related("connection").first()
    if record is None or record.lifecycle != Lifecycle.CREATING:
        return
    if may_have_reached_the_cloud(operation):
        try:
            connection_call(connection=record.connection, call=lambda cloud: delete_at_cloud(cloud, iid_of(record)))
        except DriverError as exc:
            logger.warning(
                "could not remove %s %s at the cloud after a failed create: %s", record.kind, record.cloud_name, exc
            )
            Resource.objects.filter(pk=record.pk).update(lifecycle=Lifecycle.FAILED, status="Failed")
            return
    record.delete()


def restore_after_failed_change(operation: Operation) -> None:
    """A failed delete or change leaves the resource as it was: ready again."""
    records.records_of_operation(operation).filter(lifecycle=Lifecycle.DELETING).update(lifecycle=Lifecycle.READY)


def deleting(
    delete_at_cloud: Callable[[CloudConnection, IID], object],
) -> Callable[[Operation, CloudConnection], dict[str, object]]:
    """The run of a delete action: delete at the cloud (idempotent there), then drop the record."""

    def run(operation: Operation, cloud: CloudConnection) -> dict[str, object]:
        record = records.record_of(operation)
        delete_at_cloud(cloud, iid_of(record))
        answer: dict[str, object] = {"name": record.name, "system_id": record.system_id, "deleted": True}
        record.delete()
        return answer

    return run
