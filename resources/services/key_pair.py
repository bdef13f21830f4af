"""Key pairs. The private key exists in one answer only: the create's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from connections.models import Connection
from drivers.errors import AlreadyExistsError
from drivers.interface import CloudConnection
from drivers.types import IID, KeyPairInfo, KeyPairReqInfo, to_jsonable
from resources.models import Kind, Operation, Resource
from resources.operations import ONE_TIME_ENTRY, Action, operation_create, register_action
from resources.selectors import present
from resources.services import lifecycle, records


def key_pair_create(
    *, connection: Connection, user: Any, name: str, tags: Mapping[str, str] | None = None
) -> Operation:
    records.require(connection, "key_pair")
    with transaction.atomic():
        record = records.reserve(connection=connection, kind=Kind.KEY_PAIR, name=name, tags=dict(tags or {}))
        return operation_create(
            action="key_pair.create",
            connection=connection,
            user=user,
            target_kind=Kind.KEY_PAIR,
            target_name=name,
            resource=record,
            params={"tags": dict(tags or {})},
        )


def key_pair_delete(*, connection: Connection, user: Any, name: str) -> Operation:
    records.require(connection, "key_pair")
    record = records.record_get(connection=connection, kind=Kind.KEY_PAIR, name=name)
    with transaction.atomic():
        records.mark_deleting(record)
        return operation_create(
            action="key_pair.delete",
            connection=connection,
            user=user,
            target_kind=Kind.KEY_PAIR,
            target_name=name,
            resource=record,
        )


def apply_key_pair(record: Resource, info: KeyPairInfo) -> None:
    data = to_jsonable(info)
    data.pop("private_key", None)  # never stored, not even in the record's copy of the cloud's answer
    records.apply_info(record, data, system_id=info.iid.system_id, status="Available")


def _run_create(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation, "connection")
    handler = cloud.key_pair()
    req = KeyPairReqInfo(name=record.cloud_name, tags=operation.params["tags"])
    try:
        info = handler.create_key_pair(req=req)
    except AlreadyExistsError:
        # An earlier attempt made it but its answer, the only copy of the private key, was lost:
        # a key nobody holds is useless, so replace it.
        handler.delete_key_pair(iid=IID(name_id=record.cloud_name))
        info = handler.create_key_pair(req=req)
    apply_key_pair(record, info)
    answer = present(record, connection=record.connection)
    answer[ONE_TIME_ENTRY] = {"private_key": info.private_key}
    return answer


def _delete_at_cloud(cloud: CloudConnection, iid: IID) -> None:
    cloud.key_pair().delete_key_pair(iid=iid)


def _cleanup_create(operation: Operation) -> None:
    lifecycle.drop_failed_create(operation, _delete_at_cloud)


register_action(Action(name="key_pair.create", run=_run_create, cleanup=_cleanup_create))
register_action(
    Action(
        name="key_pair.delete", run=lifecycle.deleting(_delete_at_cloud), cleanup=lifecycle.restore_after_failed_change
    )
)
