"""The core of a stateful fake of Alibaba Cloud's OpenAPI, answered through `responses`.

Every product's SDK sends its requests to `<product>.<region>.aliyuncs.com` (or the product's
central endpoint) with the action in `x-acs-action` and the API version in `x-acs-version`, signed
with ACS3-HMAC-SHA256 (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature).
The fake checks that signature independently with the test AccessKey: the canonical request is
rebuilt from what went over the wire (method, path, sorted and percent-encoded query, the signed
headers, the SHA-256 of the body), so a driver that signs wrongly gets Alibaba's own
`SignatureDoesNotMatch` answer. It then routes by (version, action) to a family's handler, answers
errors in Alibaba's JSON shape (`RequestId`, `HostId`, `Code`, `Message`, `Recommend`), and counts
every describe call as one poll so asynchronous states (Pending -> Available, Pending -> Running,
Stopping -> Stopped) move on over several polls. A request no handler knows fails the test (FakeGap).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import random
import re
import string
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import responses
from requests import PreparedRequest

HOST_PATTERN = r"https://[a-z0-9.-]+\.aliyuncs\.com/.*"
SIGNATURE_ALGORITHM = "ACS3-HMAC-SHA256"
# Alibaba refuses a request whose x-acs-date is more than 15 minutes off (error InvalidTimeStamp.Expired).
CLOCK_SKEW = timedelta(minutes=15)

VERSIONS = {
    "2014-05-26": "ecs",
    "2016-04-28": "vpc",
    "2014-05-15": "slb",
    "2015-12-15": "cs",
    "2019-01-01": "cms",
}


class FakeGap(AssertionError):
    """A request the fake does not understand: the test fails instead of passing by accident."""


class ApiError(Exception):
    """An error answer in Alibaba's shape; `headers` for e.g. x-acs-retry-after."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def not_found(code: str, message: str = "") -> ApiError:
    return ApiError(404, code, message or f"The specified resource does not exist ({code}).")


@dataclass
class Call:
    """One decoded request: its RPC parameters (query and form body together) or its ROA path and JSON."""

    product: str
    action: str
    method: str
    path: str
    params: dict[str, str]
    json: Any
    host: str

    def region(self) -> str:
        """The region the request is for: its RegionId, else the one in the regional endpoint's name."""
        if self.params.get("RegionId"):
            return self.params["RegionId"]
        match = re.match(r"^[a-z]+[.-]([a-z]+-[a-z]+-?[0-9a-z-]*?)\.aliyuncs\.com$", self.host)
        if match is None:
            raise FakeGap(f"no region in the request to {self.host}")
        return match.group(1)

    def get(self, name: str, default: str = "") -> str:
        return self.params.get(name, default)

    def flag(self, name: str) -> bool:
        """A Boolean parameter; Alibaba reads it without regard to case (the Python SDK sends "True")."""
        return self.params.get(name, "").lower() == "true"

    def need(self, name: str) -> str:
        value = self.params.get(name, "")
        if not value:
            raise ApiError(
                400,
                "MissingParameter",
                f'The input parameter "{name}" that is mandatory for processing this request is not supplied.',
            )
        return value

    def indexed(self, prefix: str) -> list[str]:
        """Values of `Prefix.1`, `Prefix.2`... in order (the RPC encoding of a list)."""
        found = []
        for index in itertools.count(1):
            value = self.params.get(f"{prefix}.{index}")
            if value is None:
                return found
            found.append(value)
        return found

    def indexed_maps(self, prefix: str) -> list[dict[str, str]]:
        """`Tag.1.Key`, `Tag.1.Value`... as [{"Key":…, "Value":…}]."""
        found = []
        for index in itertools.count(1):
            head = f"{prefix}.{index}."
            item = {key[len(head) :]: value for key, value in self.params.items() if key.startswith(head)}
            if not item:
                return found
            found.append(item)
        return found

    def json_list(self, name: str) -> list[str]:
        """A parameter that the API takes as a JSON array in one string (`InstanceIds=["i-1"]`)."""
        raw = self.params.get(name, "")
        if not raw:
            return []
        try:
            value = json.loads(raw)
        except ValueError:
            raise ApiError(
                400, f"InvalidParameter.{name}", f"The specified parameter {name} is not valid JSON."
            ) from None
        return [str(item) for item in value]


