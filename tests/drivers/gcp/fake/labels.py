"""Compute Engine's setLabels on instances, disks and machine images (the resources' own modules
hold them; this one only rewrites their labels).

Like Compute Engine, a setLabels must carry the resource's current `labelFingerprint`; a stale one
is refused with 412 conditionNotMet, and every change gives the labels a new fingerprint. The
labels are replaced when the operation finishes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from tests.drivers.gcp.fake.operations import start_operation
from tests.drivers.gcp.fake.server import COMPUTE, ApiError, FakeGCP, Request, not_found


def fingerprint(labels: dict[str, str]) -> str:
    digest = hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def relabel(fake: FakeGCP, req: Request, collection: str, name: str, scope: str) -> dict[str, Any]:
    resource = fake.collection(req.project, collection).get(name)
    if resource is None:
        raise not_found(f"projects/{req.project}/{collection}/{name}")
    given = str(req.body.get("labelFingerprint", ""))
    if given != resource.get("labelFingerprint", fingerprint(resource.get("labels") or {})):
        raise ApiError(
            412,
            "Labels fingerprint either invalid or resource labels have changed",
            "conditionNotMet",
        )
    labels = {str(k): str(v) for k, v in (req.body.get("labels") or {}).items()}

    def effect() -> None:
        resource["labels"] = labels
        resource["labelFingerprint"] = fingerprint(labels)

    return start_operation(
        fake, project=req.project, scope=scope, op_type="setLabels", target=f"{collection}/{name}", effect=effect
    )


def register(fake: FakeGCP) -> None:
    zone = r"/projects/(?P<project>[^/]+)/zones/(?P<zone>[^/]+)"

    def instance(req: Request) -> dict[str, Any]:
        z = req.params["zone"]
        return relabel(fake, req, f"zones/{z}/instances", req.params["name"], f"zones/{z}")

    def disk(req: Request) -> dict[str, Any]:
        z = req.params["zone"]
        return relabel(fake, req, f"zones/{z}/disks", req.params["name"], f"zones/{z}")

    def machine_image(req: Request) -> dict[str, Any]:
        return relabel(fake, req, "global/machineImages", req.params["name"], "global")

    fake.route("POST", COMPUTE, zone + r"/instances/(?P<name>[^/?]+)/setLabels", instance)
    fake.route("POST", COMPUTE, zone + r"/disks/(?P<name>[^/?]+)/setLabels", disk)
    fake.route(
        "POST", COMPUTE, r"/projects/(?P<project>[^/]+)/global/machineImages/(?P<name>[^/?]+)/setLabels", machine_image
    )
