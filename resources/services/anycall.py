"""AnyCall: a driver-specific function by id, for what the common abstraction does not cover."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connections.models import Connection
from connections.services import provider_get
from drivers.interface import CloudConnection
from drivers.types import AnyCallInfo
from resources.models import Operation
from resources.operations import Action, operation_create, register_action
from spiderweb.errors import InvalidInput


def anycall(*, connection: Connection, user: Any, fid: str, params: Mapping[str, str]) -> Operation:
    """Run `fid` as an operation (it may change things at the cloud); an unknown fid is a 400 listing the known."""
    capabilities = provider_get(name=connection.provider, field="connection").capabilities
    capabilities.require("anycall")
    if fid not in capabilities.anycall_fids:
        raise InvalidInput(
            f"unknown fid {fid!r}; the {connection.provider} driver supports: "
            f"{', '.join(capabilities.anycall_fids) or 'none'}",
            field="fid",
            details={"supported": list(capabilities.anycall_fids)},
        )
    return operation_create(
        action="anycall",
        connection=connection,
        user=user,
        target_kind="anycall",
        target_name=fid,
        params={"fid": fid, "params": dict(params)},
    )


def _run(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    answer = cloud.anycall().call(req=AnyCallInfo(fid=operation.params["fid"], params_in=operation.params["params"]))
    return {"fid": answer.fid, "params": dict(operation.params["params"]), "result": dict(answer.params_out)}


register_action(Action(name="anycall", run=_run, fields={"params_in": "params"}))
