"""The core of the fake Azure: state, routing, ARM's checks and error bodies, nextLink pagination and
long-running operations; the Entra ID token endpoints (entra.py) are registered with it.

Every HTTP request the SDKs make goes through `responses` to `FakeAzure.dispatch`, which answers from
the routes the family modules registered (`fake.arm(...)` for ARM paths, `fake.route(...)` for other
hosts). A request no route knows raises `UnknownRequest` and is recorded in `fake.unknown`, which
`running()` checks on the way out, so nothing the fake does not know passes quietly.

Family modules keep their catalogue in attributes they set on the fake in `register()` (`fake.skus`,
`fake.images`...); resources they create go in `fake.resources`, keyed by lower-cased ARM id.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import responses

from drivers.types import ConnectionInfo

TENANT_ID = "9b1c6f3e-2d4a-4c8b-a7e5-1f0d3c6b8e94"
CLIENT_ID = "5e8a2c7d-1b3f-4a6e-9d0c-2f7b4e1a8c63"
CLIENT_SECRET = "fake-client-secret"
SUBSCRIPTION_ID = "3f2c1a9e-5b7d-4e21-9c8a-6d0e4b1f7a52"

LOGIN = "login.microsoftonline.com"
ARM = "management.azure.com"
ARM_SCOPE = "https://management.azure.com/.default"

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
METHODS = ("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE")


def fixture(name: str, *, subscription_id: str = SUBSCRIPTION_ID) -> Any:
    """A recorded JSON answer from tests/drivers/azure/fixtures/; the ids in it (recorded with the
    default subscription) moved to `subscription_id`."""
    return json.loads((FIXTURES / name).read_text().replace(SUBSCRIPTION_ID, subscription_id))


class UnknownRequest(AssertionError):
    """The fake has no route for a request: a driver call the fake does not model yet."""


@dataclass
class Request:
    method: str
    url: str
    host: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: str
    args: dict[str, str] = field(default_factory=dict)  # the route's {placeholders}
    timeout: Any = None  # (connect, read) seconds, as the client sent it

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body))


@dataclass
class Response:
    status: int
    body: Any = None  # JSON data, or a str sent as it is
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[["FakeAzure", Request], Response]


def ok(body: Any, status: int = 200, **headers: str) -> Response:
    return Response(status, body, dict(headers))


def error(status: int, code: str, message: str, **headers: str) -> Response:
    """ARM's error body."""
    return Response(status, {"error": {"code": code, "message": message}}, dict(headers))


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    answer: Response | None
    raises: BaseException | None
    times: int


@dataclass
class Operation:
    """A long-running operation: InProgress for `polls` polls, then its outcome (once `on_done` ran)."""

    id: str
    polls: int
    on_done: Callable[[], None] | None
    failure: tuple[str, str] | None = None
    polled: int = 0
    status: str = "InProgress"
    result: Callable[[], Any] | None = None  # the body its Location answers once done (an action's result)

    def poll(self) -> str:
        self.polled += 1
        if self.status == "InProgress" and self.polled > self.polls:
            if self.failure is None and self.on_done is not None:
                self.on_done()
            self.status = "Failed" if self.failure else "Succeeded"
        return self.status


