"""`make run` from this checkout: embedded mode, demo seeded, served, and safe to run twice."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICE_VARS = {
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "SPIDERWEB_MOCK_STORE",
    "SPIDERWEB_CREDENTIAL_KEYS",
    "DJANGO_SETTINGS_MODULE",
    "SPIDERWEB_ADMIN_USER",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str, auth: str | None = None, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET")
    request.add_header("Content-Type", "application/json")
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def start_make_run(var_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update({"SPIDERWEB_VAR_DIR": str(var_dir), "SPIDERWEB_ADMIN_PASSWORD": "demo-pass-123", "PORT": str(port)})
    return subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make run exited with {process.returncode}:\n{log.read_text()}")
        try:
            return get_json(f"{base}/healthz")[1]
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"make run did not serve within 120 s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_make_run_serves_the_demo_and_runs_again_without_duplicates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "make-run.log"
    counts = []
    for _ in range(2):
        process = start_make_run(tmp_path / "var", port, log)
        try:
            health = wait_healthy(base, process, log)
            assert health["status"] == "ok"
            assert health["database"]["engine"] == "sqlite"
            status, page = get_json(f"{base}/api/v1/connections/?page_size=100", auth="admin:demo-pass-123")
            assert status == 200
            counts.append(page["count"])
            assert {c["region_name"] for c in page["results"]} >= {"mercury", "neptune", "default"}
            vpcs = f"{base}/api/v1/connections/mock-mars-z1/vpcs/"
            if len(counts) == 1:  # a cloud operation in the embedded mode: SQLite, no broker, no worker
                status, vpc = get_json(
                    vpcs, auth="admin:demo-pass-123", body={"name": "vpc-01", "ipv4_cidr": "10.0.0.0/16"}
                )
                assert (status, vpc["lifecycle"]) == (201, "ready")
            else:  # both Spiderweb's records and the mock cloud survived the restart
                status, listed = get_json(f"{vpcs}?refresh=true", auth="admin:demo-pass-123")
                assert [(v["name"], v["status"]) for v in listed["results"]] == [("vpc-01", "Available")]
        finally:
            stop(process)
    assert counts == [24, 24]
    output = log.read_text()
    assert f"Spiderweb is running at http://127.0.0.1:{port}/" in output
    assert "demo-pass-123" not in output
