"""A real Celery worker process on Redis, for the tests whose subject is the asynchronous path."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    queue: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """Die at once, as a worker does when its machine goes away."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def database_url() -> str:
    conf = connection.settings_dict
    user = conf.get("USER") or "postgres"
    return f"postgres://{user}@{conf.get('HOST') or '127.0.0.1'}:{conf.get('PORT') or 5432}/{conf['NAME']}"


@pytest.fixture
def celery_worker(transactional_db, settings, tmp_path) -> Iterator[Worker]:  # type: ignore[no-untyped-def]
    """Start `celery worker` on a queue of its own, pointed at the test database; tasks leave this process."""
    from spiderweb.celery import app

    queue = f"test-{uuid.uuid4().hex[:10]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SPIDERWEB_TASK_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "spiderweb.settings",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "spiderweb",
        "worker",
        "--queues",
        queue,
        "--pool",
        "threads",
        "--concurrency",
        "4",
        "--loglevel",
        "INFO",
        "--hostname",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    worker = Worker(process=process, queue=queue, log=log)
    deadline = time.monotonic() + 60
    while " ready." not in worker.output():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the Celery worker did not start:\n{worker.output()}")
        time.sleep(0.1)
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    app.conf.task_always_eager = False
    try:
        yield worker
    finally:
        app.conf.task_always_eager = True
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
