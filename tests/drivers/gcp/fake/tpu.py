"""Cloud TPU API v2 (tpu.googleapis.com): TPU VM nodes and their google.longrunning operations.

A create answers an operation that is not done; the node is listed CREATING at once and turns
READY when the operation finishes (on a later poll of `operations.get`), or is dropped and the
operation carries a google.rpc.Status error when the zone's chips quota is exceeded. Listing the
"-" location lists every zone, as the real API does.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.drivers.gcp.fake.server import ApiError, FakeGCP, Request, not_found

TPU = "https://tpu.googleapis.com/v2"
TYPES = {"v2-8": 4, "v3-8": 4, "v4-8": 4, "v5litepod-1": 1, "v5litepod-4": 4, "v5litepod-8": 8, "v6e-8": 8}
CHIP_QUOTA = 32  # per project, as the test project's quota
NODES = "tpu/nodes"  # collection, by full node name
_LOCATION = r"/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"


@dataclass
class LongRunning:
    body: dict[str, Any]
    polls_left: int
    effect: Callable[[], dict[str, Any]] | None


def start(
    fake: FakeGCP, project: str, location: str, *, verb: str, target: str, effect: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    name = (
        f"projects/{project}/locations/{location}/operations/operation-{int(time.time() * 1000)}-{secrets.token_hex(8)}"
    )
    metadata = {
        "@type": "type.googleapis.com/google.cloud.tpu.v2.OperationMetadata",
        "createTime": fake.now(),
        "target": target,
        "verb": verb,
        "apiVersion": "v2",
    }
    body = {"name": name, "metadata": metadata, "done": False}
    fake.operations[name] = LongRunning(body=body, polls_left=fake.polls_until_done, effect=effect)
    return dict(body)


def poll(fake: FakeGCP, name: str) -> dict[str, Any]:
    operation = fake.operations.get(name)
    if not isinstance(operation, LongRunning):
        raise not_found(name)
    if not operation.body["done"]:
        operation.polls_left -= 1
        if operation.polls_left <= 0:
            try:
                response = operation.effect() if operation.effect is not None else {}
                operation.body["response"] = response
            except ApiError as exc:
                operation.body["error"] = {"code": _RPC_CODES.get(exc.status, 2), "message": exc.message}
            operation.body["metadata"]["endTime"] = fake.now()
            operation.body["done"] = True
    return dict(operation.body)


_RPC_CODES = {400: 3, 403: 7, 404: 5, 409: 6, 429: 8, 500: 13, 503: 14}


def register(fake: FakeGCP) -> None:
    def nodes(project: str) -> dict[str, dict[str, Any]]:
        return fake.collection(project, NODES)

    def list_nodes(req: Request) -> dict[str, Any]:
        location = req.params["location"]
        prefix = f"projects/{req.project}/locations/"
        found = [
            node
            for name, node in sorted(nodes(req.project).items())
            if location == "-" or name.startswith(f"{prefix}{location}/")
        ]
        return fake.page(found, req, key="nodes", size_param="pageSize")

    def get_node(req: Request) -> dict[str, Any]:
        node = nodes(req.project).get(req.path.split("/v2/", 1)[1])
        if node is None:
            raise not_found(req.path.split("/v2/", 1)[1])
        return node

    def create_node(req: Request) -> dict[str, Any]:
        location, node_id = req.params["location"], req.query.get("nodeId", "")
        name = f"projects/{req.project}/locations/{location}/nodes/{node_id}"
        accelerator = str(req.body.get("acceleratorType", ""))
        if not node_id:
            raise ApiError(400, "Invalid value for nodeId: must not be empty", "badRequest")
        if accelerator not in TYPES:
            raise ApiError(400, f"Accelerator type {accelerator!r} is not available in {location}", "badRequest")
        if not req.body.get("runtimeVersion"):
            raise ApiError(400, "Invalid value for field 'runtimeVersion': must be set", "badRequest")
        if name in nodes(req.project):
            raise ApiError(409, f"Resource '{name}' already exists", "alreadyExists")
        node = {
            **req.body,
            "name": name,
            "id": fake.new_id(),
            "state": "CREATING",
            "health": "HEALTH_UNSPECIFIED",
            "createTime": fake.now(),
            "apiVersion": "V2",
            "networkConfig": {"network": f"projects/{req.project}/global/networks/default"},
        }
        nodes(req.project)[name] = node
        used = sum(TYPES.get(each["acceleratorType"], 0) for each in nodes(req.project).values())

        def finish() -> dict[str, Any]:
            if used > CHIP_QUOTA:
                nodes(req.project).pop(name, None)
                raise ApiError(
                    429,
                    f"Quota 'TPUV5sLitepodServingPerProjectPerZoneForTPUAPI' exhausted: {used} > {CHIP_QUOTA}",
                    "quotaExceeded",
                )
            node["state"] = "READY"
            node["health"] = "HEALTHY"
            return {"@type": "type.googleapis.com/google.cloud.tpu.v2.Node", **node}

        return start(fake, req.project, location, verb="create", target=name, effect=finish)

    def delete_node(req: Request) -> dict[str, Any]:
        name = req.path.split("/v2/", 1)[1]
        node = nodes(req.project).get(name)
        if node is None:
            raise not_found(name)
        node["state"] = "DELETING"

        def finish() -> dict[str, Any]:
            nodes(req.project).pop(name, None)
            return {"@type": "type.googleapis.com/google.protobuf.Empty"}

        return start(fake, req.project, req.params["location"], verb="delete", target=name, effect=finish)

    def get_operation(req: Request) -> dict[str, Any]:
        return poll(fake, req.path.split("/v2/", 1)[1])

    fake.route("GET", TPU, _LOCATION + "/nodes", list_nodes, query=frozenset({"pageSize", "pageToken"}))
    fake.route("POST", TPU, _LOCATION + "/nodes", create_node, query=frozenset({"nodeId", "requestId"}))
    fake.route("GET", TPU, _LOCATION + r"/nodes/(?P<node>[^/]+)", get_node)
    fake.route("DELETE", TPU, _LOCATION + r"/nodes/(?P<node>[^/]+)", delete_node, query=frozenset({"requestId"}))
    fake.route("GET", TPU, _LOCATION + r"/operations/(?P<operation>[^/]+)", get_operation)
