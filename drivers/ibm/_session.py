"""One IAM API key per connection, and its API clients created once and reused.

The VPC API is regional (`https://<region>.iaas.cloud.ibm.com/v1`); the Global Tagging and Global
Catalog APIs are global. All share one `IAMAuthenticator`, so the key is exchanged for a bearer token
once and the token is reused (and refreshed by the SDK before it expires). Every request names the VPC API version the
driver was written against (`VERSION`) and generation 2. The SDK does not retry unless asked to, and
Spiderweb retries transient failures itself; every request is bounded by `CALL_TIMEOUT`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ibm_cloud_sdk_core import DetailedResponse, get_query_param
from ibm_cloud_sdk_core.authenticators import IAMAuthenticator
from ibm_platform_services import GlobalCatalogV1, GlobalTaggingV1
from ibm_vpc import VpcV1

from drivers.errors import DriverError, NotFoundError, TransientError
from drivers.ibm._errors import translate

IAM_URL = "https://iam.cloud.ibm.com"
TAGGING_URL = "https://tags.global-search-tagging.cloud.ibm.com"
CATALOG_URL = "https://globalcatalog.cloud.ibm.com/api/v1"
VERSION = "2026-10-06"  # the VPC API behaviour the driver expects (the `version` query parameter)
PAGE_SIZE = 100  # the most a VPC API list answers per page
CALL_TIMEOUT = 30.0
WAIT_TIMEOUT = 600.0  # how long `wait_for` follows a resource that is settling
# Pauses between polls of a settling resource: quick at first, then steady.
POLL_DELAYS: Sequence[float] = (1.0, 2.0, 3.0, 5.0)


def vpc_url(region: str) -> str:
    return f"https://{region}.iaas.cloud.ibm.com/v1"


def result(response: DetailedResponse) -> dict[str, Any]:
    data = response.get_result()
    return data if isinstance(data, dict) else {}


class IBMClients:
    """The API clients of one API key in one region, made on first use."""

    def __init__(self, *, api_key: str, region: str, zone: str = "") -> None:
        self.region = region
        self.zone = zone
        self._authenticator = IAMAuthenticator(api_key, url=IAM_URL)
        self._authenticator.token_manager.http_config = {"timeout": CALL_TIMEOUT}
        self._vpc: VpcV1 | None = None
        self._tagging: GlobalTaggingV1 | None = None
        self._catalog: GlobalCatalogV1 | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # the key stays out of logs and tracebacks
        return f"IBMClients(region={self.region!r}, zone={self.zone!r})"

    @property
    def authenticator(self) -> IAMAuthenticator:
        return self._authenticator

    @property
    def vpc(self) -> VpcV1:
        with self._lock:
            if self._vpc is None:
                client = VpcV1(version=VERSION, authenticator=self._authenticator, generation=2)
                client.set_service_url(vpc_url(self.region))
                client.set_http_config({"timeout": CALL_TIMEOUT})
                self._vpc = client
            return self._vpc

    @property
    def tagging(self) -> GlobalTaggingV1:
        with self._lock:
            if self._tagging is None:
                client = GlobalTaggingV1(authenticator=self._authenticator)
                client.set_service_url(TAGGING_URL)
                client.set_http_config({"timeout": CALL_TIMEOUT})
                self._tagging = client
            return self._tagging

    @property
    def catalog(self) -> GlobalCatalogV1:
        with self._lock:
            if self._catalog is None:
                client = GlobalCatalogV1(authenticator=self._authenticator)
                client.set_service_url(CATALOG_URL)
                client.set_http_config({"timeout": CALL_TIMEOUT})
                self._catalog = client
            return self._catalog

    def close(self) -> None:
        with self._lock:
            for client in (self._vpc, self._tagging, self._catalog):
                if client is not None:
                    client.http_client.close()
            self._vpc = self._tagging = self._catalog = None

    # --- lists -----------------------------------------------------------------------------------

    def list_all(self, method: Callable[..., DetailedResponse], key: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a VPC API collection, following `next.href` page by page."""
        return list(self._pages(method, key, params))

    def _pages(
        self, method: Callable[..., DetailedResponse], key: str, params: dict[str, Any]
    ) -> Iterator[dict[str, Any]]:
        start: str | None = None
        while True:
            with translate():
                page = result(method(start=start, limit=PAGE_SIZE, **params))
            yield from page.get(key, [])
            href = (page.get("next") or {}).get("href")
            start = get_query_param(href, "start") if href else None
            if not start:
                return

    def find(
        self, method: Callable[..., DetailedResponse], key: str, *, name_or_id: str, **params: Any
    ) -> dict[str, Any] | None:
        """The item of a collection whose id or name is `name_or_id`, or None."""
        if not name_or_id:
            return None
        items = self.list_all(method, key, **params)
        return next((item for item in items if item.get("id") == name_or_id), None) or next(
            (item for item in items if item.get("name") == name_or_id), None
        )

    def get_or_none(self, method: Callable[..., DetailedResponse], *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        try:
            with translate():
                return result(method(*args, **kwargs))
        except NotFoundError:
            return None

    # --- settling resources ----------------------------------------------------------------------

    def wait_for(
        self,
        read: Callable[[], dict[str, Any] | None],
        *,
        done: Callable[[dict[str, Any] | None], bool],
        failed: Callable[[dict[str, Any] | None], DriverError | None] = lambda _: None,
        what: str,
        timeout: float = WAIT_TIMEOUT,
    ) -> dict[str, Any] | None:
        """Read a resource until `done` holds; raise `failed`'s error when it goes wrong, or
        `TransientError` after `timeout` (the cloud carries on)."""
        deadline = time.monotonic() + timeout
        delays = iter(POLL_DELAYS)
        current = read()
        while not done(current):
            error = failed(current)
            if error is not None:
                raise error
            delay = next(delays, POLL_DELAYS[-1])
            if time.monotonic() + delay > deadline:
                raise TransientError(f"IBM Cloud had not finished {what} after {timeout:g} seconds; it carries on.")
            time.sleep(delay)
            current = read()
        return current
