"""Keystone: tokens with their service catalogue (identity v3, and v2.0 for clouds that still use it).

Shapes from the identity api-ref: v3 "Password authentication with scoped authorization" and
"Authenticating with an Application Credential" (POST /v3/auth/tokens answers 201, the token in
the X-Subject-Token header, `token.catalog[].endpoints[]` with interface, region and region_id),
and v2.0 "Authenticate" (POST /v2.0/tokens answers `access.token.id` and `access.serviceCatalog[]`
with publicURL per region). A wrong password is 401 with Keystone's error body.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.drivers.openstack.fake.server import FakeOpenStack, Reply, Request, keystone_error

SERVICE_NAMES = {
    "compute": "nova",
    "network": "neutron",
    "block-storage": "cinderv3",
    "volumev3": "cinderv3",
    "volumev2": "cinderv2",
    "image": "glance",
    "load-balancer": "octavia",
}

UNAUTHORIZED = "The request you have made requires authentication."


def register(fake: FakeOpenStack) -> None:
    if fake.layout.identity_version == "v3":
        fake.route("identity", "POST", "/auth/tokens", lambda req: _v3_token(fake, req), public=True)
        fake.route("identity", "GET", "", lambda req: _v3_version(fake), public=True)
    else:
        fake.route("identity", "POST", "/tokens", lambda req: _v2_token(fake, req), public=True)


def _expiry() -> tuple[str, str]:
    now = datetime.now(tz=UTC)
    return now.isoformat(timespec="microseconds").replace("+00:00", "Z"), (now + timedelta(hours=12)).isoformat(
        timespec="microseconds"
    ).replace("+00:00", "Z")


def _v3_version(fake: FakeOpenStack) -> Reply:
    url = fake.layout.identity_url.rstrip("/") + "/"
    return {
        "version": {
            "id": "v3.14",
            "status": "stable",
            "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": url}],
            "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}],
        }
    }


def _catalog_v3(fake: FakeOpenStack, project: str) -> list[dict[str, Any]]:
    catalog = [
        {
            "type": "identity",
            "name": "keystone",
            "id": uuid.uuid4().hex,
            "endpoints": [
                {
                    "id": uuid.uuid4().hex,
                    "interface": "public",
                    "region": region,
                    "region_id": region,
                    "url": fake.layout.identity_url.rstrip("/"),
                }
                for region in fake.layout.regions
            ],
        }
    ]
    for service in fake.layout.endpoints:
        endpoints = [
            {
                "id": uuid.uuid4().hex,
                "interface": "public",
                "region": region,
                "region_id": region,
                "url": fake.endpoint(service, region, project),
            }
            for region in fake.layout.regions
        ]
        catalog.append(
            {
                "type": service,
                "name": SERVICE_NAMES.get(service, service),
                "id": uuid.uuid4().hex,
                "endpoints": endpoints,
            }
        )
    return catalog


def _v3_token(fake: FakeOpenStack, req: Request) -> Reply:
    auth = req.body.get("auth", {})
    identity = auth.get("identity", {})
    methods = identity.get("methods", [])
    if "application_credential" in methods:
        cred = identity.get("application_credential", {})
        known = fake.app_credentials.get(str(cred.get("id", "")))
        if known is None or known[0] != cred.get("secret"):
            raise keystone_error(401, "Unauthorized", UNAUTHORIZED)
        user = fake.users[known[1]]
        project = user.project  # an application credential carries its own project scope
    elif "password" in methods:
        given = identity.get("password", {}).get("user", {})
        user = fake.users.get(str(given.get("name", "")))
        domain = given.get("domain", {})
        domain_name = domain.get("name") or domain.get("id")
        if user is None or user.password != given.get("password") or domain_name != user.domain:
            raise keystone_error(401, "Unauthorized", UNAUTHORIZED)
        scope = auth.get("scope", {}).get("project", {})
        project = str(scope.get("id") or "")
        if not project:
            by_name = [pid for pid, name in fake.projects.items() if name == scope.get("name")]
            project = by_name[0] if by_name else ""
        if project != user.project:
            raise keystone_error(401, "Unauthorized", UNAUTHORIZED)
    else:
        raise keystone_error(400, "Bad Request", "Expecting to find identity in auth.")
    token = uuid.uuid4().hex
    fake.tokens[token] = project
    issued, expires = _expiry()
    body = {
        "token": {
            "methods": methods,
            "user": {
                "id": user.user_id,
                "name": user.name,
                "domain": {"id": user.domain, "name": user.domain},
                "password_expires_at": None,
            },
            "project": {
                "id": project,
                "name": fake.projects[project],
                "domain": {"id": user.domain, "name": user.domain},
            },
            "roles": [{"id": uuid.uuid4().hex, "name": "member"}],
            "catalog": _catalog_v3(fake, project),
            "audit_ids": [uuid.uuid4().hex[:22]],
            "issued_at": issued,
            "expires_at": expires,
            "is_domain": False,
        }
    }
    return 201, body, {"X-Subject-Token": token}


def _v2_token(fake: FakeOpenStack, req: Request) -> Reply:
    auth = req.body.get("auth", {})
    creds = auth.get("passwordCredentials", {})
    user = fake.users.get(str(creds.get("username", "")))
    tenant = str(auth.get("tenantId", ""))
    if user is None or user.password != creds.get("password") or tenant != user.project:
        raise keystone_error(401, "Unauthorized", UNAUTHORIZED)
    token = uuid.uuid4().hex
    fake.tokens[token] = tenant
    issued, expires = _expiry()
    catalog = [
        {
            "type": service,
            "name": SERVICE_NAMES.get(service, service),
            "endpoints": [
                {"region": region, "publicURL": fake.endpoint(service, region, tenant), "id": uuid.uuid4().hex}
                for region in fake.layout.regions
            ],
            "endpoints_links": [],
        }
        for service in fake.layout.endpoints
    ]
    body = {
        "access": {
            "token": {
                "id": token,
                "issued_at": issued,
                "expires": expires,
                "tenant": {"id": tenant, "name": fake.projects[tenant], "enabled": True},
            },
            "serviceCatalog": catalog,
            "user": {"id": user.user_id, "name": user.name, "username": user.name, "roles": [{"name": "member"}]},
            "metadata": {"is_admin": 0, "roles": []},
        }
    }
    return 200, body
