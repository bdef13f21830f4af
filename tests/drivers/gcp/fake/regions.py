"""Regions and zones (compute.regions, compute.zones): a fixed catalogue every project sees alike."""

from __future__ import annotations

from typing import Any

from tests.drivers.gcp.fake.server import COMPUTE, LIST_QUERY, FakeGCP, Request, not_found

# Region -> its zone letters; one zone is down, to show how zones report it.
REGIONS: dict[str, tuple[str, ...]] = {
    "us-central1": ("a", "b", "c", "f"),
    "us-east1": ("b", "c", "d"),
    "europe-west1": ("b", "c", "d"),
    "asia-northeast3": ("a", "b", "c"),
}
DOWN_ZONES = frozenset({"us-east1-b"})
CPU_PLATFORMS = ["Intel Cascade Lake", "Intel Ice Lake", "AMD Milan", "Intel Sapphire Rapids"]
EPOCH = "1969-12-31T16:00:00.000-08:00"  # what Compute Engine answers as the creation time of its catalogue


def zone_names(region: str) -> list[str]:
    return [f"{region}-{letter}" for letter in REGIONS.get(region, ())]


def region_of_zone(zone: str) -> str:
    region = zone.rsplit("-", 1)[0]
    return region if zone in zone_names(region) else ""


def _region(fake: FakeGCP, project: str, number: int, name: str) -> dict[str, Any]:
    return {
        "kind": "compute#region",
        "id": str(1000 + number * 10),
        "creationTimestamp": EPOCH,
        "name": name,
        "description": name,
        "status": "UP",
        "zones": [fake.link(project, f"zones/{zone}") for zone in zone_names(name)],
        "quotas": [
            {"metric": "CPUS", "limit": 24, "usage": 0},
            {"metric": "DISKS_TOTAL_GB", "limit": 4096, "usage": 0},
            {"metric": "IN_USE_ADDRESSES", "limit": 8, "usage": 0},
        ],
        "selfLink": fake.link(project, f"regions/{name}"),
        "supportsPzs": False,
    }


def _zone(fake: FakeGCP, project: str, number: int, region: str, name: str) -> dict[str, Any]:
    return {
        "kind": "compute#zone",
        "id": str(2000 + number),
        "creationTimestamp": EPOCH,
        "name": name,
        "description": name,
        "status": "DOWN" if name in DOWN_ZONES else "UP",
        "region": fake.link(project, f"regions/{region}"),
        "selfLink": fake.link(project, f"zones/{name}"),
        "availableCpuPlatforms": CPU_PLATFORMS,
        "supportsPzs": False,
    }


def _all_zones(fake: FakeGCP, project: str) -> list[dict[str, Any]]:
    zones = []
    for number, (region, _) in enumerate(sorted(REGIONS.items())):
        for offset, zone in enumerate(zone_names(region)):
            zones.append(_zone(fake, project, number * 10 + offset, region, zone))
    return sorted(zones, key=lambda zone: zone["name"])


def register(fake: FakeGCP) -> None:
    project_path = "/projects/(?P<project>[^/]+)"

    def list_regions(req: Request) -> dict[str, Any]:
        items = [_region(fake, req.project, n, name) for n, name in enumerate(sorted(REGIONS))]
        return fake.page(
            items,
            req,
            kind="compute#regionList",
            id=f"projects/{req.project}/regions",
            selfLink=fake.link(req.project, "regions"),
        )

    def get_region(req: Request) -> dict[str, Any]:
        names = sorted(REGIONS)
        name = req.params["region"]
        if name not in REGIONS:
            raise not_found(f"projects/{req.project}/regions/{name}")
        return _region(fake, req.project, names.index(name), name)

    def list_zones(req: Request) -> dict[str, Any]:
        return fake.page(
            _all_zones(fake, req.project),
            req,
            kind="compute#zoneList",
            id=f"projects/{req.project}/zones",
            selfLink=fake.link(req.project, "zones"),
        )

    def get_zone(req: Request) -> dict[str, Any]:
        for zone in _all_zones(fake, req.project):
            if zone["name"] == req.params["zone"]:
                return zone
        raise not_found(f"projects/{req.project}/zones/{req.params['zone']}")

    fake.route("GET", COMPUTE, f"{project_path}/regions", list_regions, query=LIST_QUERY)
    fake.route("GET", COMPUTE, f"{project_path}/regions/(?P<region>[^/]+)", get_region)
    fake.route("GET", COMPUTE, f"{project_path}/zones", list_zones, query=LIST_QUERY)
    fake.route("GET", COMPUTE, f"{project_path}/zones/(?P<zone>[^/]+)", get_zone)
