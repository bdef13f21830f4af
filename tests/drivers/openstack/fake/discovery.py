"""Version documents: what keystoneauth reads to pick an API version and a microversion range.

Each service answers GET on its root with `{"versions": [...]}` and (Nova, Cinder) GET on the
versioned endpoint with `{"version": {...}}`; `version`/`min_version` bound the microversions
(compute api-ref "List All Major Versions", block-storage "List All Api Versions", image
"List versions", load-balancer "List versions"). Microversion maxima are those of the 2023.2
release: Nova 2.95, Cinder 3.70.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.drivers.openstack.fake.server import FakeOpenStack, Request

NOVA_MAX = "2.95"
CINDER_MAX = "3.70"
UPDATED = "2013-07-23T11:33:21Z"


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _link(req: Request, path: str) -> list[dict[str, str]]:
    return [{"rel": "self", "href": _root(req.url) + path}]


def _nova_v21(req: Request) -> dict[str, Any]:
    prefix = urlsplit(req.url).path.rstrip("/").rsplit("/v2.1", 1)[0]
    return {
        "id": "v2.1",
        "status": "CURRENT",
        "version": NOVA_MAX,
        "min_version": "2.1",
        "updated": UPDATED,
        "links": _link(req, f"{prefix}/v2.1/"),
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}],
    }


def _nova_v2(req: Request) -> dict[str, Any]:
    return {
        "version": {
            "id": "v2.0",
            "status": "SUPPORTED",
            "version": "",
            "min_version": "",
            "updated": "2011-01-21T11:33:21Z",
            "links": _link(req, "/v2/"),
        }
    }


def _cinder_v3(req: Request, prefix: str = "") -> dict[str, Any]:
    return {
        "id": "v3.0",
        "status": "CURRENT",
        "version": CINDER_MAX,
        "min_version": "3.0",
        "updated": "2023-09-01T00:00:00Z",
        "links": _link(req, f"{prefix}/v3/"),
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}],
    }


def _cinder_v2(req: Request, prefix: str = "") -> dict[str, Any]:
    return {
        "id": "v2.0",
        "status": "SUPPORTED",
        "version": "",
        "min_version": "",
        "updated": "2014-06-28T12:20:21Z",
        "links": _link(req, f"{prefix}/v2/"),
    }


def _prefix(req: Request) -> str:
    """The path before the service's own part, for clouds serving several APIs under one host."""
    return urlsplit(req.url).path.rstrip("/")


def register(fake: FakeOpenStack) -> None:
    # A cloud cataloguing compute as /v2/{tenant} (NHN Cloud) serves the v2 API without microversions.
    fake.route("compute", "GET", "/v2/?", _nova_v2, root=True, public=True)
    fake.route("compute", "GET", "", lambda req: {"version": _nova_v21(req)}, public=True)
    fake.route(
        "compute",
        "GET",
        "/?",
        lambda req: {"versions": [_nova_v21(req)]},
        root=True,
        public=True,
    )
    fake.route(
        "network",
        "GET",
        "/?",
        lambda req: {"versions": [{"id": "v2.0", "status": "CURRENT", "links": _link(req, _prefix(req) + "/v2.0/")}]},
        root=True,
        public=True,
    )
    fake.route(
        "image",
        "GET",
        "/?",
        lambda req: {
            "versions": [
                {"id": f"v2.{minor}", "status": "CURRENT" if minor == 16 else "SUPPORTED", "links": _link(req, "/v2/")}
                for minor in (16, 15, 9, 0)
            ]
        },
        root=True,
        public=True,
    )
    fake.route(
        "image",
        "GET",
        "/versions",
        lambda req: {"versions": [{"id": "v2.16", "status": "CURRENT", "links": _link(req, "/v2/")}]},
        root=True,
        public=True,
    )
    fake.route(
        "load-balancer",
        "GET",
        "/?",
        lambda req: {
            "versions": [
                {"id": "v2.0", "status": "SUPPORTED", "updated": "2016-12-11T00:00:00Z", "links": _link(req, "/v2")},
                {"id": "v2.27", "status": "CURRENT", "updated": "2023-05-24T00:00:00Z", "links": _link(req, "/v2")},
            ]
        },
        root=True,
        public=True,
    )
    for service in ("block-storage", "volumev2"):
        fake.route(
            service, "GET", "/?", lambda req: {"versions": [_cinder_v2(req), _cinder_v3(req)]}, root=True, public=True
        )
        fake.route(service, "GET", "/v3/?", lambda req: {"versions": [_cinder_v3(req)]}, root=True, public=True)
