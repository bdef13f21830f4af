"""The users, credentials and connections the OpenStack-family tests use against the fake."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drivers.types import ConnectionInfo
from tests.drivers.openstack.fake import LAYOUTS, FakeOpenStack, running

PROJECT_ID = "0f4b3d2c1a9e8d7c6b5a4f3e2d1c0b9a"
USER = "alice@example.com"
PASSWORD = "s3cret-Passw0rd"
APP_ID = "3c7e1e0fd3b94e4bbd1a1e0e6b0a2c11"
APP_SECRET = "app-secret-value"
REGIONS = {"openstack": "RegionOne", "nhn": "KR1", "ktvpc": "KR1"}
DOMAINS = {"openstack": "Default", "nhn": "Default", "ktvpc": "default"}


def credential(provider: str) -> dict[str, str]:
    layout = LAYOUTS[provider]
    if provider == "nhn":
        return {"Username": USER, "Password": PASSWORD, "TenantID": PROJECT_ID, "IdentityEndpoint": layout.identity_url}
    values = {"IdentityEndpoint": layout.identity_url, "Username": USER, "Password": PASSWORD, "ProjectID": PROJECT_ID}
    if provider == "openstack":
        values["DomainName"] = "Default"
    return values


def connection_info(provider: str = "openstack", *, region: str = "", zone: str = "", **changes: str) -> ConnectionInfo:
    values = {**credential(provider), **changes}
    values = {key: value for key, value in values.items() if value is not None}
    return ConnectionInfo(
        name=f"{provider}-test", provider=provider, credential=values, region=region or REGIONS[provider], zone=zone
    )


@contextmanager
def fake_cloud(provider: str = "openstack") -> Iterator[FakeOpenStack]:
    """The fake laid out as `provider`'s cloud, with the test user and project."""
    with running(LAYOUTS[provider]) as fake:
        fake.add_user(USER, PASSWORD, domain=DOMAINS[provider], project_id=PROJECT_ID, project_name="spiderweb")
        fake.app_credentials[APP_ID] = (APP_SECRET, USER)
        yield fake
