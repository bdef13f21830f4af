"""The core of a stateful fake of NCP's API gateway, answered through `responses`.

Every request is `GET https://ncloud.apigw.ntruss.com/<service>/v2/<action>?<query>`. The core checks
the three gateway headers and the signature exactly as NCP's API guide describes it ("API gateway
signature": base64 HMAC-SHA256 of "GET <path?query>\\n<timestamp>\\n<access key>" with the secret key,
the timestamp within 5 minutes), answering a failure in the gateway's shape and code (HTTP 401,
`{"error": {"errorCode": "200", "message": "Authentication Failed", ...}}`), then routes the action
to its family. A family answers `{"<action>Response": {"requestId", "returnCode": "0", "returnMessage":
"success", "totalRows", <list>}}` or raises `ServiceError`, answered as HTTP 400
`{"responseError": {"returnCode", "returnMessage"}}`. An action or parameter the fake does not know
fails the test (`FakeGap`) rather than being answered by accident.

Asynchronous states (INIT -> CREATING/CREAT -> RUN, a stop SHTDN -> NSTOP...) advance with the fake's
clock, which ticks once per request: `later(n, change)` applies a change n requests from now.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import responses
from requests import PreparedRequest

HOST = "https://ncloud.apigw.ntruss.com"
BILLING_HOST = "https://billingapi.apigw.ntruss.com"
_PATH = re.compile(r"^/(?P<service>[a-z]+)/v[12]/(?P<action>[A-Za-z/]+)$")
COMMON_PARAMS = frozenset({"responseFormatType", "regionCode"})
STEP = 2  # requests one asynchronous step takes


class FakeGap(AssertionError):
    """A request the fake does not understand: the test fails instead of passing by accident."""


class ServiceError(Exception):
    """A service's own refusal (HTTP 400 with responseError)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def not_found(what: str) -> ServiceError:
    return ServiceError("1400", f"The {what} does not exist. Please check again.")


@dataclass
class Call:
    service: str
    action: str
    params: dict[str, str]

    def get(self, key: str, default: str = "") -> str:
        return self.params.get(key, default)

    def require(self, key: str) -> str:
        value = self.params.get(key, "")
        if not value:
            raise ServiceError("1401", f"The parameter {key} is required.")
        return value

    def values(self, key: str) -> list[str]:
        """A list parameter `key.1`, `key.2`... in order."""
        found = []
        for index in itertools.count(1):
            if f"{key}.{index}" not in self.params:
                return found
            found.append(self.params[f"{key}.{index}"])
        return found  # pragma: no cover

    def objects(self, key: str) -> list[dict[str, str]]:
        """A list of objects `key.1.field`... in order."""
        found = []
        for index in itertools.count(1):
            prefix = f"{key}.{index}."
            item = {k[len(prefix) :]: v for k, v in self.params.items() if k.startswith(prefix)}
            if not item:
                return found
            found.append(item)
        return found  # pragma: no cover


Handler = Callable[["FakeNCP", Call], dict[str, Any]]


@dataclass
class Route:
    handler: Handler
    params: frozenset[str]  # parameter names, list ones as "name.N", object lists as "name.N.field"


@dataclass
class FakeNCP:
    access_key: str = ""
    secret_key: str = ""
    region: str = "KR"
    routes: dict[tuple[str, str], Route] = field(default_factory=dict)
    state: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    clock: int = 0
    _plans: list[tuple[int, Callable[[], None]]] = field(default_factory=list)
    _numbers: Iterable[int] = field(default_factory=lambda: itertools.count(100001))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- state helpers -----------------------------------------------------------------------------

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        return self.state.setdefault(name, {})

    def number(self) -> str:
        return str(next(iter(self._numbers)))

    def later(self, steps: int, change: Callable[[], None]) -> None:
        self._plans.append((self.clock + steps * STEP, change))

    def settle(self) -> None:
        """Apply every pending change now (for tests that look at an end state)."""
        for _, change in sorted(self._plans, key=lambda plan: plan[0]):
            change()
        self._plans.clear()

    def route(self, service: str, action: str, handler: Handler, params: Iterable[str] = ()) -> None:
        self.routes[(service, action)] = Route(handler, frozenset(params) | COMMON_PARAMS)

    def actions(self, service: str) -> list[str]:
        return [call.action for call in self.calls if call.service == service]

    # --- HTTP --------------------------------------------------------------------------------------

    def install(self, rsps: responses.RequestsMock) -> None:
        for host in (HOST, BILLING_HOST):
            rsps.add_callback(responses.GET, re.compile(re.escape(host) + r"/.*"), callback=self._answer)

    def _answer(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        import json

        url = urlsplit(str(request.url))
        match = _PATH.match(url.path)
        if match is None:
            raise FakeGap(f"no NCP API at {url.path}")
        denied = self._check_signature(request, url.path + ("?" + url.query if url.query else ""))
        if denied is not None:
            return 401, {"content-type": "application/json"}, json.dumps(denied)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        service, action = match["service"], match["action"]
        route = self.routes.get((service, action))
        if route is None:
            raise FakeGap(f"the fake does not answer {service}/{action}")
        unknown = [key for key in params if re.sub(r"\.\d+", ".N", key) not in route.params]
        if unknown:
            raise FakeGap(f"{service}/{action} got parameters the fake does not know: {unknown}")
        if params.get("responseFormatType") != "json":
            raise FakeGap("the driver must ask for responseFormatType=json")
        call = Call(service, action, params)
        with self._lock:
            self.clock += 1
            due = [plan for plan in self._plans if plan[0] <= self.clock]
            self._plans = [plan for plan in self._plans if plan[0] > self.clock]
            for _, change in sorted(due, key=lambda plan: plan[0]):
                change()
            self.calls.append(call)
            try:
                body = route.handler(self, call)
            except ServiceError as exc:
                error = {"responseError": {"returnCode": exc.code, "returnMessage": exc.message}}
                return exc.status, {"content-type": "application/json"}, json.dumps(error)
        answer = {"requestId": str(uuid.uuid4()), "returnCode": "0", "returnMessage": "success", **body}
        key = f"{action.rsplit('/', 1)[-1]}Response"
        return 200, {"content-type": "application/json"}, json.dumps({key: answer})

    def _check_signature(self, request: PreparedRequest, uri: str) -> dict[str, Any] | None:
        headers = request.headers
        key = headers.get("x-ncp-iam-access-key", "")
        stamp = headers.get("x-ncp-apigw-timestamp", "")
        given = headers.get("x-ncp-apigw-signature-v2", "")
        failure = {"error": {"errorCode": "200", "message": "Authentication Failed", "details": ""}}
        if not key or not stamp or not given:
            failure["error"]["details"] = "Invalid authentication information."
            return failure
        if key != self.access_key:
            failure["error"]["details"] = "Invalid access key."
            return failure
        if not stamp.isdigit() or abs(int(stamp) - time.time() * 1000) > 5 * 60 * 1000:
            failure["error"]["details"] = "Timestamp is expired."
            return failure
        message = f"{request.method} {uri}\n{stamp}\n{key}".encode()
        expected = base64.b64encode(hmac.new(self.secret_key.encode(), message, hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, given):
            failure["error"]["details"] = "Signature mismatch."
            return failure
        return None


def code(value: str, name: str = "") -> dict[str, str]:
    """NCP's CommonCode object."""
    return {"code": value, "codeName": name or value.lower()}


def listing(key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    public = [{k: v for k, v in item.items() if not k.startswith("_")} for item in items]
    return {"totalRows": len(public), key: public}


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0900", time.gmtime(time.time() + 9 * 3600))
