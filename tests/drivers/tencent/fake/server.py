"""The core of a stateful fake of Tencent Cloud API 3.0, answered through `responses`.

Every product is one host (`cvm.tencentcloudapi.com`, `vpc.…`) taking `POST /` with a JSON body and
the action, version, region and timestamp in `X-TC-*` headers (API 3.0 "Request Structure",
https://www.tencentcloud.com/document/api/213/15693). The fake checks, as the cloud does:

- the TC3-HMAC-SHA256 signature, recomputed here independently of the SDK from the request's own
  method, path, Content-Type and Host headers and body hash with the test SecretKey ("Signature v3",
  https://www.tencentcloud.com/document/api/213/33224): an unknown SecretId is
  `AuthFailure.SecretIdNotFound`, a wrong signature `AuthFailure.SignatureFailure`, a timestamp more
  than five minutes off or a scope date that is not the timestamp's UTC date `AuthFailure.SignatureExpire`;
- the version of the product, the action (`InvalidAction`), the region (`UnsupportedRegion`) and
  every parameter name, against the product's SDK request model (`UnknownParameter`);
- Offset/Limit paging (Limit at most 100, `InvalidParameterValue.Limit` beyond).

Answers are `{"Response": {..., "RequestId"}}`, errors `{"Response": {"Error": {"Code", "Message"},
"RequestId"}}`, both with HTTP 200 as the real API answers ("Responses",
https://www.tencentcloud.com/document/api/213/15694). An action no family registered fails the test.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import responses
from requests import PreparedRequest

SECRET_ID = "AKIDspiderwebTEST0000000000000000000"
SECRET_KEY = "spiderweb-test-secret-key-0000000000"
REGION = "ap-guangzhou"
REGIONS = {
    "ap-guangzhou": ("South China(Guangzhou)", ["ap-guangzhou-3", "ap-guangzhou-4", "ap-guangzhou-6"]),
    "ap-seoul": ("South Korea(Seoul)", ["ap-seoul-1", "ap-seoul-2"]),
    "na-siliconvalley": ("West US(Silicon Valley)", ["na-siliconvalley-1", "na-siliconvalley-2"]),
}
VERSIONS = {
    "cvm": "2017-03-12",
    "vpc": "2017-03-12",
    "cbs": "2017-03-12",
    "clb": "2018-03-17",
    "tke": "2018-05-25",
    "monitor": "2018-07-24",
    "tag": "2018-08-13",
}
_HOST = re.compile(r"^https://([a-z]+)\.tencentcloudapi\.com/$")
MAX_SKEW_S = 300


class FakeGap(AssertionError):
    """A request the fake does not understand: the test fails instead of passing by accident."""


class ApiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def not_found(code: str, what: str) -> ApiError:
    return ApiError(code, f"The specified {what} does not exist.")


@dataclass
class Call:
    service: str
    action: str
    region: str
    params: dict[str, Any]
    request_id: str = ""


Handler = Callable[[Call], dict[str, Any]]


@dataclass
class Fault:
    action: str
    code: str
    message: str
    times: int


@dataclass
class FakeTencent:
    secret_id: str = SECRET_ID
    secret_key: str = SECRET_KEY
    clock_skew_s: float = 0.0
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    # Called before every request: the fake's clock is the number of calls made, so whatever a
    # resource does in the background progresses while the driver polls anything.
    tickers: list[Callable[[], None]] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    state: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- registration and state ------------------------------------------------------------------

    def route(self, service: str, action: str) -> Callable[[Handler], Handler]:
        def add(handler: Handler) -> Handler:
            self.routes[(service, action)] = handler
            return handler

        return add

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        return self.state.setdefault(name, {})

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids):08x}"

    def fail_next(self, action: str, code: str, message: str = "injected", times: int = 1) -> None:
        self.faults.append(Fault(action=action, code=code, message=message, times=times))

    def count(self, action: str) -> int:
        return sum(1 for call in self.calls if call.action == action)

    # --- HTTP ------------------------------------------------------------------------------------

    def install(self, rsps: responses.RequestsMock) -> None:
        rsps.add_callback(responses.POST, _HOST, callback=self._answer)

    def _answer(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        request_id = str(uuid.uuid4())
        try:
            call = self._authenticate(request)
            call.request_id = request_id
            with self.lock:
                self.calls.append(call)
                self._inject(call.action)
                for tick in self.tickers:
                    tick()
                handler = self.routes.get((call.service, call.action))
                if handler is None:
                    raise FakeGap(f"the fake has no {call.service}.{call.action}")
                answer = handler(call)
            body: dict[str, Any] = {"Response": {**answer, "RequestId": request_id}}
        except ApiError as exc:
            body = {"Response": {"Error": {"Code": exc.code, "Message": exc.message}, "RequestId": request_id}}
        except FakeGap as gap:
            self.gaps.append(str(gap))
            raise
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def _inject(self, action: str) -> None:
        for fault in self.faults:
            if fault.action == action and fault.times > 0:
                fault.times -= 1
                raise ApiError(fault.code, fault.message)

    def _authenticate(self, request: PreparedRequest) -> Call:
        match = _HOST.match(str(request.url))
        if match is None:
            raise FakeGap(f"unexpected URL {request.url}")
        service = match.group(1)
        if service not in VERSIONS:
            raise FakeGap(f"the fake has no product {service}")
        headers = request.headers
        body = request.body or b""
        raw = body.encode() if isinstance(body, str) else body
        self._check_signature(service, request.method or "", headers, raw)
        action = headers.get("X-TC-Action", "")
        if headers.get("X-TC-Version") != VERSIONS[service]:
            raise ApiError("NoSuchVersion", f"The version {headers.get('X-TC-Version')} of {service} does not exist.")
        region = headers.get("X-TC-Region", "")
        if region and region not in REGIONS:
            raise ApiError("UnsupportedRegion", f"The region `{region}` is not supported by {service}.")
        params = json.loads(raw or b"{}")
        _check_parameters(service, action, params)
        return Call(service=service, action=action, region=region, params=params)

    def _check_signature(self, service: str, method: str, headers: Any, body: bytes) -> None:
        auth = headers.get("Authorization", "")
        found = re.fullmatch(
            r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/([a-z]+)/tc3_request, "
            r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})",
            auth,
        )
        if found is None:
            raise ApiError("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        secret_id, date, scope_service, signed, signature = found.groups()
        if secret_id != self.secret_id:
            raise ApiError("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure it exists.")
        timestamp = int(headers.get("X-TC-Timestamp", "0"))
        now = time.time() + self.clock_skew_s
        if abs(now - timestamp) > MAX_SKEW_S:
            raise ApiError(
                "AuthFailure.SignatureExpire",
                f"Signature expired. Timestamp: {timestamp}; Server Timestamp: {int(now)}. Signature valid for 300s.",
            )
        if date != datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d") or scope_service != service:
            raise ApiError("AuthFailure.SignatureFailure", "The credential scope does not match the request.")
        names = signed.split(";")
        if "host" not in names or "content-type" not in names:
            raise ApiError("AuthFailure.SignatureFailure", "SignedHeaders must include content-type and host.")
        canonical_headers = "".join(f"{name}:{str(headers.get(name, '')).strip().lower()}\n" for name in names)
        canonical_request = "\n".join([method, "/", "", canonical_headers, signed, hashlib.sha256(body).hexdigest()])
        string_to_sign = "\n".join(
            [
                "TC3-HMAC-SHA256",
                str(timestamp),
                f"{date}/{service}/tc3_request",
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            ]
        )
        key = _hmac(("TC3" + self.secret_key).encode(), date)
        key = _hmac(key, service)
        key = _hmac(key, "tc3_request")
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise ApiError("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


_PACKAGES = {
    service: f"tencentcloud.{service}.v{version.replace('-', '')}.models" for service, version in VERSIONS.items()
}


def _check_parameters(service: str, action: str, params: dict[str, Any]) -> None:
    """The API refuses a parameter it does not know; the SDK's request model lists the known ones."""
    models = importlib.import_module(_PACKAGES[service])
    model = getattr(models, f"{action}Request", None)
    if model is None:
        raise ApiError("InvalidAction", f"The action `{action}` is not found.")
    known = {name[1:] for name in vars(model())}
    for name in params:
        if name not in known:
            raise ApiError("UnknownParameter", f"The parameter `{name}` is not recognized.")


