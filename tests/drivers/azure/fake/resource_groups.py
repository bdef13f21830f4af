"""Resource groups (Microsoft.Resources): get, check, create or update, list, and delete as a
long-running operation that takes the group's resources with it."""

from __future__ import annotations

from typing import Any

from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok

GROUPS = "/subscriptions/{subscriptionId}/resourcegroups"
GROUP = GROUPS + "/{resourceGroupName}"


def register(fake: FakeAzure) -> None:
    fake.arm("GET", GROUPS, _list)
    fake.arm("GET", GROUP, _get)
    fake.arm("HEAD", GROUP, _head)
    fake.arm("PUT", GROUP, _put)
    fake.arm("DELETE", GROUP, _delete)


def group_id(fake: FakeAzure, name: str) -> str:
    return f"/subscriptions/{fake.subscription_id}/resourceGroups/{name}"


def find(fake: FakeAzure, name: str) -> dict[str, Any] | None:
    return fake.resources.get(group_id(fake, name).lower())


def seed(fake: FakeAzure, name: str, location: str = "koreacentral", tags: dict[str, str] | None = None) -> None:
    """A group that exists before the test, as one made by someone else would."""
    fake.resources[group_id(fake, name).lower()] = _body(fake, name, location, tags or {})


def _body(fake: FakeAzure, name: str, location: str, tags: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": group_id(fake, name),
        "name": name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
    }
    if tags:
        body["tags"] = dict(tags)
    return body


def _missing(name: str) -> Response:
    return error(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")


def _list(fake: FakeAzure, request: Request) -> Response:
    prefix = f"/subscriptions/{fake.subscription_id}/resourcegroups/"
    groups = [body for key, body in fake.resources.items() if key.startswith(prefix) and key.count("/") == 4]
    return fake.page(request, sorted(groups, key=lambda body: str(body["name"]).lower()))


def _get(fake: FakeAzure, request: Request) -> Response:
    name = request.args["resourceGroupName"]
    group = find(fake, name)
    return ok(group) if group is not None else _missing(name)


def _head(fake: FakeAzure, request: Request) -> Response:
    return Response(204 if find(fake, request.args["resourceGroupName"]) is not None else 404)


def _put(fake: FakeAzure, request: Request) -> Response:
    name = request.args["resourceGroupName"]
    wanted = request.json() or {}
    location = str(wanted.get("location", ""))
    if not location:
        return error(400, "LocationRequired", "The location property is required for this definition.")
    existing = find(fake, name)
    if existing is not None and existing["location"] != location:
        return error(
            409,
            "InvalidResourceGroupLocation",
            f"Invalid resource group location '{location}'. The Resource group already exists in location "
            f"'{existing['location']}'.",
        )
    # ARM keeps the name's case as first created.
    body = _body(fake, str(existing["name"]) if existing else name, location, dict(wanted.get("tags") or {}))
    fake.resources[group_id(fake, name).lower()] = body
    return ok(body, status=200 if existing else 201)


def _delete(fake: FakeAzure, request: Request) -> Response:
    name = request.args["resourceGroupName"]
    group = find(fake, name)
    if group is None:
        return _missing(name)
    group["properties"]["provisioningState"] = "Deleting"
    prefix = group_id(fake, name).lower()

    def done() -> None:
        for key in [key for key in fake.resources if key == prefix or key.startswith(prefix + "/")]:
            del fake.resources[key]

    return Response(202, None, fake.begin_location(done))