class FakeAzure:
    """The state of one fake Azure account: one tenant, service principal and subscription."""

    def __init__(
        self,
        *,
        tenant_id: str = TENANT_ID,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        subscription_id: str = SUBSCRIPTION_ID,
        page_size: int = 3,
        operation_polls: int = 3,
    ) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.subscription_id = subscription_id
        self.page_size = page_size  # small, so that every list crosses a nextLink
        self.operation_polls = operation_polls
        self.resources: dict[str, dict[str, Any]] = {}  # lower-cased ARM id -> the resource's JSON
        self.operations: dict[str, Operation] = {}
        self.tokens: set[str] = set()
        self.calls: list[Request] = []  # every request, in order
        self.unknown: list[str] = []
        self.failing_operations: list[tuple[str, str]] = []  # (code, message) for the next operations begun
        self._routes: list[tuple[str, str, re.Pattern[str], Handler]] = []
        self._faults: list[Fault] = []
        self._lock = threading.RLock()
        self._register_core()
        from tests.drivers.azure.fake import FAMILIES

        for family in FAMILIES:
            family.register(self)

    # --- what tests use ---------------------------------------------------------------------------------

    def credential(self) -> dict[str, str]:
        return {
            "ClientId": self.client_id,
            "ClientSecret": self.client_secret,
            "TenantId": self.tenant_id,
            "SubscriptionId": self.subscription_id,
        }

    def connection_info(self, *, region: str = "koreacentral", zone: str = "", **options: Any) -> ConnectionInfo:
        return ConnectionInfo(
            name=f"azure-{region}",
            provider="azure",
            credential=self.credential(),
            region=region,
            zone=zone,
            options=options,
        )

    def inject(
        self,
        method: str,
        url_pattern: str,
        answer: Response | None = None,
        *,
        raises: BaseException | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests whose URL matches `url_pattern` (a regex) with `answer`, or
        fail them with `raises` (e.g. requests.ConnectionError) before any route sees them."""
        self._faults.append(Fault(method.upper(), re.compile(url_pattern, re.IGNORECASE), answer, raises, times))

    def requests(self, method: str, url_pattern: str) -> list[str]:
        """URLs of the requests made so far with `method` matching `url_pattern`."""
        pattern = re.compile(url_pattern, re.IGNORECASE)
        return [call.url for call in self.calls if call.method == method.upper() and pattern.search(call.url)]

    @contextmanager
    def running(self) -> Iterator[FakeAzure]:
        """Answer every HTTP request made through `requests` while the block runs."""
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for method in METHODS:
            mock.add_callback(method, re.compile(r"https?://.*"), callback=self._answer)
        mock.start()
        try:
            yield self
        finally:
            self.finish_operations()
            mock.stop()
            mock.reset()
        if self.unknown:
            raise UnknownRequest("the fake Azure was asked what it does not know:\n" + "\n".join(self.unknown))

    def finish_operations(self, deadline_s: float = 2.0) -> None:
        """Let every operation end at its next poll, and give the SDK's poller threads time to see it,
        so that none of them polls once `responses` no longer answers (that poll would leave the machine)."""
        with self._lock:
            for operation in self.operations.values():
                operation.polls = 0
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            with self._lock:
                if all(op.status != "InProgress" for op in self.operations.values()):
                    return
            time.sleep(0.01)

    # --- what family modules use ----------------------------------------------------------------------------

    def route(self, host: str, method: str, template: str, handler: Handler) -> None:
        """Serve `method` on `host` paths matching `template` ("/a/{name}/b"; case-insensitive)."""
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        self._routes.append((host, method.upper(), re.compile(f"^{pattern}/?$", re.IGNORECASE), handler))

    def arm(self, method: str, template: str, handler: Handler) -> None:
        """An ARM route; ARM's checks (token, api-version, subscription) run before `handler`."""
        self.route(ARM, method, template, handler)

    def page(self, request: Request, items: list[Any], *, size: int | None = None) -> Response:
        """One page of an ARM list, with a nextLink (same URL, another $skiptoken) while more remain."""
        size = size or self.page_size
        token = request.query.get("$skiptoken", "")
        start = int(json.loads(base64.urlsafe_b64decode(token))["offset"]) if token else 0
        body: dict[str, Any] = {"value": items[start : start + size]}
        if start + size < len(items):
            offset = base64.urlsafe_b64encode(json.dumps({"offset": start + size}).encode()).decode()
            parts = urlsplit(request.url)
            query = {key: value for key, value in parse_qsl(parts.query) if key != "$skiptoken"}
            query["$skiptoken"] = offset
            body["nextLink"] = urlunsplit(parts._replace(query=urlencode(query)))
        return ok(body)

    def begin(
        self, namespace: str, location: str, on_done: Callable[[], None] | None = None, *, polls: int | None = None
    ) -> dict[str, str]:
        """Start an operation (InProgress for `polls` polls, `operation_polls` unless given); the headers
        for the 201/202 answer that starts it (Azure-AsyncOperation)."""
        url = (
            f"https://{ARM}/subscriptions/{self.subscription_id}/providers/{namespace}/locations/{location}"
            f"/operations/{self._operation(on_done, polls)}?api-version=2024-03-01"
        )
        return {"Azure-AsyncOperation": url}

    def begin_location(
        self, on_done: Callable[[], None] | None = None, *, result: Callable[[], Any] | None = None
    ) -> dict[str, str]:
        """Start an operation polled through its Location (202 until done), as resource groups are; once
        done the Location answers 200 with `result()` (an action's answer) or no body."""
        op_id = self._operation(on_done)
        self.operations[op_id].result = result
        return {
            "Location": f"https://{ARM}/subscriptions/{self.subscription_id}/operationresults/{op_id}?api-version=2025-04-01"
        }

    def _operation(self, on_done: Callable[[], None] | None, polls: int | None = None) -> str:
        op_id = str(uuid.uuid4())
        failure = self.failing_operations.pop(0) if self.failing_operations else None
        wanted = self.operation_polls if polls is None else max(polls, self.operation_polls)
        self.operations[op_id] = Operation(op_id, wanted, on_done, failure)
        return op_id

    # --- dispatch ---------------------------------------------------------------------------------------------

    def _answer(self, prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        with self._lock:
            answer = self.dispatch(prepared)
        headers = {"x-ms-request-id": str(uuid.uuid4()), **answer.headers}
        if answer.body is None:
            return answer.status, headers, ""
        if isinstance(answer.body, str):
            return answer.status, headers, answer.body
        return answer.status, {"Content-Type": "application/json; charset=utf-8", **headers}, json.dumps(answer.body)

    def dispatch(self, prepared: requests.PreparedRequest) -> Response:
        method, url = str(prepared.method).upper(), str(prepared.url)
        parts = urlsplit(url)
        body = prepared.body.decode() if isinstance(prepared.body, bytes) else str(prepared.body or "")
        query = {key: values[0] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
        request = Request(method, url, parts.hostname or "", parts.path, query, dict(prepared.headers), body)
        # responses keeps the keyword arguments requests sent with, the timeout among them.
        request.timeout = getattr(prepared, "req_kwargs", {}).get("timeout")
        self.calls.append(request)
        for fault in self._faults:
            if fault.times > 0 and fault.method == method and fault.pattern.search(url):
                fault.times -= 1
                if fault.raises is not None:
                    raise fault.raises
                assert fault.answer is not None
                return fault.answer
        for host, verb, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if host == request.host and verb == method and match:
                request.args = match.groupdict()
                if host == ARM:
                    refused = self._arm_checks(request)
                    if refused is not None:
                        return refused
                return handler(self, request)
        self.unknown.append(f"{method} {url}")
        raise UnknownRequest(f"the fake Azure does not answer {method} {url}")

    def _arm_checks(self, request: Request) -> Response | None:
        auth = request.headers.get("Authorization", "")
        if not auth:
            return error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
        if auth.removeprefix("Bearer ") not in self.tokens:
            return error(401, "InvalidAuthenticationToken", "The access token is invalid.")
        if "api-version" not in request.query:
            return error(
                400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required."
            )
        subscription = request.args.get("subscriptionId", self.subscription_id)
        if subscription.lower() != self.subscription_id.lower():
            return error(404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found.")
        return None

    # --- core routes: Entra ID (entra.py) and operations ----------------------------------------------------

    def _register_core(self) -> None:
        from tests.drivers.azure.fake import entra

        entra.register(self)
        self.arm(
            "GET",
            "/subscriptions/{subscriptionId}/providers/{namespace}/locations/{location}/operations/{operationId}",
            _operation_status,
        )
        self.arm("GET", "/subscriptions/{subscriptionId}/operationresults/{operationId}", _operation_result)


def _operation_status(fake: FakeAzure, request: Request) -> Response:
    operation = fake.operations.get(request.args["operationId"])
    if operation is None:
        return error(404, "NotFound", f"Operation {request.args['operationId']} was not found.")
    body: dict[str, Any] = {"id": request.path, "name": operation.id, "status": operation.poll()}
    if operation.failure is not None and operation.status == "Failed":
        code, message = operation.failure
        body["error"] = {"code": code, "message": message}
    return ok(body)


def _operation_result(fake: FakeAzure, request: Request) -> Response:
    operation = fake.operations.get(request.args["operationId"])
    if operation is None:
        return error(404, "NotFound", f"Operation {request.args['operationId']} was not found.")
    status = operation.poll()
    if status == "InProgress":
        return Response(202, None, {"Location": request.url})
    if status == "Failed" and operation.failure is not None:
        return error(409, *operation.failure)
    return ok(operation.result()) if operation.result is not None else Response(200)
