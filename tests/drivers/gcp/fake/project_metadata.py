"""The project resource (compute.projects.get) and its common instance metadata
(projects.setCommonInstanceMetadata): a write names the fingerprint it read, and a stale one is
refused with 412 conditionNotMet, as Compute Engine does; a write is a global operation."""

from __future__ import annotations

import base64
import copy
import re
import secrets
from typing import Any

from tests.drivers.gcp.fake.operations import start_operation
from tests.drivers.gcp.fake.server import COMPUTE, ApiError, FakeGCP, Request

KEY = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
MAX_VALUE = 256 * 1024
MAX_TOTAL = 512 * 1024


def new_fingerprint() -> str:
    return base64.b64encode(secrets.token_bytes(8)).decode()


def metadata(fake: FakeGCP, project: str) -> dict[str, Any]:
    """The project's common instance metadata, as the state holds it ({"fingerprint", "items"})."""
    state = fake.collection(project, "project")
    return state.setdefault("commonInstanceMetadata", {"fingerprint": new_fingerprint(), "items": []})


def register(fake: FakeGCP) -> None:
    path = "/projects/(?P<project>[^/]+)"

    def get_project(req: Request) -> dict[str, Any]:
        common = metadata(fake, req.project)
        shown: dict[str, Any] = {"kind": "compute#metadata", "fingerprint": common["fingerprint"]}
        if common["items"]:
            shown["items"] = copy.deepcopy(common["items"])
        return {
            "kind": "compute#project",
            "id": "4711000000000000001",
            "creationTimestamp": "2024-03-01T09:12:44.123-08:00",
            "name": req.project,
            "commonInstanceMetadata": shown,
            "quotas": [
                {"metric": "FIREWALLS", "limit": 200, "usage": 0},
                {"metric": "NETWORKS", "limit": 15, "usage": 0},
            ],
            "selfLink": fake.link(req.project, "")[:-1],
            "defaultServiceAccount": "123456789012-compute@developer.gserviceaccount.com",
            "xpnProjectStatus": "UNSPECIFIED_XPN_PROJECT_STATUS",
            "defaultNetworkTier": "PREMIUM",
        }

    def set_metadata(req: Request) -> dict[str, Any]:
        project, body = req.project, req.body
        common = metadata(fake, project)
        if body.get("fingerprint") != common["fingerprint"]:
            raise ApiError(412, "Supplied fingerprint does not match current metadata fingerprint.", "conditionNotMet")
        items = [
            {"key": str(item.get("key", "")), "value": str(item.get("value", ""))} for item in body.get("items", [])
        ]
        for index, item in enumerate(items):
            if not KEY.fullmatch(item["key"]):
                raise ApiError(
                    400,
                    f"Invalid value for field 'resource.items[{index}].key': '{item['key']}'. Must be "
                    "a match of regex '[a-zA-Z0-9-_]{1,128}'",
                    "invalid",
                )
            if len(item["value"].encode()) > MAX_VALUE:
                raise ApiError(400, f"Value for field 'resource.items[{index}].value' is too large.", "invalid")
        if len({item["key"] for item in items}) != len(items):
            raise ApiError(400, "Metadata has duplicate keys.", "invalid")
        if sum(len(item["key"]) + len(item["value"].encode()) for item in items) > MAX_TOTAL:
            raise ApiError(400, "Metadata exceeds the total size limit of 512 KB.", "invalid")
        # The new fingerprint shows at once: a second writer with the old one is refused.
        common.update(fingerprint=new_fingerprint(), pending=items)

        def effect() -> None:
            common["items"] = common.pop("pending", items)

        return start_operation(
            fake, project=project, scope="global", op_type="setCommonInstanceMetadata", target="", effect=effect
        )

    fake.route("GET", COMPUTE, path, get_project)
    fake.route("POST", COMPUTE, f"{path}/setCommonInstanceMetadata", set_metadata)
