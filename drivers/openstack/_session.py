"""One Keystone session per connection, and the openstacksdk connection on top of it.

Keystone is asked for a token once (and again only when it expires); the token's service
catalogue decides every endpoint, so nothing here knows a service URL. The SDK's own retries
are off (Spiderweb retries transient errors itself) and every request has a bounded timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import openstack.connection
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v2, v3

from drivers.errors import TransientError, UnreachableError
from drivers.openstack._errors import translate
from drivers.openstack.profiles import Profile

T = TypeVar("T")

CALL_TIMEOUT = 30.0  # seconds per HTTP request
WAIT_TIMEOUT = 300.0  # how long `wait_until` follows a resource to a settled state
POLL_DELAYS: Sequence[float] = (0.5, 1.0, 2.0, 3.0, 5.0)


def make_auth(profile: Profile, credential: dict[str, Any]) -> Any:
    """The keystoneauth plugin for the credential (no I/O)."""
    url = str(credential.get("IdentityEndpoint") or profile.default_identity_endpoint).strip()
    if profile.identity_version == "v2.0":
        return v2.Password(
            auth_url=url,
            username=credential["Username"],
            password=credential["Password"],
            tenant_id=credential["TenantID"],
        )
    if credential.get("ApplicationCredentialID"):
        return v3.ApplicationCredential(
            auth_url=url,
            application_credential_id=credential["ApplicationCredentialID"],
            application_credential_secret=credential["ApplicationCredentialSecret"],
        )
    domain = str(credential.get("DomainName") or profile.default_domain)
    return v3.Password(
        auth_url=url,
        username=credential["Username"],
        password=credential["Password"],
        user_domain_name=domain,
        project_id=credential["ProjectID"],
        project_domain_name=domain,
    )


class Clouds:
    """The SDK connection of one credential in one region, made on first use and shared by the handlers."""

    def __init__(self, *, profile: Profile, auth: Any, region: str, zone: str = "") -> None:
        self.profile = profile
        self.region = region
        self.zone_name = zone
        self._auth = auth
        self._session = ks_session.Session(auth=auth, timeout=CALL_TIMEOUT, app_name="spiderweb")
        self._conns: dict[str, openstack.connection.Connection] = {}
        self._lock = threading.Lock()
        self._external = ""

    def conn(self, region: str = "") -> openstack.connection.Connection:
        """The SDK connection of `region` (default: the connection's)."""
        region = region or self.region
        with self._lock:
            conn = self._conns.get(region)
            if conn is None:
                options: dict[str, Any] = {}
                if self.profile.volume_service == "volumev2":
                    options["block_storage_api_version"] = "2"
                conn = openstack.connection.Connection(
                    session=self._session, region_name=region, app_name="spiderweb", **options
                )
                self._conns[region] = conn
            return conn

    @property
    def session(self) -> ks_session.Session:
        return self._session

    @property
    def compute(self) -> Any:
        return self.conn().compute

    @property
    def network(self) -> Any:
        return self.conn().network

    @property
    def block_storage(self) -> Any:
        return self.conn().block_storage

    @property
    def image(self) -> Any:
        return self.conn().image

    @property
    def load_balancer(self) -> Any:
        return self.conn().load_balancer

    def catalog_regions(self) -> list[str]:
        """The regions the token's catalogue offers compute in, in catalogue order."""
        with translate():
            access = self._auth.get_access(self._session)
            endpoints = access.service_catalog.get_endpoints(service_type="compute", interface="public")
        regions: list[str] = []
        for endpoint in endpoints.get("compute", []):
            region = str(endpoint.get("region_id") or endpoint.get("region") or "")
            if region and region not in regions:
                regions.append(region)
        return regions

    def has_service(self, service_type: str) -> bool:
        with translate():
            access = self._auth.get_access(self._session)
            return bool(access.service_catalog.get_endpoints(service_type=service_type, region_name=self.region))

    def project_id(self) -> str:
        with translate():
            return str(self._session.get_project_id())

    def external_network_id(self) -> str:
        """The network floating IPs come from: the profile's named one, else the first router:external one;
        "" on a private cloud that has none (its VMs then have private addresses only)."""
        with self._lock:
            if self._external:
                return self._external
        with translate():
            networks = list(self.network.networks(is_router_external=True))
        wanted = self.profile.external_network
        candidates = [n for n in networks if not wanted or n.name == wanted]
        if not candidates:
            return ""
        with self._lock:
            self._external = str(candidates[0].id)
            return self._external

    def zone(self) -> str:
        """The connection's zone; when none was given, Nova's first available zone (looked up once)."""
        with self._lock:
            if self.zone_name:
                return self.zone_name
        with translate():
            zones = [z for z in self.compute.availability_zones() if (z.state or {}).get("available")]
        if not zones:
            raise UnreachableError(f"No availability zone of region '{self.region}' is available.", field="zone")
        with self._lock:
            self.zone_name = self.zone_name or str(zones[0].name)
            return self.zone_name

    def authenticate(self) -> None:
        with translate():
            self._session.get_token()

    def close(self) -> None:
        with self._lock:
            conns = list(self._conns.values())
            self._conns.clear()
        for conn in conns:
            conn.close()

    def wait_until(self, fetch: Callable[[], T], done: Callable[[T], bool], *, what: str) -> T:
        """Poll `fetch` until `done` holds; `TransientError` when the cloud takes longer than WAIT_TIMEOUT."""
        deadline = time.monotonic() + WAIT_TIMEOUT
        delays = iter(POLL_DELAYS)
        current = fetch()
        while not done(current):
            delay = next(delays, POLL_DELAYS[-1])
            if time.monotonic() + delay > deadline:
                raise TransientError(
                    f"OpenStack had not finished {what} after {WAIT_TIMEOUT:g} seconds; it carries on."
                )
            time.sleep(delay)
            current = fetch()
        return current
