"""The core of a stateful fake of IBM Cloud's IAM, VPC and Global Tagging APIs, answered through `responses`.

It holds the state (API keys and their accounts, each region's resources, the catalogue), issues IAM
bearer tokens for the API keys it knows (signed JWTs, as the SDK reads their `exp` and `iat`), routes
each request to a family's handler, checks the bearer token, the VPC API's `version` and `generation`
query parameters, answers errors in IBM's shape and pages lists with `limit`/`start` and `next.href`.
Resources that settle (pending -> available/running, deleting -> gone) move on when read (`settle`).

Shapes and codes, from IBM's public API reference (cloud.ibm.com/apidocs/vpc/latest, "Error
handling"; cloud.ibm.com/apidocs/iam-identity-token-api, "Create an IAM access token for a user or
service ID using an API key"; cloud.ibm.com/apidocs/tagging) and from error answers quoted in
IBM-Cloud/terraform-provider-ibm#2570 (`validation_unique_failed`, "Provided Name (x) is not unique").
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from requests import PreparedRequest

IAM_TOKEN_URL = "https://iam.cloud.ibm.com/identity/token"
APIKEY_GRANT = "urn:ibm:params:oauth:grant-type:apikey"
TAGGING = "https://tags.global-search-tagging.cloud.ibm.com"
GLOBAL_CATALOG = "https://globalcatalog.cloud.ibm.com/api/v1"
IKS = "https://containers.cloud.ibm.com/global"
VPC_HOST = re.compile(r"^https://(?P<region>[a-z]+-[a-z]+)\.iaas\.cloud\.ibm\.com/v1")
TOKEN_LIFETIME = 3600
DEFAULT_LIMIT = 50  # the VPC API's default page size
MAX_LIMIT = 100
NAME = re.compile(r"^([a-z]|[a-z][-a-z0-9]*[a-z0-9])$")  # the VPC API's name pattern, at most 63 characters


class FakeGap(AssertionError):
    """A request the fake does not understand: the test fails instead of passing by accident."""


class ApiError(Exception):
    """A VPC API error answer: `{"errors": [{"code", "message", "more_info"}], "trace"}`."""

    def __init__(self, status: int, code: str, message: str, *, target: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.target = status, code, message, target

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "more_info": "https://cloud.ibm.com/docs/vpc?topic=vpc-rias-error-messages",
        }
        if self.target:
            error["target"] = {"name": self.target, "type": "field"}
        return {"errors": [error], "trace": str(uuid.uuid4())}


@dataclass
class Raw:
    """An answer that is not JSON (a zip)."""

    data: bytes
    content_type: str


class IKSError(ApiError):
    """An IKS API error answer: `{"code", "description", "incidentID", "type"}` (IKS API reference,
    cloud.ibm.com/apidocs/kubernetes/containers-v1-v2, error responses)."""

    def __init__(self, status: int, code: str, description: str, *, kind: str = "General") -> None:
        super().__init__(status, code, description)
        self.kind = kind

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "description": self.message, "incidentID": str(uuid.uuid4()), "type": self.kind}


def not_found(kind: str, ident: str) -> ApiError:
    return ApiError(404, "not_found", f"{kind} not found: {ident}")


def in_use(kind: str, message: str) -> ApiError:
    return ApiError(409, f"{kind}_in_use", message)


@dataclass
class Request:
    method: str
    region: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: dict[str, Any]
    account: str


Handler = Callable[[Request], tuple[int, Any]]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    query: frozenset[str]
    api: str  # "vpc" or "tagging"


@dataclass
class Fault:
    path_part: str
    method: str | None
    times: int
    error: ApiError | None = None
    exc: Exception | None = None


@dataclass
class FakeIBM:
    """State and routing. Families add routes and seed state through `register(fake)`."""

    api_keys: dict[str, str] = field(default_factory=dict)  # API key -> account id
    tokens: dict[str, str] = field(default_factory=dict)  # bearer token -> account id
    catalogue: dict[str, Any] = field(default_factory=dict)
    state: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)  # CRN -> user tags
    calls: list[str] = field(default_factory=list)
    queries: list[dict[str, str]] = field(default_factory=list)  # each VPC API request's query, in order
    nested: list[dict[str, Any]] = field(default_factory=list)  # settling parts of resources (pool members)
    token_requests: int = 0
    requests_to_settle: int = 2  # API requests until a settling resource takes its next step
    page_cap: int | None = None
    _routes: list[Route] = field(default_factory=list)
    _faults: list[Fault] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- setup -------------------------------------------------------------------------------------

    def add_api_key(self, api_key: str, account: str) -> None:
        self.api_keys[api_key] = account

    def route(self, method: str, pattern: str, handler: Handler, *, query: frozenset[str] = frozenset()) -> None:
        """Answer `method` on the VPC API path `pattern` (a regex after `/v1`) in every region."""
        self._routes.append(Route(method, re.compile(f"^{pattern}$"), handler, query, "vpc"))

    def tagging_route(self, method: str, pattern: str, handler: Handler, *, query: frozenset[str]) -> None:
        self._routes.append(Route(method, re.compile(f"^{pattern}$"), handler, query, "tagging"))

    def catalog_route(self, method: str, pattern: str, handler: Handler, *, query: frozenset[str]) -> None:
        """Answer `method` on the Global Catalog path `pattern` (a regex after `/api/v1`)."""
        self._routes.append(Route(method, re.compile(f"^{pattern}$"), handler, query, "catalog"))

    def iks_route(self, method: str, pattern: str, handler: Handler, *, query: frozenset[str] = frozenset()) -> None:
        """Answer `method` on the IKS path `pattern` (a regex after `/global`)."""
        self._routes.append(Route(method, re.compile(f"^{pattern}$"), handler, query, "iks"))

    def install(self, rsps: responses.RequestsMock) -> None:
        rsps.add_callback(responses.POST, IAM_TOKEN_URL, callback=self._token)
        for method in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            rsps.add_callback(method, re.compile(r"^https://[a-z]+-[a-z]+\.iaas\.cloud\.ibm\.com/v1/.*"), self._vpc)
            rsps.add_callback(method, re.compile(re.escape(TAGGING) + r"/v3/.*"), self._tagging)
            rsps.add_callback(method, re.compile(re.escape(GLOBAL_CATALOG) + r"/.*"), self._catalog)
            rsps.add_callback(method, re.compile(re.escape(IKS) + r"/.*"), self._iks)

    # --- state helpers -----------------------------------------------------------------------------

    def collection(self, account: str, region: str, kind: str) -> dict[str, dict[str, Any]]:
        """The resources of one kind (e.g. "instances") of an account in a region, by id."""
        with self._lock:
            return self.state.setdefault((account, region, kind), {})

    def new_id(self, zone_or_region: str = "") -> str:
        prefix = {"1": "0717", "2": "0727", "3": "0737"}.get(zone_or_region[-1:], "r006")
        return f"{prefix}-{uuid.uuid4()}"

    def crn(self, account: str, region: str, kind: str, ident: str) -> str:
        return f"crn:v1:bluemix:public:is:{region}:a/{account}::{kind}:{ident}"

    @staticmethod
    def href(region: str, path: str) -> str:
        return f"https://{region}.iaas.cloud.ibm.com/v1/{path}"

    @staticmethod
    def now() -> str:
        return datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def unique_name(
        self, items: dict[str, dict[str, Any]], name: str, *, scope: Callable[[dict[str, Any]], bool] = lambda _: True
    ) -> None:
        """IBM refuses a badly formed name, and a second resource of a kind with the same name (in the
        region, or the scope)."""
        if len(name) > 63 or not NAME.fullmatch(name):
            raise ApiError(
                400, "validation_invalid_name", f"Name {name!r} does not match {NAME.pattern}", target="name"
            )
        if any(item.get("name") == name and scope(item) for item in items.values()):
            raise ApiError(400, "validation_unique_failed", f"Provided Name ({name}) is not unique", target="name")

    def lookup(self, items: dict[str, dict[str, Any]], ident: str, kind: str) -> dict[str, Any]:
        item = items.get(ident)
        if item is None:
            raise not_found(kind, ident)
        return item

    # --- settling ----------------------------------------------------------------------------------

    def settle_later(
        self, item: dict[str, Any], key: str, value: Any, *, then: Callable[[], None] | None = None
    ) -> None:
        """After `requests_to_settle` more API requests, set item[key] = value (and run `then`); a value
        of None removes the item. Steps queue up: pending -> starting -> running is two calls."""
        item.setdefault("_settle", []).append([self.requests_to_settle, key, value, then])

    def tick(self) -> None:
        """One API request has passed: move every settling resource one step on. The cloud works on
        its own, so a VM finishes deleting whether or not anyone reads it."""
        for items in [*self.state.values(), {str(index): part for index, part in enumerate(self.nested)}]:
            for ident, item in list(items.items()):
                steps = item.get("_settle") or []
                if not steps:
                    continue
                steps[0][0] -= 1
                if steps[0][0] > 0:
                    continue
                _, key, value, then = steps.pop(0)
                if value is None:
                    items.pop(ident, None)
                else:
                    item[key] = value
                if then is not None:
                    then()

    def settle(self, items: dict[str, dict[str, Any]], ident: str) -> dict[str, Any] | None:
        return items.get(ident)

    def settle_all(self, items: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        return list(items.values())

    @staticmethod
    def public(item: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in item.items() if not key.startswith("_")}

    # --- paging ------------------------------------------------------------------------------------

    def page(self, req: Request, key: str, items: list[dict[str, Any]], path: str) -> dict[str, Any]:
        limit = int(req.query.get("limit") or DEFAULT_LIMIT)
        if not 1 <= limit <= MAX_LIMIT:
            raise ApiError(400, "validation_invalid_limit", f"limit must be between 1 and {MAX_LIMIT}", target="limit")
        limit = min(limit, self.page_cap or limit)
        start = int(req.query.get("start") or 0)
        base = self.href(req.region, path)
        answer: dict[str, Any] = {
            key: [self.public(item) for item in items[start : start + limit]],
            "first": {"href": f"{base}?limit={limit}"},
            "limit": limit,
            "total_count": len(items),
        }
        if start + limit < len(items):
            answer["next"] = {"href": f"{base}?{urlencode({'limit': limit, 'start': start + limit})}"}
        return answer

    # --- faults ------------------------------------------------------------------------------------

    def fail(
        self, path_part: str, *, status: int, code: str, message: str, method: str | None = None, times: int = 1
    ) -> None:
        self._faults.append(Fault(path_part, method, times, error=ApiError(status, code, message)))

    def break_with(self, path_part: str, exc: Exception, *, times: int = 1) -> None:
        self._faults.append(Fault(path_part, None, times, exc=exc))

    def _fault_for(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path_part in path and fault.method in (None, method) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    # --- IAM ---------------------------------------------------------------------------------------

    def _token(self, prepared: PreparedRequest) -> tuple[int, dict[str, str], str]:
        raw = prepared.body or ""
        form = parse_qs(raw.decode() if isinstance(raw, bytes) else raw)
        with self._lock:
            self.calls.append("POST /identity/token")
            self.token_requests += 1
        headers = {"Content-Type": "application/json"}
        if form.get("grant_type") != [APIKEY_GRANT] or form.get("response_type") != ["cloud_iam"]:
            body = {"errorCode": "BXNIM0109E", "errorMessage": "Property missing or empty.", "context": {}}
            return 400, headers, json.dumps(body)
        account = self.api_keys.get(form.get("apikey", [""])[0])
        if account is None:
            body = {
                "errorCode": "BXNIM0415E",
                "errorMessage": "Provided API key could not be found.",
                "context": {"requestId": str(uuid.uuid4())},
            }
            return 400, headers, json.dumps(body)
        now = int(time.time())
        claims = {
            "iam_id": f"IBMid-{account[:10]}",
            "account": {"bss": account},
            "iat": now,
            "exp": now + TOKEN_LIFETIME,
        }
        token = jwt.encode({**claims, "jti": secrets.token_hex(8)}, self._key, algorithm="RS256")
        with self._lock:
            self.tokens[token] = account
        answer = {
            "access_token": token,
            "refresh_token": "not_supported",
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
            "expiration": now + TOKEN_LIFETIME,
            "scope": "ibm openid",
        }
        return 200, headers, json.dumps(answer)

    def revoke_tokens(self) -> None:
        with self._lock:
            self.tokens.clear()

    # --- dispatch ----------------------------------------------------------------------------------

    def _vpc(self, prepared: PreparedRequest) -> tuple[int, dict[str, str], str]:
        return self._dispatch(prepared, "vpc")

    def _tagging(self, prepared: PreparedRequest) -> tuple[int, dict[str, str], str]:
        return self._dispatch(prepared, "tagging")

    def _catalog(self, prepared: PreparedRequest) -> tuple[int, dict[str, str], str]:
        return self._dispatch(prepared, "catalog")

    def _iks(self, prepared: PreparedRequest) -> tuple[int, dict[str, str], str]:
        return self._dispatch(prepared, "iks")

    def _dispatch(self, prepared: PreparedRequest, api: str) -> tuple[int, dict[str, str], str]:
        url = str(prepared.url)
        method = str(prepared.method)
        parts = urlsplit(url)
        if api == "vpc":
            host = VPC_HOST.match(url)
            assert host is not None
            region, path = host.group("region"), parts.path.removeprefix("/v1")
        elif api == "catalog":
            region, path = "global", parts.path.removeprefix("/api/v1")
        elif api == "iks":
            region, path = "global", parts.path.removeprefix("/global")
        else:
            region, path = "global", parts.path
        with self._lock:
            self.calls.append(f"{method} {parts.path}")
        headers = {"Content-Type": "application/json"}
        route, match = self._match(api, method, path)
        query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
        try:
            fault = self._fault_for(method, path)
            if fault is not None:
                if fault.exc is not None:
                    raise fault.exc
                assert fault.error is not None
                raise fault.error
            account = self._authenticate(prepared, iks=api == "iks")
            if api == "vpc":
                self.queries.append(dict(query))
                self._check_version(query)
                query.pop("version")
                query.pop("generation")
            unknown = sorted(set(query) - route.query)
            if unknown:
                raise FakeGap(f"the fake does not understand {', '.join(unknown)} on {method} {path}")
            req = Request(method, region, path, match.groupdict(), query, _json_body(prepared), account)
            with self._lock:
                self.tick()
                status, answer = route.handler(req)
        except ApiError as exc:
            return exc.status, headers, json.dumps(exc.body())
        if isinstance(answer, Raw):
            return status, {"Content-Type": answer.content_type}, answer.data  # type: ignore[return-value]
        return status, headers, "" if answer is None else json.dumps(answer)

    def _match(self, api: str, method: str, path: str) -> tuple[Route, re.Match[str]]:
        for route in self._routes:
            if route.api == api and route.method == method:
                match = route.pattern.match(path)
                if match:
                    return route, match
        raise FakeGap(f"the fake has no route for {method} {path} ({api})")

    def _authenticate(self, prepared: PreparedRequest, *, iks: bool = False) -> str:
        header = str(prepared.headers.get("Authorization", ""))
        with self._lock:
            account = self.tokens.get(header.removeprefix("Bearer ")) if header.startswith("Bearer ") else None
        if account is None and iks:
            raise IKSError(
                401, "E0003", "Unauthorized: the IAM token is missing, expired or not valid.", kind="Authentication"
            )
        if account is None:
            raise ApiError(401, "not_authorized", "The request is not authorized. Provide a valid IAM token.")
        return account

    @staticmethod
    def _check_version(query: dict[str, str]) -> None:
        version = query.get("version", "")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", version):
            raise ApiError(
                400, "missing_version", "The version query parameter is required (YYYY-MM-DD).", target="version"
            )
        if query.get("generation") != "2":
            raise ApiError(400, "bad_generation", "The generation query parameter must be 2.", target="generation")


def _json_body(prepared: PreparedRequest) -> dict[str, Any]:
    raw = prepared.body
    if not raw:
        return {}
    data = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    if not isinstance(data, dict):
        raise FakeGap(f"a JSON object was expected, got {type(data).__name__}")
    return data
