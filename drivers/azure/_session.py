"""One credential per connection, its management clients created once and reused, the resource group
policy, bounded waits on long-running operations, and the unauthenticated Retail Prices endpoint.

The SDK's own retries are off (Spiderweb retries transient failures itself, with its own backoff and
operation records) and every call has bounded timeouts, so a dead endpoint cannot hold a worker.
The public cloud's endpoints are fixed here rather than read from the environment of whoever runs
the worker (azure-core and azure-identity would otherwise honour AZURE_CLOUD / AZURE_AUTHORITY_HOST).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar, cast

from azure.core import PipelineClient
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    map_error,
)
from azure.core.pipeline import policies
from azure.core.polling import LROPoller
from azure.core.rest import HttpRequest, HttpResponse
from azure.identity import ClientSecretCredential
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.core.exceptions import ARMErrorFormat
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from drivers.azure._errors import translate
from drivers.errors import FieldError, NotFoundError, TransientError

T = TypeVar("T")

ARM_ENDPOINT = "https://management.azure.com"
ARM_SCOPE = "https://management.azure.com/.default"
AUTHORITY_HOST = "login.microsoftonline.com"
RETAIL_PRICES_ENDPOINT = "https://prices.azure.com"

# azure-mgmt-resource no longer ships SubscriptionClient; the locations call is made through the
# resource client's pipeline (same credential, policies and error format) at this API version.
LOCATIONS_API_VERSION = "2022-12-01"

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
POLLING_INTERVAL = 2.0  # between polls of an operation when Azure sends no Retry-After
LRO_TIMEOUT = 300.0  # the longest a handler waits on one operation before reporting it as still running

# Spiderweb's own resource group per connection region when the connection names none.
GROUP_PREFIX = "spiderweb-"
GROUP_TAGS = {"created-by": "spiderweb"}

_TRANSPORT_OPTIONS: dict[str, Any] = {
    "retry_total": 0,
    "connection_timeout": CONNECT_TIMEOUT,
    "read_timeout": READ_TIMEOUT,
    "user_agent": "spiderweb",
}


def default_group(region: str) -> str:
    return f"{GROUP_PREFIX}{region}"


class AzureSession:
    """The clients of one service principal in one subscription and region.

    Opening one does no I/O: the token is fetched by the first call, the clients are built on first
    use (under a lock, so threads share them), and the resource group is made ready once, by the
    first handler that needs it.
    """

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        subscription_id: str,
        region: str,
        resource_group: str = "",
        polling_interval: float = POLLING_INTERVAL,
        lro_timeout: float = LRO_TIMEOUT,
        zone: str = "",
    ) -> None:
        self.subscription_id = subscription_id
        self.region = region
        self.zone = zone  # the connection's availability zone, "" for none
        self.named_group = resource_group
        self.polling_interval = polling_interval
        self.lro_timeout = lro_timeout
        # Instance discovery asks a second Entra endpoint to vouch for the authority; the authority
        # is the fixed public one, so only the tenant's OpenID configuration and token endpoint are called.
        self._credential = ClientSecretCredential(
            tenant_id,
            client_id,
            client_secret,
            authority=AUTHORITY_HOST,
            disable_instance_discovery=True,
            **_TRANSPORT_OPTIONS,
        )
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._group: str | None = None
        self._group_lock = threading.Lock()

    # --- clients ----------------------------------------------------------------------------------

    def compute(self) -> ComputeManagementClient:
        return cast(ComputeManagementClient, self._client("compute", lambda: ComputeManagementClient(**self._arm())))

    def network(self) -> NetworkManagementClient:
        return cast(NetworkManagementClient, self._client("network", lambda: NetworkManagementClient(**self._arm())))

    def resources(self) -> ResourceManagementClient:
        return cast(
            ResourceManagementClient, self._client("resources", lambda: ResourceManagementClient(**self._arm()))
        )

    def prices(self) -> PipelineClient[HttpRequest, HttpResponse]:
        """A plain client for the Retail Prices API, which takes no credential."""

        def make() -> PipelineClient[HttpRequest, HttpResponse]:
            pipeline = [
                policies.HeadersPolicy(),
                policies.UserAgentPolicy(**_TRANSPORT_OPTIONS),
                policies.RetryPolicy(**_TRANSPORT_OPTIONS),
            ]
            return PipelineClient(RETAIL_PRICES_ENDPOINT, policies=pipeline, **_TRANSPORT_OPTIONS)

        return cast("PipelineClient[HttpRequest, HttpResponse]", self._client("prices", make))

    def _arm(self) -> dict[str, Any]:
        """Constructor arguments shared by every management client."""
        return {
            "credential": self._credential,
            "subscription_id": self.subscription_id,
            "base_url": ARM_ENDPOINT,
            "credential_scopes": [ARM_SCOPE],
            "polling_interval": self.polling_interval,
            **_TRANSPORT_OPTIONS,
        }

    def _client(self, key: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = make()
                self._clients[key] = client
            return client

    def close(self) -> None:
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for client in clients:
            client.close()
        self._credential.close()

    # --- plain ARM reads ----------------------------------------------------------------------------

    def arm_list(self, path: str, *, api_version: str) -> Iterator[dict[str, Any]]:
        """The items of an ARM list answer (`value`, following `nextLink`), as JSON."""
        url: str | None = f"{ARM_ENDPOINT}{path}"
        params: dict[str, str] | None = {"api-version": api_version}
        while url:
            request = HttpRequest("GET", url, params=params, headers={"Accept": "application/json"})
            response = self.resources().send_request(request)
            if response.status_code != 200:
                map_error(status_code=response.status_code, response=response, error_map=_ERROR_MAP)
                raise HttpResponseError(response=response, error_format=ARMErrorFormat)
            body: dict[str, Any] = response.json()
            yield from body.get("value", [])
            # A next link carries its own query, api-version included.
            url, params = body.get("nextLink") or None, None

    def locations(self) -> list[dict[str, Any]]:
        with translate():
            return list(
                self.arm_list(f"/subscriptions/{self.subscription_id}/locations", api_version=LOCATIONS_API_VERSION)
            )

    # --- resource group ---------------------------------------------------------------------------------

    def resource_group(self) -> str:
        """The resource group this connection's resources go in, made ready on first use.

        A group named by the connection must exist and is used as it is; otherwise Spiderweb's group of
        the region (`spiderweb-<region>`) is created when missing. Either way it is checked only once.
        """
        with self._group_lock:
            if self._group is None:
                self._group = self._ensure_group()
            return self._group

    def _ensure_group(self) -> str:
        groups = self.resources().resource_groups
        name = self.named_group or default_group(self.region)
        try:
            with translate(field="ResourceGroup"):
                groups.get(name)
            return name
        except NotFoundError as exc:
            if self.named_group:
                raise FieldError(
                    f"Resource group '{name}' does not exist in subscription {self.subscription_id}; a group named "
                    "in the connection is used as it is and never created.",
                    field="ResourceGroup",
                    provider_message=exc.provider_message,
                ) from exc
        with translate(field="ResourceGroup"):
            groups.create_or_update(name, {"location": self.region, "tags": dict(GROUP_TAGS)})
        return name

    # --- long-running operations -------------------------------------------------------------------------

    def wait(self, start: Callable[[], LROPoller[T]], *, what: str) -> T:
        """Start a long-running operation (`start()` sends its first request) and wait at most
        `lro_timeout` seconds for its result.

        The start and the operation's failure raise Azure's error (translated); an operation still
        running at the deadline is a `TransientError`, so a retry finds the resource further along.
        """
        with translate():
            poller = start()
            poller.wait(timeout=self.lro_timeout)
        if not poller.done():
            raise TransientError(
                f"Azure is still working on {what} after {self.lro_timeout:g} seconds (status {poller.status()})."
            )
        with translate():
            return poller.result()


_ERROR_MAP: Mapping[int, type[HttpResponseError]] = {
    401: ClientAuthenticationError,
    404: ResourceNotFoundError,
    409: ResourceExistsError,
}
