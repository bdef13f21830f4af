"""Nova: flavors, availability zones and key pairs; servers (with their actions, metadata, tags,
volume attachments and snapshots) are in nova_servers.py.

Shapes from the compute api-ref: a server answers with `status`, `OS-EXT-STS:task_state`,
`OS-EXT-STS:vm_state`, `addresses` (fixed and floating, `OS-EXT-IPS:type`), `flavor` (2.47+: the
flavor's fields with `original_name`), `os-extended-volumes:volumes_attached`, `tags` (2.26+).
A server builds over several polls (BUILD/spawning -> ACTIVE); suspend, resume, reboot, stop and
start pass through their task states ("suspending", "resuming", REBOOT/"rebooting", "powering-off",
"powering-on") before settling, and delete through "deleting". An action in the wrong state is 409
"Cannot 'suspend' instance <id> while it is in vm_state suspended" (conflictingRequest). Keypair
generation without a public key is refused from microversion 2.92 on.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.drivers.openstack.fake.server import FakeOpenStack, Reply, Request, nova_error

FLAVORS = (
    ("1", "m1.tiny", 1, 512, 1),
    ("2", "m1.small", 1, 2048, 20),
    ("3", "m1.medium", 2, 4096, 40),
    ("4", "m1.large", 4, 8192, 80),
    ("5", "g1.xlarge", 8, 32768, 100),
)


def microversion(req: Request) -> tuple[int, int]:
    header = req.headers.get("OpenStack-API-Version", "")
    match = re.search(r"compute (\d+)\.(\d+)", header) or re.search(
        r"(\d+)\.(\d+)", req.headers.get("X-OpenStack-Nova-API-Version", "")
    )
    return (int(match.group(1)), int(match.group(2))) if match else (2, 1)


def mv_headers(req: Request) -> dict[str, str]:
    major, minor = microversion(req)
    return {
        "OpenStack-API-Version": f"compute {major}.{minor}",
        "X-OpenStack-Nova-API-Version": f"{major}.{minor}",
        "Vary": "OpenStack-API-Version, X-OpenStack-Nova-API-Version",
    }


def ok(req: Request, body: Any, status: int = 200) -> Reply:
    return status, body, mv_headers(req)


def register(fake: FakeOpenStack) -> None:
    for region in fake.layout.regions:
        for fid, name, vcpus, ram, disk in FLAVORS:
            extra = {"pci_passthrough:alias": "a100:1"} if name.startswith("g1") else {}
            fake.coll(region, "flavors")[fid] = {
                "id": fid,
                "name": name,
                "vcpus": vcpus,
                "ram": ram,
                "disk": disk,
                "swap": 0,
                "OS-FLV-EXT-DATA:ephemeral": 0,
                "OS-FLV-DISABLED:disabled": False,
                "rxtx_factor": 1.0,
                "os-flavor-access:is_public": True,
                "description": None,
                "extra_specs": extra,
                "links": [],
            }
    route = fake.route
    route(
        "compute",
        "GET",
        "/flavors/detail",
        lambda req: _flavors(fake, req),
        query=frozenset({"is_public", "limit", "marker", "minDisk", "minRam"}),
    )
    route("compute", "GET", "/flavors/(?P<id>[^/?]+)", lambda req: _flavor(fake, req))
    route(
        "compute",
        "GET",
        "/os-availability-zone",
        lambda req: ok(
            req,
            {
                "availabilityZoneInfo": [
                    {"zoneName": zone, "zoneState": {"available": True}, "hosts": None}
                    for zone in fake.layout.zones[req.region]
                ]
            },
        ),
    )
    route(
        "compute",
        "GET",
        "/os-keypairs",
        lambda req: ok(
            req,
            {
                "keypairs": [
                    {"keypair": _keypair_view(k)}
                    for k in fake.coll(req.region, "keypairs").values()
                    if k["_project"] == req.project
                ]
            },
        ),
        query=frozenset({"limit", "marker", "user_id"}),
    )
    route("compute", "POST", "/os-keypairs", lambda req: _create_keypair(fake, req))
    route(
        "compute",
        "GET",
        "/os-keypairs/(?P<name>[^/?]+)",
        lambda req: ok(req, {"keypair": _keypair_view(_keypair(fake, req))}),
    )
    route("compute", "DELETE", "/os-keypairs/(?P<name>[^/?]+)", lambda req: _delete_keypair(fake, req))


# --- flavors -------------------------------------------------------------------------------------


def _flavors(fake: FakeOpenStack, req: Request) -> Reply:
    flavors = [dict(f) for f in fake.coll(req.region, "flavors").values()]
    if microversion(req) < (2, 61):
        for flavor in flavors:
            flavor.pop("extra_specs")
    return ok(req, {"flavors": flavors})


def _flavor(fake: FakeOpenStack, req: Request) -> Reply:
    flavor = fake.find(req.region, "flavors", req.params["id"])
    if flavor is None:
        raise nova_error(404, f"Flavor {req.params['id']} could not be found.")
    return ok(req, {"flavor": flavor})


# --- key pairs -----------------------------------------------------------------------------------


def _keypair_view(key: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in key.items() if not k.startswith("_") and k != "private_key"}


def _keypair(fake: FakeOpenStack, req: Request) -> dict[str, Any]:
    key = fake.find(req.region, "keypairs", f"{req.project}/{req.params['name']}")
    if key is None:
        raise nova_error(404, f"Keypair {req.params['name']} not found for user {req.project}")
    return key


def _fingerprint(public_key: str) -> str:
    raw = base64.b64decode(public_key.split()[1])
    digest = hashlib.md5(raw).hexdigest()  # noqa: S324 - Nova's fingerprint is the MD5 of the key
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def _create_keypair(fake: FakeOpenStack, req: Request) -> Reply:
    body = req.body.get("keypair", {})
    name = str(body.get("name", ""))
    if not re.fullmatch(r"[A-Za-z0-9 _.@-]{1,255}", name):
        raise nova_error(
            400,
            f"Invalid input for field/attribute name. Value: {name}. 'name' must be a string of allowed characters",
        )
    if fake.find(req.region, "keypairs", f"{req.project}/{name}") is not None:
        raise nova_error(409, f"Key pair '{name}' already exists.")
    public_key = body.get("public_key")
    private_key = None
    if not public_key:
        if microversion(req) >= (2, 92):
            raise nova_error(
                400, "Invalid input for field/attribute keypair. Value: ... 'public_key' is a required property"
            )
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_key = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ).decode()
        public_key = (
            key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
            + " Generated-by-Nova"
        )
    keypair = {
        "name": name,
        "public_key": public_key,
        "fingerprint": _fingerprint(public_key),
        "type": "ssh",
        "user_id": "u-" + req.project[:8],
        "_project": req.project,
        "created_at": fake.now(),
        "id": fake.seq(),
    }
    fake.coll(req.region, "keypairs")[f"{req.project}/{name}"] = keypair
    answer = _keypair_view(keypair)
    if private_key:
        answer["private_key"] = private_key
    return ok(req, {"keypair": answer}, 200 if microversion(req) < (2, 2) else 201)


def _delete_keypair(fake: FakeOpenStack, req: Request) -> Reply:
    key = _keypair(fake, req)
    fake.coll(req.region, "keypairs").pop(f"{req.project}/{key['name']}")
    return 202 if microversion(req) < (2, 2) else 204, None, mv_headers(req)
