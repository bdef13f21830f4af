"""The core of a stateful fake of an OpenStack cloud, answered through `responses`.

It holds the users and projects (keystone.py issues tokens and the service catalogue), the state
of every service per region, and routes each request to the handler of one service. A route is
registered per (service, region) endpoint found in the catalogue, so a request no service answers
fails with a ConnectionError, and a query parameter a route does not know fails the test
(FakeGap). Errors are answered in each service's own JSON shape (`ApiError`):

- Nova and Cinder: `{"itemNotFound": {"code": 404, "message": "..."}}` (compute api-ref, "Faults");
- Neutron: `{"NeutronError": {"type": "NetworkNotFound", "message": "...", "detail": ""}}`
  (networking api-ref, "Faults");
- Glance: webob's HTML error page (image api-ref answers text/html bodies for 4xx);
- Octavia: WSME's `{"faultcode": "Client", "faultstring": "...", "debuginfo": null}`;
- Keystone: `{"error": {"code": 401, "title": "Unauthorized", "message": "..."}}`.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import responses
from requests import PreparedRequest

NOVA_FAULTS = {
    400: "badRequest",
    403: "forbidden",
    404: "itemNotFound",
    409: "conflictingRequest",
    413: "overLimit",
    429: "overLimit",
    500: "computeFault",
    503: "serviceUnavailable",
}
ALWAYS_ALLOWED_QUERY = frozenset()


class FakeGap(AssertionError):
    """A request the fake does not understand: the test fails instead of passing by accident."""


class ApiError(Exception):
    def __init__(self, status: int, body: Any, *, headers: dict[str, str] | None = None, html: bool = False):
        super().__init__(str(body))
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.html = html


def nova_error(status: int, message: str, headers: dict[str, str] | None = None) -> ApiError:
    """Nova's and Cinder's fault body."""
    return ApiError(
        status, {NOVA_FAULTS.get(status, "computeFault"): {"code": status, "message": message}}, headers=headers
    )


def neutron_error(status: int, kind: str, message: str) -> ApiError:
    return ApiError(status, {"NeutronError": {"type": kind, "message": message, "detail": ""}})


def glance_error(status: int, title: str, message: str) -> ApiError:
    page = (
        f"<html>\n <head>\n  <title>{status} {title}</title>\n </head>\n <body>\n  <h1>{status} {title}</h1>\n"
        f"  {message}<br /><br />\n\n\n\n </body>\n</html>"
    )
    return ApiError(status, page, html=True)


def octavia_error(status: int, message: str) -> ApiError:
    return ApiError(
        status, {"faultcode": "Client" if status < 500 else "Server", "faultstring": message, "debuginfo": None}
    )


def keystone_error(status: int, title: str, message: str) -> ApiError:
    return ApiError(status, {"error": {"code": status, "title": title, "message": message}})


@dataclass
class Request:
    method: str
    url: str
    path: str  # below the service endpoint
    params: dict[str, str]
    query: dict[str, list[str]]
    body: dict[str, Any]
    headers: dict[str, str]
    region: str
    project: str  # the project the token is scoped to

    def q(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[-1] if values else default

    @property
    def microversion(self) -> str:
        return self.headers.get("OpenStack-API-Version", "") or self.headers.get("X-OpenStack-Nova-API-Version", "")


Reply = dict[str, Any] | tuple[int, Any] | tuple[int, Any, dict[str, str]] | None
Handler = Callable[[Request], Reply]


@dataclass
class Route:
    service: str
    method: str
    pattern: str  # below the endpoint; "" is the endpoint itself
    handler: Handler
    query: frozenset[str]
    root: bool = False  # relative to the host's root (version documents) instead of the endpoint
    public: bool = False  # answered without a token (version documents)


@dataclass
class Layout:
    """Where a cloud keeps its endpoints: the identity URL and one URL template per service type;
    `{region}` and `{project}` are filled in per region and per token."""

    identity_url: str
    identity_version: str  # "v3" or "v2.0"
    endpoints: dict[str, str]
    regions: tuple[str, ...]
    zones: dict[str, tuple[str, ...]]
    host_region: Callable[[str], str] = str  # the region's spelling in host names


@dataclass
class User:
    name: str
    password: str
    domain: str
    project: str  # project id the user has a role on
    user_id: str


@dataclass
class FakeOpenStack:
    layout: Layout
    users: dict[str, User] = field(default_factory=dict)
    app_credentials: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (secret, user name)
    projects: dict[str, str] = field(default_factory=dict)  # id -> name
    tokens: dict[str, str] = field(default_factory=dict)  # token -> project id
    state: dict[str, dict[str, dict[str, dict[str, Any]]]] = field(default_factory=dict)  # region/kind/id
    calls: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # requests no route answered: each fails the test
    polls_until_done: int = 2  # polls of a resource in a transitional state before it settles
    _routes: list[Route] = field(default_factory=list)
    _faults: list[tuple[str, str | None, int, Exception]] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- setup ---------------------------------------------------------------------------------

    def add_user(self, name: str, password: str, *, domain: str, project_id: str, project_name: str) -> None:
        self.projects[project_id] = project_name
        self.users[name] = User(name, password, domain, project_id, uuid.uuid4().hex)

    def route(
        self,
        service: str,
        method: str,
        pattern: str,
        handler: Handler,
        *,
        query: frozenset[str] = frozenset(),
        root: bool = False,
        public: bool = False,
    ) -> None:
        self._routes.append(Route(service, method, pattern, handler, query, root, public))

    def endpoint(self, service: str, region: str, project: str) -> str:
        template = self.layout.endpoints[service]
        return template.format(region=self.layout.host_region(region), project=project)

    def install(self, rsps: responses.RequestsMock) -> None:
        """One callback per HTTP method that routes by itself: `responses` would pop one of several
        overlapping registrations after its first use."""
        table: list[tuple[re.Pattern[str], Route, str]] = []
        for route in self._routes:
            if route.service == "identity":
                base = self.layout.identity_url.rstrip("/")
                table.append((re.compile(_regex(base, route.pattern, root=route.root)), route, ""))
                continue
            if route.service not in self.layout.endpoints:
                continue
            for region in self.layout.regions:
                base = self.endpoint(route.service, region, "(?P<project_in_url>[0-9a-f]{32})")
                regex = _regex(base, route.pattern, root=route.root, escaped_project=True)
                table.append((re.compile(regex), route, region))
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
            rows = [row for row in table if row[1].method == method]
            rsps.add_callback(method, re.compile(".*"), callback=self._router(method, rows))

    def _router(self, method: str, rows: list[tuple[re.Pattern[str], Route, str]]) -> Callable[[PreparedRequest], Any]:
        def route(prepared: PreparedRequest) -> tuple[int, dict[str, str], str]:
            url = str(prepared.url)
            for regex, candidate, region in rows:
                match = regex.match(url)
                if match is not None:
                    return self._dispatch(candidate, region, match, prepared)
            self.unmatched.append(f"{method} {url}")
            raise requests.ConnectionError(f"the fake OpenStack has no route for {method} {url}")

        return route

    # --- state ---------------------------------------------------------------------------------

    def coll(self, region: str, kind: str) -> dict[str, dict[str, Any]]:
        return self.state.setdefault(region, {}).setdefault(kind, {})

    def find(self, region: str, kind: str, ident: str) -> dict[str, Any] | None:
        return self.coll(region, kind).get(ident)

    @staticmethod
    def new_id() -> str:
        return str(uuid.uuid4())

    def seq(self) -> int:
        return next(self._seq)

    @staticmethod
    def now() -> str:
        return datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # --- faults --------------------------------------------------------------------------------

    def fail(self, path_part: str, error: Exception, *, method: str | None = None, times: int = 1) -> None:
        """Answer the next `times` requests whose URL contains `path_part` with `error` (an `ApiError`),
        or fail them with it (any other exception, e.g. a `requests.ConnectionError`)."""
        self._faults.append((path_part, method, times, error))

    def _fault_for(self, method: str, url: str) -> Exception | None:
        with self._lock:
            for index, (part, want, times, error) in enumerate(self._faults):
                if part in url and want in (None, method) and times > 0:
                    self._faults[index] = (part, want, times - 1, error)
                    return error
        return None

    # --- dispatch ------------------------------------------------------------------------------

    def _dispatch(
        self, route: Route, region: str, match: re.Match[str], prepared: PreparedRequest
    ) -> tuple[int, dict[str, str], str]:
        url = str(prepared.url)
        with self._lock:
            self.calls.append(f"{prepared.method} {url}")
        headers = {"x-openstack-request-id": f"req-{uuid.uuid4()}"}
        try:
            fault = self._fault_for(str(prepared.method), url)
            if fault is not None:
                raise fault
            params = {k: v for k, v in match.groupdict().items() if v is not None}
            in_url = params.pop("project_in_url", None)
            project = "" if route.public else self._authenticate(prepared, in_url)
            req = Request(
                method=str(prepared.method),
                url=url,
                path=urlsplit(url).path,
                params=params,
                query=_query(url, route),
                body=_json_body(prepared),
                headers={k: str(v) for k, v in prepared.headers.items()},
                region=region,
                project=project,
            )
            with self._lock:
                reply = route.handler(req)
        except ApiError as exc:
            kind = "text/html; charset=UTF-8" if exc.html else "application/json"
            text = exc.body if exc.html else json.dumps(exc.body)
            return exc.status, {"Content-Type": kind, **headers, **exc.headers}, text
        return _answer(reply, headers)

    def _authenticate(self, prepared: PreparedRequest, project_in_url: str | None) -> str:
        token = str(prepared.headers.get("X-Auth-Token", ""))
        with self._lock:
            project = self.tokens.get(token)
        if project is None:
            # keystonemiddleware's answer to a missing or expired token, as every service relays it.
            raise ApiError(
                401,
                {
                    "error": {
                        "code": 401,
                        "title": "Unauthorized",
                        "message": "The request you have made requires authentication.",
                    }
                },
                headers={"WWW-Authenticate": f'Keystone uri="{self.layout.identity_url}"'},
            )
        if project_in_url is not None and project_in_url != project:
            raise nova_error(403, f"Project {project_in_url} does not match the token's project.")
        return project

    def revoke_tokens(self) -> None:
        with self._lock:
            self.tokens.clear()


def _answer(reply: Reply, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
    if reply is None:
        return 204, headers, ""
    if isinstance(reply, dict):
        return 200, {"Content-Type": "application/json", **headers}, json.dumps(reply)
    status, body, *extra = reply
    more = extra[0] if extra else {}
    if body is None:
        return status, {**headers, **more}, ""
    return status, {"Content-Type": "application/json", **headers, **more}, json.dumps(body)


def _regex(base: str, pattern: str, *, root: bool = False, escaped_project: bool = False) -> str:
    parts = urlsplit(base.replace("(?P<project_in_url>[0-9a-f]{32})", "PROJECT"))
    host = re.escape(parts.netloc)
    if root:
        return f"^{parts.scheme}://{host}{pattern}(?:\\?.*)?$"
    path = re.escape(parts.path.rstrip("/"))
    if escaped_project:
        path = path.replace("PROJECT", "(?P<project_in_url>[0-9a-f]{32})")
    return f"^{parts.scheme}://{host}{path}{pattern}/?(?:\\?.*)?$"


def _query(url: str, route: Route) -> dict[str, list[str]]:
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    unknown = sorted(set(query) - route.query - ALWAYS_ALLOWED_QUERY)
    if unknown:
        raise FakeGap(
            f"the fake does not understand {', '.join(unknown)} on {route.method} {route.service} {route.pattern}"
        )
    return query


def _json_body(prepared: PreparedRequest) -> dict[str, Any]:
    raw = prepared.body
    if not raw:
        return {}
    data = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    if isinstance(data, list):
        return {"_patch": data}  # a JSON patch (Magnum's PATCH bodies)
    if not isinstance(data, dict):
        raise FakeGap(f"a JSON object was expected, got {type(data).__name__}")
    return data
