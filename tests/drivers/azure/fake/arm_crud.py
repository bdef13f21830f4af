"""What the compute and NIC/public IP modules of the fake share: ARM ids, the group check, ARM's
not-found answers, create-or-update and delete as long-running operations, and lists of one type in a
group. No routes of its own."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.drivers.azure.fake import resource_groups
from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok

PROVIDER = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers"


def register(fake: FakeAzure) -> None:
    """Nothing to serve: the family modules register the routes."""


def now() -> str:
    return datetime.now(tz=UTC).isoformat().replace("+00:00", "Z")


def resource_id(fake: FakeAzure, group: str, arm_type: str, name: str) -> str:
    return f"{resource_groups.group_id(fake, group)}/providers/{arm_type}/{name}"


def find(fake: FakeAzure, rid: str) -> dict[str, Any] | None:
    return fake.resources.get(rid.lower())


def group_of(fake: FakeAzure, request: Request) -> tuple[str, Response | None]:
    """The group's name as created, or ARM's answer for a missing group."""
    name = request.args["resourceGroupName"]
    group = resource_groups.find(fake, name)
    if group is None:
        return name, error(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")
    return str(group["name"]), None


def not_found(arm_type: str, name: str, group: str) -> Response:
    return error(
        404,
        "ResourceNotFound",
        f"The Resource '{arm_type}/{name}' under resource group '{group}' was not found. For more details please "
        "go to https://aka.ms/ARMResourceNotFoundFix",
    )


def of_type(fake: FakeAzure, arm_type: str, group: str = "") -> list[dict[str, Any]]:
    prefix = resource_groups.group_id(fake, group).lower() + "/" if group else ""
    return sorted(
        (
            body
            for key, body in fake.resources.items()
            if str(body.get("type", "")).lower() == arm_type.lower() and key.startswith(prefix)
        ),
        key=lambda body: str(body["name"]).lower(),
    )


def lookup(fake: FakeAzure, request: Request, arm_type: str, arg: str) -> tuple[dict[str, Any] | None, Response | None]:
    """The resource a route names, or ARM's answer when it or its group is missing."""
    group, missing = group_of(fake, request)
    if missing is not None:
        return None, missing
    body = find(fake, resource_id(fake, group, arm_type, request.args[arg]))
    if body is None:
        return None, not_found(arm_type, request.args[arg], group)
    return body, None


def listed(fake: FakeAzure, request: Request, arm_type: str, show: Callable[[dict[str, Any]], Any] = dict) -> Response:
    group, missing = group_of(fake, request)
    if missing is not None:
        return missing
    return fake.page(request, [show(body) for body in of_type(fake, arm_type, group)])


def new_body(
    fake: FakeAzure, group: str, arm_type: str, name: str, wanted: dict[str, Any], properties: dict[str, Any]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": resource_id(fake, group, arm_type, name),
        "name": name,
        "type": arm_type,
        "location": str(wanted.get("location", "")),
        "tags": dict(wanted.get("tags") or {}),
        "etag": f'W/"{uuid.uuid4()}"',
        "properties": properties,
    }
    for key in ("sku", "zones"):
        if wanted.get(key):
            body[key] = wanted[key]
    return body


def changed(
    fake: FakeAzure, body: dict[str, Any], namespace: str, done: Callable[[], None], status: int = 201
) -> Response:
    """Answer a create or change begun as an operation: "Updating" (or as `body` says) until it is done."""
    headers = fake.begin(namespace, str(body.get("location") or "koreacentral"), done)
    return ok(body, status, **headers)


def deleted(fake: FakeAzure, body: dict[str, Any] | None, namespace: str, done: Callable[[], None]) -> Response:
    """ARM's DELETE: 204 for a resource that is not there, else 202 and an operation."""
    if body is None:
        return Response(204)
    body["properties"]["provisioningState"] = "Deleting"
    headers = fake.begin(namespace, str(body.get("location") or "koreacentral"), done)
    return Response(202, None, headers)
