"""Machine types (compute.machineTypes): the types recorded in one zone, offered in every zone.

fixtures/machine_types.json holds a machineTypes.list answer of us-central1-a; other zones answer
the same types with their own zone and links, except the GPU types, which only us-central1 offers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.drivers.gcp.fake.regions import region_of_zone
from tests.drivers.gcp.fake.server import COMPUTE, LIST_QUERY, FakeGCP, Request, not_found

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "machine_types.json"
GPU_REGIONS = frozenset({"us-central1"})


def recorded_machine_types() -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text())
    items: list[dict[str, Any]] = data["items"]
    return items


def _in_zone(fake: FakeGCP, project: str, zone: str, item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "zone": zone, "selfLink": fake.link(project, f"zones/{zone}/machineTypes/{item['name']}")}


def register(fake: FakeGCP) -> None:
    fake.catalogue["machine_types"] = recorded_machine_types()
    path = "/projects/(?P<project>[^/]+)/zones/(?P<zone>[^/]+)/machineTypes"

    def offered(req: Request) -> list[dict[str, Any]]:
        zone = req.params["zone"]
        region = region_of_zone(zone)
        if not region:
            raise not_found(f"projects/{req.project}/zones/{zone}")
        return [
            _in_zone(fake, req.project, zone, item)
            for item in fake.catalogue["machine_types"]
            if region in GPU_REGIONS or not item.get("accelerators")
        ]

    def list_machine_types(req: Request) -> dict[str, Any]:
        zone = req.params["zone"]
        return fake.page(
            offered(req),
            req,
            kind="compute#machineTypeList",
            id=f"projects/{req.project}/zones/{zone}/machineTypes",
            selfLink=fake.link(req.project, f"zones/{zone}/machineTypes"),
        )

    def get_machine_type(req: Request) -> dict[str, Any]:
        for item in offered(req):
            if item["name"] == req.params["machine_type"]:
                return item
        raise not_found(f"projects/{req.project}/zones/{req.params['zone']}/machineTypes/{req.params['machine_type']}")

    fake.route("GET", COMPUTE, path, list_machine_types, query=LIST_QUERY)
    fake.route("GET", COMPUTE, f"{path}/(?P<machine_type>[^/]+)", get_machine_type)