Handler = Callable[[Call], Any]


@dataclass
class FakeAlibaba:
    """The fake's state, open to assertions: one account, its resources per product, a catalogue."""

    access_key_id: str
    access_key_secret: str
    account_id: str = "1234567890123456"
    handlers: dict[tuple[str, str], Handler] = field(default_factory=dict)
    state: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    page_limit: int = 0  # when > 0, the most items any list answers per page (to prove paging)
    _faults: dict[str, list[ApiError]] = field(default_factory=dict)
    _nonces: set[str] = field(default_factory=set)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # --- routing -------------------------------------------------------------------------------------

    def route(self, product: str, action: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.handlers[(product, action)] = handler
            return handler

        return register

    def install(self, rsps: responses.RequestsMock) -> None:
        for method in ("GET", "POST", "PUT", "DELETE"):
            rsps.add_callback(method, re.compile(HOST_PATTERN), callback=self._answer)

    def fail_next(self, action: str, error: ApiError, *, times: int = 1) -> None:
        """Answer the next `times` calls of `action` with `error` (throttling, an outage...)."""
        self._faults.setdefault(action, []).extend([error] * times)

    def table(self, name: str) -> dict[str, Any]:
        return self.state.setdefault(name, {})

    # --- ids, time, polls ------------------------------------------------------------------------------

    @staticmethod
    def new_id(prefix: str, length: int = 20) -> str:
        alphabet = string.ascii_lowercase + string.digits
        return prefix + "".join(random.choices(alphabet, k=length))

    @staticmethod
    def now() -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%MZ")

    def tick(self) -> None:
        """One step of the fake's clock, taken on every request: each item that is changing state
        (its remaining states kept in `_steps`) moves to the next; when the last is reached its
        `_then` (a removal, a follow-up) runs."""
        finished = []
        for table in list(self.state.values()):
            for item in list(table.values()):
                steps = item.get("_steps") if isinstance(item, dict) else None
                if steps:
                    item[item.get("_key", "Status")] = steps.pop(0)
                    if not steps and callable(item.get("_then")):
                        finished.append(item.pop("_then"))
        for then in finished:
            then()

    @staticmethod
    def change(item: dict[str, Any], *steps: str, then: Callable[[], None] | None = None) -> None:
        """Put `item` into its first state now and the others on the following requests."""
        item[item.get("_key", "Status")] = steps[0]
        item["_steps"] = list(steps[1:])
        if then is not None:
            item["_then"] = then

    @staticmethod
    def public(item: dict[str, Any]) -> dict[str, Any]:
        """The item as the API shows it: bookkeeping keys (those starting with "_") left out."""
        return {key: value for key, value in item.items() if not key.startswith("_")}

    def page(
        self, items: list[Any], call: Call, *, max_size: int, default: int = 10
    ) -> tuple[list[Any], dict[str, Any]]:
        """PageNumber/PageSize paging as ECS, VPC and SLB lists do it (PageSize above the documented
        maximum is refused with InvalidParameter, as the APIs do)."""
        size = int(call.get("PageSize") or default)
        number = int(call.get("PageNumber") or 1)
        if size < 1 or size > max_size:
            raise ApiError(
                400, "InvalidParameter.PageSize", f"The specified parameter PageSize is not valid (1-{max_size})."
            )
        if self.page_limit:
            size = min(size, self.page_limit)
        start = (number - 1) * size
        return items[start : start + size], {"TotalCount": len(items), "PageNumber": number, "PageSize": size}

    # --- the wire ------------------------------------------------------------------------------------

    def _answer(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        host = urlsplit(request.url or "").hostname or ""
        request_id = str(uuid.uuid4()).upper()
        try:
            with self._lock:
                call = self._decode(request, host)
                self._verify(request)
                self.calls.append((call.product, call.action))
                self.tick()
                faults = self._faults.get(call.action)
                if faults:
                    raise faults.pop(0)
                handler = self.handlers.get((call.product, call.action))
                if handler is None:
                    raise FakeGap(f"the fake has no {call.product} action {call.action}")
                body = handler(call)
        except ApiError as error:
            return self._error(error, host, request_id, roa=request.headers.get("x-acs-version") == "2015-12-15")
        if isinstance(body, dict):
            body = {"RequestId": request_id, **body} if call.product != "cs" else body
        return 200, {"content-type": "application/json;charset=utf-8", "x-acs-request-id": request_id}, json.dumps(body)

    @staticmethod
    def _error(error: ApiError, host: str, request_id: str, *, roa: bool) -> tuple[int, dict[str, str], str]:
        if roa:
            # Container Service answers in lower camel case (https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/developer-reference/error-codes).
            body: dict[str, Any] = {
                "code": error.code,
                "message": error.message,
                "requestId": request_id,
                "status": error.status,
            }
        else:
            body = {
                "RequestId": request_id,
                "HostId": host,
                "Code": error.code,
                "Message": error.message,
                "Recommend": f"https://api.aliyun.com/troubleshoot?q={error.code}&product=&requestId={request_id}",
            }
        headers = {"content-type": "application/json;charset=utf-8", **error.headers}
        return error.status, headers, json.dumps(body)

    @staticmethod
    def _decode(request: PreparedRequest, host: str) -> Call:
        version = request.headers.get("x-acs-version", "")
        action = request.headers.get("x-acs-action", "")
        product = VERSIONS.get(version)
        if product is None or not action:
            raise FakeGap(f"not an Alibaba OpenAPI request the fake knows: {request.method} {request.url}")
        parts = urlsplit(request.url or "")
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        body = request.body or b""
        raw = body.decode() if isinstance(body, bytes) else str(body)
        payload: Any = None
        content_type = request.headers.get("content-type", "")
        if raw and "x-www-form-urlencoded" in content_type:
            params.update(parse_qsl(raw, keep_blank_values=True))
        elif raw and "json" in content_type:
            payload = json.loads(raw)
        return Call(product, action, request.method or "GET", parts.path, params, payload, host)

    def _verify(self, request: PreparedRequest) -> None:
        """ACS3-HMAC-SHA256, checked as Alibaba's gateway does, with its error codes and messages."""
        headers = {key.lower(): value for key, value in request.headers.items()}
        authorization = headers.get("authorization", "")
        algorithm, _, rest = authorization.partition(" ")
        if algorithm != SIGNATURE_ALGORITHM:
            raise ApiError(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        fields = dict(part.split("=", 1) for part in rest.split(",") if "=" in part)
        if fields.get("Credential") != self.access_key_id:
            raise ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        body = request.body or b""
        raw = body.encode() if isinstance(body, str) else bytes(body)
        payload_hash = hashlib.sha256(raw).hexdigest()
        if headers.get("x-acs-content-sha256") != payload_hash:
            raise ApiError(400, "SignatureDoesNotMatch", "The request body does not match x-acs-content-sha256.")
        signed = fields.get("SignedHeaders", "").split(";")
        if "host" not in signed or "x-acs-date" not in signed or "x-acs-signature-nonce" not in signed:
            raise ApiError(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        when = datetime.strptime(headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if abs(datetime.now(UTC) - when) > CLOCK_SKEW:
            raise ApiError(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        nonce = headers.get("x-acs-signature-nonce", "")
        if nonce in self._nonces:
            raise ApiError(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        parts = urlsplit(request.url or "")
        query = sorted(parse_qsl(parts.query, keep_blank_values=True))
        canonical_query = "&".join(f"{quote(key, safe='~')}={quote(value, safe='~')}" for key, value in query)
        canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed)
        canonical = "\n".join(
            [
                request.method or "",
                parts.path or "/",
                canonical_query,
                canonical_headers,
                ";".join(signed),
                payload_hash,
            ]
        )
        to_sign = f"{SIGNATURE_ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        expected = hmac.new(self.access_key_secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, fields.get("Signature", "")):
            raise ApiError(
                400,
                "SignatureDoesNotMatch",
                f"Specified signature is not matched with our calculation. server string to sign is:{to_sign}",
            )
        self._nonces.add(nonce)
