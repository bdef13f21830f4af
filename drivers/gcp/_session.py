"""One service-account credential per connection, and its API clients created once and reused.

Every client talks REST (the SDK's `"rest"` transport, built here so that all of them share the
connection's one credential: the access token is fetched once from the token endpoint and reused
by every client, instead of each client signing its own). Spiderweb retries transient failures
itself, so every call goes out with `retry=None` and a bounded timeout (`CALL`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeVar, cast

from google.api_core import gapic_v1
from google.api_core.extended_operation import ExtendedOperation
from google.cloud import billing_v1, compute_v1
from google.cloud.compute_v1.types import compute
from google.oauth2 import service_account

from drivers.errors import DriverError, NotFoundError, TransientError, UnreachableError
from drivers.gcp._common import last_segment
from drivers.gcp._errors import from_operation, translate

C = TypeVar("C")

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - an address, not a secret
# The Cloud Billing service id of Compute Engine, whose SKUs price VMs.
COMPUTE_ENGINE_SERVICE = "services/6F81-5844-456A"

PAGE_SIZE = 500  # the most Compute Engine lists answer per page
CALL_TIMEOUT = 30.0  # seconds per HTTP request, token exchange included
OPERATION_TIMEOUT = 300.0  # how long `wait()` follows a long-running operation
# Pauses between polls of a running operation: quick at first (most finish in seconds), then steady.
POLL_DELAYS: Sequence[float] = (0.5, 1.0, 2.0, 3.0, 5.0)

# Keyword arguments of every SDK call: no SDK retries, a bounded wait.
CALL: Mapping[str, Any] = MappingProxyType({"retry": None, "timeout": CALL_TIMEOUT})

_CLIENT_INFO = gapic_v1.client_info.ClientInfo(user_agent="spiderweb")  # type: ignore[no-untyped-call]


def credentials_from(*, project: str, client_email: str, private_key: str) -> service_account.Credentials:
    """The service account's credential; raises ValueError when the key cannot be read (no I/O)."""
    info = {
        "type": "service_account",
        "project_id": project,
        "client_email": client_email,
        "private_key": private_key,
        "token_uri": TOKEN_URI,
    }
    credentials: service_account.Credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
        info, scopes=SCOPES
    )
    return credentials


class GCPClients:
    """The API clients of one credential in one project and region, made on first use."""

    def __init__(self, *, credentials: service_account.Credentials, project: str, region: str, zone: str = "") -> None:
        self.credentials = credentials
        self.project = project
        self.region = region
        self._zone = zone
        self._clients: dict[type[Any], Any] = {}
        self._lock = threading.Lock()

    # --- clients -------------------------------------------------------------------------------

    def regions(self) -> compute_v1.RegionsClient:
        return self._client(compute_v1.RegionsClient)

    def zones(self) -> compute_v1.ZonesClient:
        return self._client(compute_v1.ZonesClient)

    def images(self) -> compute_v1.ImagesClient:
        return self._client(compute_v1.ImagesClient)

    def machine_types(self) -> compute_v1.MachineTypesClient:
        return self._client(compute_v1.MachineTypesClient)

    def zone_operations(self) -> compute_v1.ZoneOperationsClient:
        return self._client(compute_v1.ZoneOperationsClient)

    def region_operations(self) -> compute_v1.RegionOperationsClient:
        return self._client(compute_v1.RegionOperationsClient)

    def global_operations(self) -> compute_v1.GlobalOperationsClient:
        return self._client(compute_v1.GlobalOperationsClient)

    def catalog(self) -> billing_v1.CloudCatalogClient:
        return self._client(billing_v1.CloudCatalogClient)

    def client(self, cls: type[C]) -> C:
        """Any other google-cloud client class (REST transport, this connection's credential)."""
        return self._client(cls)

    def _client(self, cls: type[C]) -> C:
        with self._lock:
            client = self._clients.get(cls)
            if client is None:
                factory: Any = cls
                transport = factory.get_transport_class("rest")(credentials=self.credentials, client_info=_CLIENT_INFO)
                client = factory(transport=transport)
                self._clients[cls] = client
            return cast(C, client)

    def close(self) -> None:
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for client in clients:
            client.transport.close()

    # --- the connection's zone -----------------------------------------------------------------

    def zone(self) -> str:
        """The connection's zone; when none was given, the region's first zone that is UP (looked up
        once, then kept)."""
        with self._lock:
            if self._zone:
                return self._zone
        zone = self.first_up_zone(self.region)
        with self._lock:
            self._zone = self._zone or zone
            return self._zone

    def all_zones(self) -> list[compute.Zone]:
        """Every zone of every region: one page, as there are a few hundred at most."""
        request = compute.ListZonesRequest(project=self.project, max_results=PAGE_SIZE)
        with translate():
            return list(self.zones().list(request=request, **CALL))

    def first_up_zone(self, region: str) -> str:
        zones = self.all_zones()
        in_region = sorted((zone for zone in zones if last_segment(zone.region) == region), key=lambda z: z.name)
        if not in_region:
            raise NotFoundError(f"Region '{region}' does not exist in project '{self.project}'.", field="region")
        for zone in in_region:
            if zone.status == "UP":
                return zone.name
        raise UnreachableError(f"No zone of region '{region}' is up.", field="region")

    # --- long-running operations ---------------------------------------------------------------

    def wait(
        self,
        operation: ExtendedOperation | compute.Operation,
        *,
        what: str,
        field: str = "",
        timeout: float = OPERATION_TIMEOUT,
    ) -> compute.Operation:
        """Follow a Compute Engine operation until it is DONE and return it; raise its error as a
        `DriverError` (`what` names the action in messages), or `TransientError` after `timeout`."""
        current = _as_operation(operation)
        deadline = time.monotonic() + timeout
        delays = iter(POLL_DELAYS)
        delay = 0.0
        while current.status != compute.Operation.Status.DONE:
            if time.monotonic() + delay > deadline:
                raise TransientError(
                    f"Google Cloud had not finished {what} after {timeout:g} seconds; it carries on.",
                    provider_message=f"operation {current.name} is {current.status.name}",
                )
            time.sleep(delay)
            with translate():
                current = self._poll(current)
            delay = next(delays, POLL_DELAYS[-1])
        error: DriverError | None = from_operation(current, what=what, field=field)
        if error is not None:
            raise error
        return current

    def _poll(self, operation: compute.Operation) -> compute.Operation:
        name = operation.name
        if operation.zone:
            return self.zone_operations().get(
                project=self.project, zone=last_segment(operation.zone), operation=name, **CALL
            )
        if operation.region:
            return self.region_operations().get(
                project=self.project, region=last_segment(operation.region), operation=name, **CALL
            )
        return self.global_operations().get(project=self.project, operation=name, **CALL)


def _as_operation(operation: ExtendedOperation | compute.Operation) -> compute.Operation:
    if isinstance(operation, compute.Operation):
        return operation
    # The SDK's future polls with its own (retrying) client; its identity is taken from it, and its
    # error: an operation may answer DONE with an error on its first answer.
    return compute.Operation(
        name=operation.name,
        zone=operation.zone,
        region=operation.region,
        status=operation.status,
        error=operation.error,
        http_error_status_code=operation.http_error_status_code,
        http_error_message=operation.http_error_message,
    )
