"""Regions and zones, public images, instance and volume profiles (what every account sees alike).

Shapes from the VPC API reference: `GET /regions`, `GET /regions/{region}/zones`, `GET /images`
(`visibility=public`), `GET /instance/profiles`, `GET /volume/profiles`. The regions and their
zones' data centres are IBM's published locations; the profiles' sizes are the documented ones of
the balanced (bx2), compute (cx2) and memory (mx2) families and of the Arm (bz2) family.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.ibm.fake.server import FakeIBM, Request, not_found

REGIONS = {
    "us-south": ("Dallas", ("DAL10", "DAL12", "DAL13")),
    "us-east": ("Washington DC", ("WDC04", "WDC06", "WDC07")),
    "eu-de": ("Frankfurt", ("FRA02", "FRA04", "FRA05")),
    "jp-tok": ("Tokyo", ("TOK02", "TOK04", "TOK05")),
}
IMAGES = (
    ("ibm-ubuntu-22-04-4-minimal-amd64-1", "ubuntu-22-04-amd64", "amd64", "Ubuntu Linux", "22.04 LTS", "available"),
    ("ibm-ubuntu-24-04-minimal-amd64-2", "ubuntu-24-04-amd64", "amd64", "Ubuntu Linux", "24.04 LTS", "available"),
    (
        "ibm-windows-server-2022-full-standard-amd64-9",
        "windows-2022-amd64",
        "amd64",
        "Windows Server",
        "2022",
        "available",
    ),
    ("ibm-ubuntu-22-04-arm64-1", "ubuntu-22-04-arm64", "s390x", "Ubuntu Linux", "22.04 LTS", "deprecated"),
)
PROFILES = (
    ("bx2-2x8", "balanced", 2, 8, "amd64"),
    ("bx2-4x16", "balanced", 4, 16, "amd64"),
    ("cx2-2x4", "compute", 2, 4, "amd64"),
    ("mx2-2x16", "memory", 2, 16, "amd64"),
    ("gx2-8x64x1v100", "gpu-v100", 8, 64, "amd64"),
)
VOLUME_PROFILES = ("general-purpose", "5iops-tier", "10iops-tier", "custom", "sdp")


def register(fake: FakeIBM) -> None:
    fake.catalogue["images"] = [_image(index, row) for index, row in enumerate(IMAGES)]
    fake.route("GET", r"/regions", lambda req: (200, {"regions": [_region(req, name) for name in REGIONS]}))
    fake.route("GET", r"/regions/(?P<region>[^/]+)", lambda req: (200, _region(req, _known(req.params["region"]))))
    fake.route("GET", r"/regions/(?P<region>[^/]+)/zones", _zones)
    fake.route(
        "GET", r"/images", lambda req: _images(fake, req), query=frozenset({"limit", "start", "visibility", "name"})
    )
    fake.route("GET", r"/images/(?P<id>[^/]+)", lambda req: _image_get(fake, req))
    fake.route("GET", r"/instance/profiles", lambda req: (200, {"profiles": [_profile(row) for row in PROFILES]}))
    fake.route(
        "GET",
        r"/volume/profiles",
        lambda req: (200, {"profiles": [{"name": n, "family": "tiered"} for n in VOLUME_PROFILES]}),
    )


def _known(region: str) -> str:
    if region not in REGIONS:
        raise not_found("Region", region)
    return region


def _region(req: Request, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "href": f"https://{req.region}.iaas.cloud.ibm.com/v1/regions/{name}",
        "endpoint": f"https://{name}.iaas.cloud.ibm.com",
        "status": "available",
    }


def _zones(req: Request) -> tuple[int, Any]:
    region = _known(req.params["region"])
    centres = REGIONS[region][1]
    zones = [
        {
            "name": f"{region}-{index}",
            "href": f"https://{req.region}.iaas.cloud.ibm.com/v1/regions/{region}/zones/{region}-{index}",
            "region": {"name": region},
            "status": "available",
            "data_center": centre,
            "universal_name": f"{region}-{centre.lower()}",
        }
        for index, centre in enumerate(centres, start=1)
    ]
    return 200, {"zones": zones}


def _image(index: int, row: tuple[str, str, str, str, str, str]) -> dict[str, Any]:
    name, os_name, arch, family, version, status = row
    ident = f"r006-{index:08d}-0000-4000-8000-00000000000{index}"
    return {
        "id": ident,
        "crn": f"crn:v1:bluemix:public:is:us-south:a/811f8abfbd32425597dc7ba40da98fa6::image:{ident}",
        "name": name,
        "status": status,
        "visibility": "public",
        "owner_type": "provider",
        "minimum_provisioned_size": 100,
        "file": {"size": 2},
        "operating_system": {
            "name": os_name,
            "architecture": arch,
            "family": family,
            "version": version,
            "vendor": "Microsoft" if "windows" in os_name else "Canonical",
            "display_name": f"{family} {version} ({arch})",
        },
        "resource_type": "image",
        "created_at": "2024-06-01T00:00:00Z",
    }


def _images(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    images: list[dict[str, Any]] = list(fake.catalogue["images"])
    if req.query.get("visibility") != "public":
        images += fake.settle_all(fake.collection(req.account, req.region, "images"))
    if "name" in req.query:
        images = [image for image in images if image["name"] == req.query["name"]]
    return 200, fake.page(req, "images", images, "images")


def _image_get(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    ident = req.params["id"]
    for image in fake.catalogue["images"]:
        if image["id"] == ident:
            return 200, image
    raise not_found("Image", ident)


def _profile(row: tuple[str, str, int, int, str]) -> dict[str, Any]:
    name, family, vcpus, memory, arch = row
    profile: dict[str, Any] = {
        "name": name,
        "family": family,
        "href": f"https://us-south.iaas.cloud.ibm.com/v1/instance/profiles/{name}",
        "vcpu_count": {"type": "fixed", "value": vcpus},
        "memory": {"type": "fixed", "value": memory},
        "vcpu_architecture": {"type": "fixed", "value": arch},
        "bandwidth": {"type": "fixed", "value": vcpus * 2000},
        "disks": [],
        "resource_type": "instance_profile",
    }
    if family.startswith("gpu"):
        profile["gpu_count"] = {"type": "fixed", "value": 1}
        profile["gpu_manufacturer"] = {"type": "enum", "values": ["nvidia"]}
        profile["gpu_model"] = {"type": "enum", "values": ["Tesla V100"]}
        profile["gpu_memory"] = {"type": "fixed", "value": 16}
    return profile