# --- helpers the families share ------------------------------------------------------------------


def page(items: list[Any], params: dict[str, Any], *, as_text: bool = False) -> tuple[int, list[Any]]:
    """TotalCount and the Offset/Limit slice; VPC's actions take both as strings."""
    raw_offset, raw_limit = params.get("Offset", 0), params.get("Limit", 20)
    if as_text and not all(isinstance(value, str) for value in (raw_offset, raw_limit) if value is not None):
        raise ApiError("InvalidParameter", "Offset and Limit must be strings.")
    offset, limit = int(raw_offset or 0), int(raw_limit or 20)
    if limit > 100 or limit < 0 or offset < 0:
        raise ApiError("InvalidParameterValue.Limit", f"The value `{limit}` of Limit is out of range [0, 100].")
    return len(items), items[offset : offset + limit]


def filters(
    params: dict[str, Any], known: dict[str, Callable[[dict[str, Any]], Iterable[str]]]
) -> Callable[[dict[str, Any]], bool]:
    """A predicate for `Filters`: every filter must match one of its values. An unknown name is refused."""
    given = params.get("Filters") or []
    checks: list[tuple[Callable[[dict[str, Any]], Iterable[str]], set[str]]] = []
    for item in given:
        name = item.get("Name", "")
        if name.startswith("tag:"):
            key = name[4:]
            checks.append(
                (lambda res, key=key: [t["Value"] for t in res.get("Tags", []) if t["Key"] == key], set(item["Values"]))
            )
            continue
        if name not in known:
            raise ApiError("InvalidFilter", f"The filter `{name}` is not supported.")
        checks.append((known[name], set(item.get("Values") or [])))

    def matches(resource: dict[str, Any]) -> bool:
        return all(values & set(get(resource)) for get, values in checks)

    return matches


def by_ids(table: dict[str, dict[str, Any]], ids: list[str] | None, code: str, what: str) -> list[dict[str, Any]]:
    """The resources named by `ids` (all when None); an unknown id is `code`, as the Describe* actions answer."""
    if not ids:
        return list(table.values())
    missing = [one for one in ids if one not in table]
    if missing:
        raise ApiError(code, f"The {what} `{missing[0]}` does not exist.")
    return [table[one] for one in ids]


def now_text() -> str:
    """Times as the APIs answer them: ISO 8601 in UTC ("2020-09-22T00:00:00Z")."""
    return datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def public(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource without the fake's own bookkeeping keys (those starting with an underscore)."""
    return {key: value for key, value in resource.items() if not key.startswith("_")}
