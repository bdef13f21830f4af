"""moto's server mode on loopback: a real HTTP endpoint speaking the AWS APIs, for the AWS tests.

One server per test process, started on first use on a free port of 127.0.0.1 and stopped at
exit. `reset()` wipes its state, so every test starts from a fresh account.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import threading
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from moto.server import ThreadedMotoServer

from drivers.aws import AWSConnection, AWSDriver
from drivers.types import ConnectionInfo

REGION = "us-east-1"

_lock = threading.Lock()
_server: ThreadedMotoServer | None = None
_url = ""


def endpoint() -> str:
    """The emulator's URL, starting it on first use."""
    global _server, _url
    with _lock:
        if _server is None:
            # One line per request would bury a failing test's own output.
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
            server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            server.start()
            host, port = server.get_host_and_port()
            _server, _url = server, f"http://{host}:{port}"
            atexit.register(server.stop)
        return _url


def reset() -> None:
    """Forget every resource the emulator holds (moto's own reset endpoint)."""
    _post("/moto-api/reset")


@contextlib.contextmanager
def checking_credentials() -> Iterator[None]:
    """Make the emulator check every request's credential, as AWS does (it accepts any by default)."""
    _post("/moto-api/reset-auth", b"0")
    try:
        yield
    finally:
        _post("/moto-api/reset-auth", b"inf")


def queue_cost_and_usage(results: Sequence[Mapping[str, Any]]) -> None:
    """Queue GetCostAndUsage answers: moto gives each new request (by its exact body, so a page
    token makes a new request) the next one, and repeats it for the same request; with none left
    it answers with no results."""
    _post("/moto-api/static/ce/cost-and-usage-results", json.dumps({"results": list(results)}).encode())


def _post(path: str, body: bytes = b"") -> None:
    # Not form-encoded: moto reads the raw body, which Flask leaves empty for a form.
    headers = {"Content-Type": "text/plain"}
    request = urllib.request.Request(f"{endpoint()}{path}", data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()


def connection_info(*, region: str = REGION, zone: str = "", **credential: str) -> ConnectionInfo:
    """A connection to the emulator; moto accepts any key pair."""
    values = {"ClientId": "AKIAEMULATOR00000001", "ClientSecret": "emulator-secret", "EndpointURL": endpoint()}
    values.update(credential)
    return ConnectionInfo(name="aws-emulator", provider="aws", credential=values, region=region, zone=zone)


def connect(*, region: str = REGION, zone: str = "") -> AWSConnection:
    return AWSDriver().connect(connection_info(region=region, zone=zone))
