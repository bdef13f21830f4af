"""Tags on any kind the connection's driver can tag: add and remove as operations, read and search live."""

from __future__ import annotations

from typing import Any

from connections.models import Connection
from connections.services import connection_call, provider_get
from drivers.errors import NotSupportedError
from drivers.interface import CloudConnection
from drivers.types import ResourceKind
from resources.models import Operation, Resource
from resources.operations import Action, operation_create, register_action
from resources.services import records
from spiderweb.errors import NotFound


def _taggable(connection: Connection, kind: str) -> None:
    """501 with one clear message when the driver cannot tag this kind."""
    capabilities = provider_get(name=connection.provider, field="connection").capabilities
    capabilities.require("tag")
    if kind not in capabilities.tag_kinds:
        taggable = ", ".join(sorted(capabilities.tag_kinds)) or "nothing"
        raise NotSupportedError(
            f"The {connection.provider} driver cannot tag {records.label(kind)}s (it tags: {taggable})."
        )


def _answer(record: Resource) -> dict[str, Any]:
    return {"name": record.name, "system_id": record.system_id, "kind": record.kind, "tags": dict(record.tags)}


def tag_add(*, connection: Connection, user: Any, kind: str, name: str, key: str, value: str) -> Operation:
    _taggable(connection, kind)
    record = records.reference(connection=connection, kind=kind, name=name, field="name")
    return operation_create(
        action="tag.add",
        connection=connection,
        user=user,
        target_kind=kind,
        target_name=name,
        resource=record,
        params={"key": key, "value": value},
    )


def tag_remove(*, connection: Connection, user: Any, kind: str, name: str, key: str) -> Operation:
    _taggable(connection, kind)
    record = records.reference(connection=connection, kind=kind, name=name, field="name")
    return operation_create(
        action="tag.remove",
        connection=connection,
        user=user,
        target_kind=kind,
        target_name=name,
        resource=record,
        params={"key": key},
    )


def tags_list(*, connection: Connection, kind: str, name: str) -> dict[str, Any]:
    """The resource's tags as the cloud tells them now (and remembered on the record)."""
    _taggable(connection, kind)
    record = records.record_get(connection=connection, kind=kind, name=name)
    info = connection_call(
        connection=connection,
        call=lambda cloud: cloud.tag().list_tags(kind=ResourceKind(kind), iid=records.iid_of(record)),
    )
    Resource.objects.filter(pk=record.pk).update(tags=dict(info.tags))
    record.tags = dict(info.tags)
    return _answer(record)


def tags_find(*, connection: Connection, keyword: str, kind: str = "") -> list[dict[str, Any]]:
    """Resources of the connection with a tag key or value containing `keyword`."""
    if kind:
        _taggable(connection, kind)
    else:
        provider_get(name=connection.provider, field="connection").capabilities.require("tag")
    found = connection_call(
        connection=connection,
        call=lambda cloud: cloud.tag().find_tags(kind=ResourceKind(kind) if kind else None, keyword=keyword),
    )
    names = records.name_map(connection, [str(info.kind) for info in found])
    return [
        {
            "kind": str(info.kind),
            "name": names.get((str(info.kind), info.resource_iid.system_id), ""),
            "system_id": info.resource_iid.system_id,
            "cloud_name": info.resource_iid.name_id,
            "tags": dict(info.tags),
        }
        for info in found
    ]


def _run_add(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation)
    info = cloud.tag().add_tag(
        kind=ResourceKind(record.kind),
        iid=records.iid_of(record),
        key=operation.params["key"],
        value=operation.params["value"],
    )
    Resource.objects.filter(pk=record.pk).update(tags=dict(info.tags))
    record.tags = dict(info.tags)
    return _answer(record)


def _run_remove(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation)
    cloud.tag().remove_tag(kind=ResourceKind(record.kind), iid=records.iid_of(record), key=operation.params["key"])
    tags = {k: v for k, v in record.tags.items() if k != operation.params["key"]}
    Resource.objects.filter(pk=record.pk).update(tags=tags)
    record.tags = tags
    return _answer(record)


register_action(Action(name="tag.add", run=_run_add, fields={"iid": "name"}))
register_action(Action(name="tag.remove", run=_run_remove, fields={"iid": "name"}))


def tag_get(*, connection: Connection, kind: str, name: str, key: str) -> dict[str, str]:
    tags = tags_list(connection=connection, kind=kind, name=name)["tags"]
    if key not in tags:
        raise NotFound(f"{records.label(kind)} {name!r} has no tag {key!r}", field="key")
    return {"key": key, "value": tags[key]}
