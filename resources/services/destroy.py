"""Destroy: delete every managed resource of a connection, dependants first, as one operation."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from connections.models import Connection
from connections.services import provider_get
from drivers.errors import DriverError
from drivers.interface import CloudConnection
from resources import kinds
from resources.models import Lifecycle, Operation, Resource
from resources.operations import Action, operation_create, register_action
from resources.services import records


def connection_destroy(*, connection: Connection, user: Any) -> Operation:
    return operation_create(
        action="connection.destroy",
        connection=connection,
        user=user,
        target_kind="connection",
        target_name=connection.name,
    )


def _run(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    connection = operation.connection
    assert connection is not None
    capabilities = provider_get(name=connection.provider, field="connection").capabilities
    deleted: list[dict[str, str]] = []
    remained: list[dict[str, str]] = []
    # Each stage's resources only depend on later stages' (a VM on its key pair, SGs and VPC...).
    for stage in kinds.destroy_stages():
        for spec in stage:
            kind, calls = spec.name, spec.driver
            assert calls is not None, f"kind {kind!r} has a destroy stage but no driver calls"
            targets = Resource.objects.filter(connection=connection, kind=kind, managed=True).order_by("name")
            for record in targets:
                entry = {"kind": kind, "name": record.name, "system_id": record.system_id}
                if record.lifecycle in (Lifecycle.CREATING, Lifecycle.DELETING):
                    remained.append({**entry, "reason": f"an operation on it is still {record.lifecycle}"})
                    continue
                if not capabilities.supports(kind):
                    remained.append({**entry, "reason": f"the {connection.provider} driver cannot delete it"})
                    continue
                try:
                    calls.delete_one(cloud, records.iid_of(record))
                except DriverError as exc:
                    remained.append({**entry, "reason": str(exc)})
                    continue
                with transaction.atomic():
                    record.delete()  # a VPC takes its subnet records along
                deleted.append(entry)
    return {"connection": connection.name, "deleted": deleted, "remained": remained}


register_action(Action(name="connection.destroy", run=_run))
