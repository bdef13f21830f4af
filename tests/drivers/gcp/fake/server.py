"""The core of a stateful fake of Google Cloud's REST APIs, answered through `responses`.

It holds the state (service accounts, projects and their resources, a shared catalogue), issues
access tokens (tokens.py checks the JWT assertion), routes each request to the handler of a
resource family, checks the access token and the caller's access to the project, answers errors
in Google's JSON shape and pages lists with pageToken/nextPageToken; Compute Engine's long-running
operations are in operations.py. Every route is registered with `responses` on its own, so a
request no family answers fails with a ConnectionError; a query parameter a route does not know
fails the test (FakeGap).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from requests import PreparedRequest

from tests.drivers.gcp.fake import tokens as token_endpoint

COMPUTE = "https://compute.googleapis.com/compute/v1"
BILLING = "https://cloudbilling.googleapis.com/v1"
LINK_BASE = "https://www.googleapis.com/compute/v1"  # Compute Engine's selfLinks use this host

STATUS_NAMES = {
    400: ("INVALID_ARGUMENT", "BAD REQUEST"),
    401: ("UNAUTHENTICATED", "UNAUTHORIZED"),
    403: ("PERMISSION_DENIED", "FORBIDDEN"),
    404: ("NOT_FOUND", "NOT FOUND"),
    409: ("ALREADY_EXISTS", "CONFLICT"),
    412: ("FAILED_PRECONDITION", "PRECONDITION FAILED"),
    429: ("RESOURCE_EXHAUSTED", "TOO MANY REQUESTS"),
    500: ("INTERNAL", "INTERNAL SERVER ERROR"),
    503: ("UNAVAILABLE", "SERVICE UNAVAILABLE"),
}
ALWAYS_ALLOWED_QUERY = frozenset({"$alt"})
LIST_QUERY = frozenset({"maxResults", "pageToken"})


class FakeGap(AssertionError):
    """A request the fake does not understand: the test fails instead of passing by accident."""


class ApiError(Exception):
    """An error answer. `op_code` is the code a failed operation reports (RESOURCE_ALREADY_EXISTS...).

    Compute Engine answers `{"error": {"code", "message", "errors": [{"reason"...}]}}`; the newer APIs
    (GKE, TPU) answer only the canonical `status` (`canonical=True`, `reason` then being that status,
    e.g. FAILED_PRECONDITION), as https://cloud.google.com/apis/design/errors#http_mapping shows and
    google-api-core's `format_http_response_error` reads (no `errors` list, so no reason).
    """

    def __init__(
        self,
        status: int,
        message: str,
        reason: str,
        *,
        op_code: str = "",
        headers: dict[str, str] | None = None,
        canonical: bool = False,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
        self.op_code = op_code or re.sub(r"(?<!^)(?=[A-Z])", "_", reason).upper()
        self.headers = headers or {}
        self.canonical = canonical

    def body(self) -> dict[str, Any]:
        if self.canonical:
            return {"error": {"code": self.status, "message": self.message, "status": self.reason}}
        status_name = STATUS_NAMES.get(self.status, ("UNKNOWN", ""))[0]
        detail = {"message": self.message, "domain": "global", "reason": self.reason}
        return {"error": {"code": self.status, "message": self.message, "errors": [detail], "status": status_name}}


def canonical_error(status: int, message: str, status_name: str) -> ApiError:
    """An error answer of GKE or another newer Google API: code, message and canonical status only."""
    return ApiError(status, message, status_name, canonical=True)


def not_found(path: str) -> ApiError:
    return ApiError(404, f"The resource '{path}' was not found", "notFound")


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: dict[str, Any]
    account: str  # the service account the access token was issued to

    @property
    def project(self) -> str:
        return self.params.get("project", "")


Handler = Callable[[Request], dict[str, Any]]


@dataclass
class Route:
    method: str
    base: str
    pattern: str
    handler: Handler
    query: frozenset[str]


@dataclass
class Account:
    email: str
    public_key: rsa.RSAPublicKey
    projects: set[str]


@dataclass
class Fault:
    path_part: str
    method: str | None
    times: int
    error: ApiError | None = None
    exc: Exception | None = None
    raw: tuple[int, str] | None = None  # an answer that is not Google's JSON (a proxy's page)


@dataclass
class FakeGCP:
    """State and routing. Families add routes and seed state through `register(fake)`."""

    accounts: dict[str, Account] = field(default_factory=dict)
    projects: dict[str, dict[str, dict[str, dict[str, Any]]]] = field(default_factory=dict)
    public_projects: set[str] = field(default_factory=set)
    catalogue: dict[str, Any] = field(default_factory=dict)  # what every project sees alike
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> account
    operations: dict[str, Any] = field(default_factory=dict)  # by selfLink (operations.py)
    calls: list[str] = field(default_factory=list)  # "GET /compute/v1/projects/p/zones", in order
    timeouts: list[Any] = field(default_factory=list)  # the timeout each API call was sent with
    page_cap: int | None = None  # a smaller page size than asked for, to exercise paging
    polls_until_done: int = 3  # polls of a started operation until it answers DONE (seconds at Compute Engine)
    _routes: list[Route] = field(default_factory=list)
    _faults: list[Fault] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(5_120_000_000_000_000_001))

    # --- setup -----------------------------------------------------------------------------------

    def add_account(self, email: str, public_key: rsa.RSAPublicKey, *projects: str) -> None:
        self.accounts[email] = Account(email=email, public_key=public_key, projects=set(projects))
        for project in projects:
            self.add_project(project)

    def add_project(self, project: str, *, public: bool = False) -> None:
        self.projects.setdefault(project, {})
        if public:
            self.public_projects.add(project)

    def route(
        self, method: str, base: str, pattern: str, handler: Handler, *, query: frozenset[str] = frozenset()
    ) -> None:
        """Answer `method` on `base` + `pattern` (a path regex; a `project` group is access-checked)."""
        self._routes.append(Route(method=method, base=base, pattern=pattern, handler=handler, query=query))

    def install(self, rsps: responses.RequestsMock) -> None:
        rsps.add_callback(responses.POST, re.compile(_url_regex(token_endpoint.TOKEN_URL, "")), callback=self._token)
        for route in self._routes:
            regex = re.compile(_url_regex(route.base, route.pattern))
            rsps.add_callback(route.method, regex, callback=self._dispatcher(route, regex))

    # --- state helpers -----------------------------------------------------------------------------

    def collection(self, project: str, name: str) -> dict[str, dict[str, Any]]:
        """The resources of one kind in a project (e.g. "zones/us-central1-a/instances"), by name."""
        with self._lock:
            return self.projects.setdefault(project, {}).setdefault(name, {})

    def new_id(self) -> str:
        with self._lock:
            return str(next(self._ids))

    @staticmethod
    def link(project: str, path: str) -> str:
        return f"{LINK_BASE}/projects/{project}/{path}"

    @staticmethod
    def now() -> str:
        return datetime.now(tz=UTC).isoformat(timespec="milliseconds")

    # --- paging ----------------------------------------------------------------------------------

    def page(
        self,
        items: list[dict[str, Any]],
        req: Request,
        *,
        key: str = "items",
        size_param: str = "maxResults",
        default_size: int = 500,
        **fields: Any,
    ) -> dict[str, Any]:
        """One page of `items` as asked by `req`, with nextPageToken when more follow."""
        size = int(req.query.get(size_param) or default_size)
        size = min(size, self.page_cap or size)
        token = req.query.get("pageToken", "")
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
        except ValueError:
            raise ApiError(400, f"Invalid value for field 'pageToken': '{token}'.", "invalid") from None
        answer: dict[str, Any] = {**fields, key: items[start : start + size]}
        if start + size < len(items):
            answer["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return answer

    # --- faults ----------------------------------------------------------------------------------

    def fail(
        self,
        path_part: str,
        *,
        status: int,
        reason: str,
        message: str,
        method: str | None = None,
        times: int = 1,
        headers: dict[str, str] | None = None,
        canonical: bool = False,
    ) -> None:
        """Answer the next `times` requests whose path contains `path_part` with an error (`canonical`:
        in the shape of the newer APIs, `reason` being the canonical status)."""
        error = ApiError(status, message, reason, headers=headers, canonical=canonical)
        self._faults.append(Fault(path_part=path_part, method=method, times=times, error=error))

    def break_with(self, path_part: str, exc: Exception, *, times: int = 1) -> None:
        """Make the next `times` matching requests raise `exc` (no answer at all)."""
        self._faults.append(Fault(path_part=path_part, method=None, times=times, exc=exc))

    def answer_raw(self, path_part: str, status: int, text: str, *, times: int = 1) -> None:
        """Answer the next `times` matching requests with `text` as it is."""
        self._faults.append(Fault(path_part=path_part, method=None, times=times, raw=(status, text)))

    def _fault_for(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path_part in path and fault.method in (None, method) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    # --- dispatch --------------------------------------------------------------------------------

    def _dispatcher(self, route: Route, regex: re.Pattern[str]) -> Callable[[PreparedRequest], Any]:
        def dispatch(prepared: PreparedRequest) -> tuple[int, dict[str, str], str]:
            url = str(prepared.url)
            path = urlsplit(url).path
            match = regex.match(url)
            assert match is not None
            with self._lock:
                self.calls.append(f"{prepared.method} {path}")
                self.timeouts.append(getattr(prepared, "req_kwargs", {}).get("timeout"))
            fault = self._fault_for(str(prepared.method), path)
            try:
                if fault is not None:
                    return _faulty_answer(fault)
                req = Request(
                    method=str(prepared.method),
                    path=path,
                    params=match.groupdict(),
                    query=_query(url, route),
                    body=_json_body(prepared),
                    account=self._authenticate(prepared),
                )
                self._check_access(req)
                with self._lock:
                    answer = route.handler(req)
            except ApiError as exc:
                return exc.status, {"Content-Type": "application/json", **exc.headers}, json.dumps(exc.body())
            return 200, {"Content-Type": "application/json"}, json.dumps(answer)

        return dispatch

    def _authenticate(self, prepared: PreparedRequest) -> str:
        header = str(prepared.headers.get("Authorization", ""))
        token = header.removeprefix("Bearer ")
        with self._lock:
            account = self.tokens.get(token) if header.startswith("Bearer ") else None
        if account is None:
            raise ApiError(
                401,
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                "other valid authentication credential.",
                "authError",
            )
        return account

    def _check_access(self, req: Request) -> None:
        project = req.project
        if not project or project in self.public_projects:
            return
        if project not in self.projects:
            raise not_found(f"projects/{project}")
        if project not in self.accounts[req.account].projects:
            raise ApiError(403, f"Required 'compute.projects.get' permission for 'projects/{project}'", "forbidden")

    def issue(self, token: str, account: str) -> None:
        with self._lock:
            self.tokens[token] = account

    def revoke_tokens(self) -> None:
        with self._lock:
            self.tokens.clear()

    # --- the token endpoint ------------------------------------------------------------------------

    def _token(self, prepared: PreparedRequest) -> tuple[int, dict[str, str], str]:
        path = urlsplit(str(prepared.url)).path
        with self._lock:
            self.calls.append(f"POST {path}")
        fault = self._fault_for("POST", path)
        if fault is not None and fault.error is not None:
            body = {"error": fault.error.reason, "error_description": fault.error.message}
            return fault.error.status, {"Content-Type": "application/json"}, json.dumps(body)
        if fault is not None:
            return _faulty_answer(fault)
        raw = prepared.body or ""
        answer = token_endpoint.exchange(self, parse_qs(raw.decode() if isinstance(raw, bytes) else raw))
        return answer[0], {"Content-Type": "application/json"}, json.dumps(answer[1])


def _faulty_answer(fault: Fault) -> tuple[int, dict[str, str], str]:
    if fault.exc is not None:
        raise fault.exc
    if fault.error is not None:
        raise fault.error
    assert fault.raw is not None
    return fault.raw[0], {"Content-Type": "text/html"}, fault.raw[1]


def _url_regex(base: str, pattern: str) -> str:
    # The SDK names the port (https://compute.googleapis.com:443/...); google-auth does not.
    parts = urlsplit(base)
    host = re.escape(str(parts.hostname))
    return f"^{parts.scheme}://{host}(?::443)?{re.escape(parts.path)}{pattern}(?:\\?.*)?$"


def _query(url: str, route: Route) -> dict[str, str]:
    query = {key: values[-1] for key, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}
    unknown = sorted(set(query) - route.query - ALWAYS_ALLOWED_QUERY)
    if unknown:
        raise FakeGap(f"the fake does not understand {', '.join(unknown)} on {route.method} {route.pattern}")
    return query


def _json_body(prepared: PreparedRequest) -> dict[str, Any]:
    raw = prepared.body
    if not raw:
        return {}
    data = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    if not isinstance(data, dict):
        raise FakeGap(f"a JSON object was expected, got {type(data).__name__}")
    return data
