"""ARM's Tags API at a resource's scope (GET, and PATCH with Merge / Replace / Delete) and the generic
resource list of a group, both over whatever the other family modules keep in `fake.resources`."""

from __future__ import annotations

from typing import Any

from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok

RESOURCE = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{namespace}/{resourceType}/{name}"
)
TAGS = RESOURCE + "/providers/Microsoft.Resources/tags/default"
GROUP_RESOURCES = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/resources"
MAX_TAGS = 50


def register(fake: FakeAzure) -> None:
    fake.arm("GET", TAGS, _get)
    fake.arm("PATCH", TAGS, _patch)
    fake.arm("GET", GROUP_RESOURCES, _list)


def resource_id(fake: FakeAzure, group: str, arm_type: str, name: str) -> str:
    return f"/subscriptions/{fake.subscription_id}/resourceGroups/{group}/providers/{arm_type}/{name}"


def seed(fake: FakeAzure, group: str, arm_type: str, name: str, tags: dict[str, str] | None = None, **body: Any) -> str:
    """A resource that exists before the test, as another family's create would leave it; its id."""
    rid = resource_id(fake, group, arm_type, name)
    fake.resources[rid.lower()] = {
        "id": rid,
        "name": name,
        "type": arm_type,
        "location": "koreacentral",
        "tags": dict(tags or {}),
        **body,
    }
    return rid


def _scope(request: Request) -> str:
    return request.path.rsplit("/providers/Microsoft.Resources/tags/default", 1)[0]


def _resource(fake: FakeAzure, request: Request) -> dict[str, Any] | None:
    return fake.resources.get(_scope(request).lower())


def _missing(request: Request) -> Response:
    args = request.args
    return error(
        404,
        "ResourceNotFound",
        f"The Resource '{args['namespace']}/{args['resourceType']}/{args['name']}' under resource group "
        f"'{args['resourceGroupName']}' was not found. For more details please go to "
        "https://aka.ms/ARMResourceNotFoundFix",
    )


def _answer(resource: dict[str, Any]) -> Response:
    return ok(
        {
            "id": f"{resource['id']}/providers/Microsoft.Resources/tags/default",
            "name": "default",
            "type": "Microsoft.Resources/tags",
            "properties": {"tags": dict(resource.get("tags") or {})},
        }
    )


def _get(fake: FakeAzure, request: Request) -> Response:
    resource = _resource(fake, request)
    return _answer(resource) if resource is not None else _missing(request)


def _patch(fake: FakeAzure, request: Request) -> Response:
    resource = _resource(fake, request)
    if resource is None:
        return _missing(request)
    body = request.json() or {}
    operation = str(body.get("operation", "")).lower()
    given: dict[str, str] = dict((body.get("properties") or {}).get("tags") or {})
    tags: dict[str, str] = dict(resource.get("tags") or {})
    if operation == "replace":
        tags = given
    elif operation == "merge":
        for key, value in given.items():
            # Tag names compare without case: the name keeps the case it was first given.
            same = next((k for k in tags if k.lower() == key.lower()), key)
            tags[same] = value
    elif operation == "delete":
        for key, value in given.items():
            for k in [k for k in tags if k.lower() == key.lower() and (not value or tags[k] == value)]:
                del tags[k]
    else:
        return error(400, "InvalidRequestContent", f"The tags operation '{body.get('operation')}' is not valid.")
    if len(tags) > MAX_TAGS:
        return error(400, "InvalidTagCount", f"The resource can have at most {MAX_TAGS} tags.")

    def apply() -> None:
        resource["tags"] = tags

    # ARM may accept the patch for later (202 + Location) rather than answer it (200 + the tags): the
    # REST reference lists both (https://learn.microsoft.com/en-us/rest/api/resources/tags/update-at-scope)
    # and azure-mgmt-resource's begin_update_at_scope polls the Location. Its end answers no tags.
    return Response(202, None, fake.begin_location(apply))


def _list(fake: FakeAzure, request: Request) -> Response:
    prefix = f"/subscriptions/{fake.subscription_id}/resourcegroups/{request.args['resourceGroupName']}/".lower()
    items = []
    for key, body in sorted(fake.resources.items()):
        # Top-level resources only (subnets, rules and the like live inside their parent).
        if not key.startswith(prefix) or key.count("/") != 8:
            continue
        item = {name: body[name] for name in ("id", "name", "type", "location") if name in body}
        if body.get("tags"):
            item["tags"] = dict(body["tags"])
        items.append(item)
    return fake.page(request, items)
