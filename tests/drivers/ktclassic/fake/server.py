"""The fake KT Cloud classic API: a stateful server behind `responses`.

Every GET to `https://api.ucloudbiz.olleh.com/<server|loadbalancer>/<v1|v2>/client/api` is taken
apart as KT Cloud does: the API key must be the test account's and the `signature` must be the
HMAC-SHA1 (keyed with the account's secret key) of the other parameters sorted, URL-encoded with
`%20` for spaces and lower-cased, in base64 (KT Cloud's SDK `client.go`; CloudStack's "Signing API
Requests"); otherwise the answer is 401 with CloudStack's text. An unknown command answers 432
("does not exist or it is not available for user"), and a request to any other address fails the
test (`responses` raises).

Answers are `{"<command>response": {...}}`; errors carry the HTTP status equal to `errorcode`, with
`errortext` (CloudStack's `ApiErrorCode`). Commands that change something answer a `jobid` and
finish later: the fake has a clock that advances by one on every request, each job is done a few
ticks after it was asked for, and its effect (a VM becoming Running...) happens then, whether or not
anyone polls `queryAsyncJobResult`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import responses

API_KEY = "kt-test-api-key-0123456789"
SECRET_KEY = "kt-test-secret-key-abcdefghij"
URL = re.compile(r"^https://api\.ucloudbiz\.olleh\.com/(server|loadbalancer)/(v1|v2)/client/api\?.*$")

SEOUL_M2 = "d7d0177e-6cda-404a-a46f-a5b356d2874e"  # the zone served by the v2 endpoints
UNAUTHORIZED_TEXT = "unable to verify user credentials and/or request signature"

Answer = dict[str, Any]
Handler = Callable[["FakeKT", dict[str, str]], Answer]


class ApiError(Exception):
    """An error answer: `errorcode` (also the HTTP status) and `errortext`."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


def param_error(text: str) -> ApiError:
    return ApiError(431, text)


def missing(command: str, name: str, value: str) -> ApiError:
    # CloudStack's wording for an id that names nothing.
    return ApiError(
        431,
        f"Unable to execute API command {command.lower()} due to invalid value. Invalid parameter {name} "
        f"value={value} due to incorrect long value format, or entity does not exist or due to incorrect "
        "parameter annotation for the field in api cmd class.",
    )


@dataclass
class Job:
    job_id: str
    command: str
    ready_at: int
    effect: Callable[[], Answer]
    status: int = 0
    result: Answer = field(default_factory=dict)


def expected_signature(params: dict[str, str], secret: str) -> str:
    text = urlencode(sorted(params.items(), key=lambda item: item[0].lower()), quote_via=quote).lower()
    text = text.replace("%5b", "[").replace("%5d", "]")
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()).decode()


class FakeKT:
    """The state of one KT Cloud account and the commands that change it."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.clock = 0
        self.jobs: dict[str, Job] = {}
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.failures: dict[str, list[ApiError]] = {}
        self.job_failures: dict[str, list[ApiError]] = {}
        self.ids = itertools.count(1)
        self.state: dict[str, dict[str, Answer]] = {}
        self.lb_commands: set[str] = set()

    # --- plumbing --------------------------------------------------------------------------------

    def table(self, name: str) -> dict[str, Answer]:
        return self.state.setdefault(name, {})

    def new_id(self) -> str:
        return str(uuid.UUID(int=next(self.ids) + 0x1000))

    def fail_next(self, command: str, code: int, text: str) -> None:
        """The next call of `command` answers this error instead."""
        self.failures.setdefault(command, []).append(ApiError(code, text))

    def fail_job(self, command: str, code: int, text: str) -> None:
        """The next job of `command` fails when it ends, with this error in its `jobresult`."""
        self.job_failures.setdefault(command, []).append(ApiError(code, text))

    def job(self, command: str, effect: Callable[[], Answer], *, ticks: int = 2) -> str:
        queued = self.job_failures.get(command)
        if queued:
            error = queued.pop(0)

            def failing() -> Answer:
                raise error

            effect = failing
        job_id = self.new_id()
        self.jobs[job_id] = Job(job_id=job_id, command=command, ready_at=self.clock + ticks, effect=effect)
        return job_id

    def tick(self) -> None:
        self.clock += 1
        for job in list(self.jobs.values()):
            if job.status == 0 and self.clock >= job.ready_at:
                try:
                    job.result = job.effect()
                    job.status = 1
                except ApiError as exc:
                    job.result = {"errorcode": exc.code, "errortext": exc.text}
                    job.status = 2

    def commands(self) -> list[str]:
        return [command for command, _ in self.calls]

    # --- HTTP ------------------------------------------------------------------------------------

    def handle(self, request: Any) -> tuple[int, dict[str, str], str]:
        query = urlsplit(request.url).query
        params = dict(parse_qsl(query, keep_blank_values=True))
        command = params.get("command", "")
        key = f"{command.lower()}response"
        self.tick()
        signature = params.pop("signature", "")
        if params.get("apikey") != API_KEY or not hmac.compare_digest(
            signature, expected_signature(params, SECRET_KEY)
        ):
            return _error(key, ApiError(401, UNAUTHORIZED_TEXT))
        if params.get("response") != "json":
            return _error(key, param_error("response=json is required by this fake"))
        args = {name: value for name, value in params.items() if name not in ("apikey", "command", "response")}
        api, version = URL.match(request.url).groups()  # type: ignore[union-attr]  # responses matched URL
        if (api == "loadbalancer") != (command in self.lb_commands):
            return _error(key, ApiError(432, "The given command does not exist or it is not available for user"))
        if args.get("zoneid") and (version == "v2") != (args["zoneid"] == SEOUL_M2):
            return _error(key, param_error(f"Zone {args['zoneid']} is not served by the {version} endpoint"))
        self.calls.append((command, args))
        queued = self.failures.get(command)
        if queued:
            return _error(key, queued.pop(0))
        handler = self.handlers.get(command)
        if handler is None:
            return _error(key, ApiError(432, "The given command does not exist or it is not available for user"))
        try:
            answer = handler(self, args)
        except ApiError as exc:
            return _error(key, exc)
        return 200, {"Content-Type": "application/json"}, json.dumps({key: answer})


def _error(key: str, exc: ApiError) -> tuple[int, dict[str, str], str]:
    body = {key: {"uuidList": [], "errorcode": exc.code, "cserrorcode": 9999, "errortext": exc.text}}
    return exc.code, {"Content-Type": "application/json"}, json.dumps(body)


def query_async_job_result(fake: FakeKT, args: dict[str, str]) -> Answer:
    job_id = args.get("jobid", "")
    job = fake.jobs.get(job_id)
    if job is None:
        raise missing("queryAsyncJobResult", "jobid", job_id)
    answer: Answer = {"jobid": job.job_id, "cmd": job.command, "jobstatus": job.status, "jobprocstatus": 0}
    if job.status:
        answer["jobresultcode"] = 0 if job.status == 1 else 530
        answer["jobresulttype"] = "object"
        answer["jobresult"] = job.result
    return answer


def register(fake: FakeKT, rsps: responses.RequestsMock) -> None:
    fake.handlers["queryAsyncJobResult"] = query_async_job_result
    rsps.add_callback(responses.GET, URL, callback=fake.handle)
