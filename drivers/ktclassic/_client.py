"""The HTTP client of one KT Cloud account in one zone: signed calls and asynchronous jobs.

KT Cloud's classic platform answers at `https://api.ucloudbiz.olleh.com/server/v1/client/api`
(zone KOR-Seoul M2: `.../server/v2/...`), and its load balancers at `.../loadbalancer/v1|v2/...`.
Every call is a signed GET (`_signer`); its answer is `{"<command>response": {...}}`. Calls that
change something answer a `jobid` at once; `wait()` polls `queryAsyncJobResult` until the job's
`jobstatus` is 1 (done; the result is in `jobresult`) or 2 (failed; `errorcode`/`errortext` in
`jobresult`).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import requests

from drivers.errors import DriverError, ProviderError, TransientError
from drivers.ktclassic import _signer
from drivers.ktclassic._errors import classify, translate

BASE_URL = "https://api.ucloudbiz.olleh.com"
# The zone served by the second-generation endpoints.
SEOUL_M2 = "d7d0177e-6cda-404a-a46f-a5b356d2874e"

CALL_TIMEOUT = 30.0  # seconds per HTTP request
JOB_TIMEOUT = 600.0  # how long `wait()` follows a job (a VM takes minutes to deploy)
# Pauses between polls of a job: quick at first, then steady.
POLL_DELAYS: Sequence[float] = (1.0, 2.0, 3.0, 5.0)

JOB_PENDING, JOB_DONE, JOB_FAILED = 0, 1, 2

Answer = dict[str, Any]


def endpoint(zone_id: str, api: str = "server") -> str:
    version = "v2" if zone_id == SEOUL_M2 else "v1"
    return f"{BASE_URL}/{api}/{version}/client/api"


class KTClient:
    """Signed calls to KT Cloud for one API key in one zone. Safe to share between threads."""

    def __init__(
        self, *, api_key: str, secret_key: str, region: str, zone_id: str, poll_delays: Sequence[float] | None = None
    ) -> None:
        self._poll_delays = tuple(poll_delays) if poll_delays is not None else None
        self._api_key = api_key
        self._secret_key = secret_key
        self.region = region
        self.zone_id = zone_id
        self._session = requests.Session()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"KTClient(region={self.region!r}, zone_id={self.zone_id!r})"

    def close(self) -> None:
        with self._lock:
            self._session.close()

    def call(
        self, command: str, params: Mapping[str, str] | None = None, *, api: str = "server", field: str = ""
    ) -> Answer:
        """Run `command` and return the inside of its `<command>response`; raise a `DriverError` for
        an error answer (`field` names the input a bad value or a missing id is about)."""
        query = _signer.signed_query(command, dict(params or {}), api_key=self._api_key, secret_key=self._secret_key)
        url = f"{endpoint(self.zone_id, api)}?{query}"
        with translate():
            response = self._session.get(url, timeout=CALL_TIMEOUT)
        body = _json(response)
        inner = _inner(body, command)
        code = _code(inner.get("errorcode")) if inner else 0
        if response.status_code != 200 or code:
            status = code or response.status_code
            text = str(inner.get("errortext", "")) if inner else response.text[:500]
            raise classify(status, text, what=command, field=field)
        if inner is None:
            raise ProviderError(
                f"KT Cloud answered {command} without its response.", provider_message=response.text[:500]
            )
        return inner

    def wait(self, job_id: str, *, what: str, field: str = "", timeout: float = JOB_TIMEOUT) -> Answer:
        """Follow an asynchronous job until it ends; return its `jobresult`, or raise its error."""
        deadline = time.monotonic() + timeout
        pauses = self._poll_delays or POLL_DELAYS
        delays = iter(pauses)
        while True:
            job = self.call("queryAsyncJobResult", {"jobid": job_id})
            status = _code(job.get("jobstatus"))
            result = job.get("jobresult")
            result = result if isinstance(result, dict) else {}
            if status == JOB_DONE:
                return result
            if status == JOB_FAILED:
                code = _code(result.get("errorcode")) or 530
                raise classify(code, str(result.get("errortext", "")), what=what, field=field)
            delay = next(delays, pauses[-1])
            if time.monotonic() + delay > deadline:
                raise TransientError(
                    f"KT Cloud had not finished {what} after {timeout:g} seconds; it carries on.",
                    provider_message=f"job {job_id} is still pending",
                )
            time.sleep(delay)

    def run(self, command: str, params: Mapping[str, str], *, what: str = "", field: str = "") -> Answer:
        """Call an asynchronous command and wait for its job; return the job's result."""
        answer = self.call(command, params, field=field)
        job_id = str(answer.get("jobid", ""))
        if not job_id:
            return answer
        return self.wait(job_id, what=what or command, field=field)

    def listing(
        self, command: str, key: str, params: Mapping[str, str] | None = None, *, api: str = "server"
    ) -> list[Answer]:
        """The items under `key` of a list command (KT Cloud leaves the key out when there are none)."""
        answer = self.call(command, params, api=api)
        items = answer.get(key, [])
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        if response.status_code >= 500 or response.status_code == 200:
            raise ProviderError(
                "KT Cloud answered with something unreadable.", provider_message=response.text[:500]
            ) from None
        raise DriverError(
            f"KT Cloud answered HTTP {response.status_code} without a readable body.",
            provider_message=response.text[:500],
        ) from None


def _inner(body: Any, command: str) -> Answer | None:
    # The documented key is the command in lower case plus "response"; some answers spell it in
    # camel case (listZonesResponse), so it is matched without regard to case.
    if not isinstance(body, dict):
        return None
    wanted = f"{command.lower()}response"
    for key, value in body.items():
        if str(key).lower() in (wanted, "errorresponse") and isinstance(value, dict):
            return value
    return None


def _code(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
