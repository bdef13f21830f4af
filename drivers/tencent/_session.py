"""The Tencent Cloud API clients of one connection, and the one way every handler calls them.

Each product (CVM, VPC, CBS, CLB, TKE, Monitor) has its own SDK client, created on first use with the
connection's SecretId/SecretKey; the SDK signs every request with TC3-HMAC-SHA256. `call()` builds
the product's request model from a dict (so a parameter the SDK does not know is a bug caught here,
not silently dropped), runs the action and answers the response as a dict. Nothing is retried here:
the SDK's retryer stays off and throttling surfaces as `ThrottlingError` for the caller to retry.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tencentcloud.common import credential as tc_credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from drivers.errors import ProviderError
from drivers.tencent._errors import translate

# product -> (SDK package, API version, client class)
PRODUCTS: Mapping[str, tuple[str, str, str]] = {
    "cvm": ("tencentcloud.cvm.v20170312", "2017-03-12", "CvmClient"),
    "vpc": ("tencentcloud.vpc.v20170312", "2017-03-12", "VpcClient"),
    "cbs": ("tencentcloud.cbs.v20170312", "2017-03-12", "CbsClient"),
    "clb": ("tencentcloud.clb.v20180317", "2018-03-17", "ClbClient"),
    "tke": ("tencentcloud.tke.v20180525", "2018-05-25", "TkeClient"),
    "monitor": ("tencentcloud.monitor.v20180724", "2018-07-24", "MonitorClient"),
    "tag": ("tencentcloud.tag.v20180813", "2018-08-13", "TagClient"),
}

# Pages as large as the APIs allow (Limit is at most 100 on CVM, VPC, CBS, CLB and TKE).
PAGE_SIZE = 100
REQUEST_TIMEOUT_S = 30
# Pauses between polls of a slow operation (CLB tasks); tests set them to (0.0,).
POLL_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0)
POLL_TIMEOUT_S = 120.0

Params = dict[str, Any]


class TencentClients:
    """One credential in one region; product clients made on first use, shared between threads."""

    def __init__(self, *, secret_id: str, secret_key: str, region: str, zone: str) -> None:
        self._credential = tc_credential.Credential(secret_id, secret_key)
        self.region = region
        self.zone = zone
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, product: str, region: str = "") -> Any:
        region = region or self.region
        with self._lock:
            found = self._clients.get((product, region))
            if found is None:
                package, _version, class_name = PRODUCTS[product]
                module = importlib.import_module(f"{package}.{product}_client")
                http = HttpProfile(reqTimeout=REQUEST_TIMEOUT_S)
                profile = ClientProfile(httpProfile=http, language="en-US")
                found = getattr(module, class_name)(self._credential, region, profile)
                self._clients[(product, region)] = found
            return found

    def call(self, product: str, action: str, params: Params | None = None, *, region: str = "") -> Params:
        """Run `action` of `product` with `params` and answer the `Response` object as a dict."""
        package = PRODUCTS[product][0]
        models = importlib.import_module(f"{package}.models")
        request = getattr(models, f"{action}Request")()
        known = {name[1:] for name in vars(request)}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            request._deserialize(dict(params or {}))
        # The SDK warns of unknown nested fields; a request model without fields does not look at all.
        useless = [str(w.message) for w in caught if "useless" in str(w.message)]
        useless += [f"{name} is not a parameter of {action}" for name in params or {} if name not in known]
        if useless:
            # The SDK would drop these parameters without a word; that is a driver bug.
            raise ValueError(f"{product}.{action}: parameters unknown to the SDK: {'; '.join(useless)}")
        client = self.client(product, region)
        with translate():
            response = getattr(client, action)(request)
        answer: Params = json.loads(response.to_json_string())
        return answer

    def pages(self, product: str, action: str, params: Params, items: str, *, as_text: bool = False) -> Iterator[Any]:
        """Every item of a paged Describe* answer, following Offset/Limit until TotalCount is reached.
        VPC's Describe* actions take Offset and Limit as strings (`as_text`)."""
        offset = 0
        while True:
            page = {
                **params,
                "Offset": str(offset) if as_text else offset,
                "Limit": str(PAGE_SIZE) if as_text else PAGE_SIZE,
            }
            answer = self.call(product, action, page)
            batch = answer.get(items) or []
            yield from batch
            offset += len(batch)
            total = int(answer.get("TotalCount") or 0)
            if not batch or offset >= total:
                return

    def close(self) -> None:
        with self._lock:
            self._clients.clear()


def wait_until(check: Callable[[], bool], *, what: str, timeout_s: float = 0.0) -> None:
    """Poll `check` until it holds, pausing by POLL_DELAYS (the last repeats); `ProviderError` on timeout."""
    timeout_s = timeout_s or POLL_TIMEOUT_S
    deadline = time.monotonic() + timeout_s
    attempt = 0
    while not check():
        if time.monotonic() > deadline:
            raise ProviderError(f"Tencent Cloud did not finish {what} within {int(timeout_s)} s.")
        time.sleep(POLL_DELAYS[min(attempt, len(POLL_DELAYS) - 1)])
        attempt += 1


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """Tags as CVM, VPC, CBS and TKE take them: [{"Key", "Value"}]."""
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def tags_of(items: Any, key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {str(tag[key]): str(tag.get(value) or "") for tag in items or [] if tag.get(key)}


def name_filter(name: str, field: str) -> list[dict[str, Any]]:
    return [{"Name": field, "Values": [name]}]
