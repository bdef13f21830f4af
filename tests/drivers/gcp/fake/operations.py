"""Compute Engine's long-running operations (zoneOperations, regionOperations, globalOperations).

An insert or delete answers an Operation that is RUNNING; `get` answers it RUNNING for
`fake.polls_until_done - 1` more polls and then DONE, `wait` answers it DONE at once. When it
finishes, the action's effect runs; an ApiError the effect raises becomes the operation's `error`
(with `httpErrorStatusCode`), as Compute Engine reports a failed action. With
`fake.polls_until_done = 0` the first answer is already DONE, with its error if it failed, as
Compute Engine answers an action it refuses at once (the Operation resource's `error` and
`httpErrorStatusCode` on the insert's own answer: https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.drivers.gcp.fake.server import COMPUTE, STATUS_NAMES, ApiError, FakeGCP, Request, not_found


@dataclass
class Operation:
    body: dict[str, Any]
    polls_left: int
    effect: Callable[[], None] | None = None


def start_operation(
    fake: FakeGCP,
    *,
    project: str,
    scope: str,
    op_type: str,
    target: str,
    effect: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """A RUNNING operation in `scope` ("zones/<z>", "regions/<r>" or "global") acting on the resource
    path `target`; `effect` runs when it finishes, and an ApiError it raises becomes its error."""
    name = f"operation-{int(time.time() * 1000)}-{secrets.token_hex(6)}"
    body: dict[str, Any] = {
        "kind": "compute#operation",
        "id": fake.new_id(),
        "name": name,
        "operationType": op_type,
        "targetLink": fake.link(project, target),
        "targetId": fake.new_id(),
        "status": "RUNNING",
        "progress": 0,
        "insertTime": fake.now(),
        "startTime": fake.now(),
        "selfLink": fake.link(project, f"{scope}/operations/{name}"),
    }
    if scope != "global":
        body[scope.split("/")[0][:-1]] = fake.link(project, scope)  # "zone" or "region"
    operation = Operation(body=body, polls_left=fake.polls_until_done, effect=effect)
    fake.operations[body["selfLink"]] = operation
    if operation.polls_left <= 0:
        _finish(fake, operation)
    return dict(body)


def poll_operation(fake: FakeGCP, project: str, scope: str, name: str, *, wait: bool = False) -> dict[str, Any]:
    operation = fake.operations.get(fake.link(project, f"{scope}/operations/{name}"))
    if operation is None:
        raise not_found(f"projects/{project}/{scope}/operations/{name}")
    if operation.body["status"] != "DONE":
        operation.polls_left = 0 if wait else operation.polls_left - 1
        if operation.polls_left <= 0:
            _finish(fake, operation)
    return dict(operation.body)


def _finish(fake: FakeGCP, operation: Operation) -> None:
    body = operation.body
    try:
        if operation.effect is not None:
            operation.effect()
    except ApiError as exc:
        body["error"] = {"errors": [{"code": exc.op_code, "message": exc.message}]}
        body["httpErrorStatusCode"] = exc.status
        body["httpErrorMessage"] = STATUS_NAMES.get(exc.status, ("", "ERROR"))[1]
    body.update(status="DONE", progress=100, endTime=fake.now())


def _scope(params: dict[str, str]) -> str:
    if params.get("zone"):
        return f"zones/{params['zone']}"
    if params.get("region"):
        return f"regions/{params['region']}"
    return "global"


def register(fake: FakeGCP) -> None:
    """The operations of every scope; listed first in FAMILIES, as every other family uses them."""

    def get_operation(req: Request) -> dict[str, Any]:
        return poll_operation(fake, req.project, _scope(req.params), req.params["operation"])

    def wait_operation(req: Request) -> dict[str, Any]:
        return poll_operation(fake, req.project, _scope(req.params), req.params["operation"], wait=True)

    for scope in ("zones/(?P<zone>[^/]+)", "regions/(?P<region>[^/]+)", "global"):
        path = rf"/projects/(?P<project>[^/]+)/{scope}/operations/(?P<operation>[^/]+)"
        fake.route("GET", COMPUTE, path, get_operation)
        fake.route("POST", COMPUTE, path + "/wait", wait_operation)
