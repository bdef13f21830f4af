"""One AccessKey per connection, and the product clients created from it once and reused.

Every product (ECS, VPC, SLB, CS, CMS) has its own generated client on the shared `tea-openapi`
core, which signs each request with ACS3-HMAC-SHA256. The handlers speak the APIs' own parameter
names (`RegionId`, `Tag: [{"Key":…}]`): `rpc()` builds the SDK's request model from them with
`from_map`, calls the client's `<action>_with_options`, and answers the response body as the API's
JSON (`to_map()`). Spiderweb retries transient failures itself, so the SDK never retries.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from alibabacloud_cms20190101 import models as cms_models
from alibabacloud_cms20190101.client import Client as CmsClient
from alibabacloud_cs20151215 import models as cs_models
from alibabacloud_cs20151215.client import Client as CsClient
from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_slb20140515 import models as slb_models
from alibabacloud_slb20140515.client import Client as SlbClient
from alibabacloud_tea_openapi import utils_models as openapi_models
from alibabacloud_vpc20160428 import models as vpc_models
from alibabacloud_vpc20160428.client import Client as VpcClient
from darabonba.runtime import RuntimeOptions

from drivers.alibaba._errors import translate
from drivers.errors import DriverError, TransientError

CONNECT_TIMEOUT_MS = 10_000
READ_TIMEOUT_MS = 30_000
WAIT_TIMEOUT = 300.0  # how long `wait_until()` follows an asynchronous state change
# Pauses between polls of a resource that is changing state: quick at first, then steady.
POLL_DELAYS: Sequence[float] = (0.5, 1.0, 2.0, 3.0, 5.0)

_PRODUCTS: Mapping[str, tuple[type[Any], Any]] = {
    "ecs": (EcsClient, ecs_models),
    "vpc": (VpcClient, vpc_models),
    "slb": (SlbClient, slb_models),
    "cs": (CsClient, cs_models),
    "cms": (CmsClient, cms_models),
}


def _method(client: Any, action: str) -> Callable[..., Any]:
    """The client's `<action>_with_options` (the generated names drop the underscores of
    "VSwitch" or "V1" inconsistently, so they are matched without underscores)."""
    wanted = action.lower() + "withoptions"
    for name in dir(type(client)):
        if name.replace("_", "") == wanted and not name.endswith("_async"):
            method: Callable[..., Any] = getattr(client, name)
            return method
    raise DriverError(f"The Alibaba Cloud SDK has no action {action}.")


def _request(cls: type[Any], action: str, params: Mapping[str, Any] | None) -> Any:
    """The SDK's request model filled from API parameter names. `from_map` silently drops a name the
    model does not have, which would send a request without it: such a name is refused here."""
    values = dict(params or {})
    request = cls().from_map(values)
    unknown = sorted(set(values) - set(request.to_map()))
    if unknown:
        raise DriverError(f"{action} takes no parameter {', '.join(unknown)}.")
    return request


class AlibabaClients:
    """The product clients of one AccessKey in one region; thread-safe, created on first use."""

    def __init__(self, *, access_key_id: str, access_key_secret: str, region: str, zone: str) -> None:
        self._access_key_id = access_key_id
        self._access_key_secret = access_key_secret
        self.region = region
        self.zone = zone
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"AlibabaClients(region={self.region!r}, access_key_id={self._access_key_id!r})"

    def client(self, product: str) -> Any:
        with self._lock:
            client = self._clients.get(product)
            if client is None:
                cls, _ = _PRODUCTS[product]
                config = openapi_models.Config(
                    access_key_id=self._access_key_id,
                    access_key_secret=self._access_key_secret,
                    region_id=self.region,
                    connect_timeout=CONNECT_TIMEOUT_MS,
                    read_timeout=READ_TIMEOUT_MS,
                    user_agent="spiderweb",
                )
                with translate():
                    client = cls(config)
                self._clients[product] = client
            return client

    @staticmethod
    def runtime() -> RuntimeOptions:
        return RuntimeOptions(autoretry=False, max_attempts=0)

    def rpc(self, product: str, action: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Call one RPC-style action with its API parameters; the answer body as the API's JSON."""
        client = self.client(product)
        _, models = _PRODUCTS[product]
        request = _request(getattr(models, f"{action}Request"), action, params)
        method = _method(client, action)
        with translate():
            response = method(request, self.runtime())
        body = response.body
        return dict(body.to_map()) if body is not None else {}

    def roa(self, action: str, *args: Any, params: Mapping[str, Any] | None = None) -> Any:
        """Call one ROA-style (path and JSON body) action of Container Service; `args` are the path
        parts (cluster id, node pool id) and `params` the request model's fields, when it has one."""
        client = self.client("cs")
        method = _method(client, action)
        call_args: list[Any] = list(args)
        request_cls = getattr(cs_models, f"{action}Request", None)
        if request_cls is not None:
            call_args.append(_request(request_cls, action, params))
        with translate():
            response = method(*call_args, {}, self.runtime())
        body = response.body
        if body is None:
            return {}
        return body.to_map() if hasattr(body, "to_map") else body

    def pages(
        self,
        product: str,
        action: str,
        params: Mapping[str, Any],
        *,
        items: Callable[[dict[str, Any]], list[Any]],
        page_size: int = 50,
    ) -> list[Any]:
        """Every item of a PageNumber/PageSize list (the style of ECS, VPC and SLB lists)."""
        result: list[Any] = []
        page = 1
        while True:
            body = self.rpc(product, action, {**params, "PageNumber": page, "PageSize": page_size})
            found = items(body)
            result.extend(found)
            total = int(body.get("TotalCount") or 0)
            if not found or len(result) >= total:
                return result
            page += 1

    def close(self) -> None:
        with self._lock:
            self._clients.clear()


def dig(data: Any, *path: str) -> list[Any]:
    """The list at `path` of an answer (`dig(body, "Vpcs", "Vpc")`), [] when any level is absent."""
    node = data
    for key in path:
        if not isinstance(node, dict):
            return []
        node = node.get(key)
    return list(node) if isinstance(node, list) else []


def wait_until(check: Callable[[], bool], *, what: str, timeout: float | None = None) -> None:
    """Poll `check` until it holds; a `TransientError` when `what` does not happen in time."""
    deadline = time.monotonic() + (WAIT_TIMEOUT if timeout is None else timeout)
    attempt = 0
    while not check():
        if time.monotonic() > deadline:
            raise TransientError(f"Timed out waiting for {what}.")
        time.sleep(POLL_DELAYS[min(attempt, len(POLL_DELAYS) - 1)])
        attempt += 1
