"""Durable state of the mock cloud: one JSON document per (tenant, region).

The state must be shared by every process of a deployment (web and all workers) and survive
their restarts, so it lives in Redis or in an SQLite file, never in process memory. It is kept
apart from the application's own tables: the mock plays a remote cloud, and wiping the app's
database must not wipe "the cloud".

Writes are read-modify-write of the whole document under an exclusive per-(tenant, region)
lock; reads take no lock and see the last committed document.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import redis
import redis.exceptions

from drivers.errors import ProviderError

Doc = dict[str, Any]
T = TypeVar("T")

DEFAULT_SQLITE_PATH = "./var/mockcloud.sqlite3"
REDIS_PREFIX = "spiderweb:mockcloud:"
# A writer that dies holding the lock must not wedge its tenant forever, hence a TTL; it is far
# above the few milliseconds a write takes.
LOCK_TTL_S = 60.0
LOCK_WAIT_S = 30.0
SQLITE_BUSY_TIMEOUT_S = 30.0


class Store(Protocol):
    """Where the mock cloud keeps its state."""

    def read(self, tenant: str, region: str) -> Doc:
        """The current document (empty when nothing was ever written)."""
        ...

    def update(self, tenant: str, region: str, change: Callable[[Doc], T]) -> T:
        """Apply `change` to the document atomically; if it raises, nothing is written."""
        ...

    def wipe_tenant(self, tenant: str) -> None: ...

    def close(self) -> None: ...


def open_store(url: str) -> Store:
    """A store for `url`: `redis://host:port/db`, `sqlite:///relative/or//absolute/path`, or "".

    An empty url means `sqlite:///./var/mockcloud.sqlite3`, relative to the working directory.
    As in SQLAlchemy URLs, `sqlite:////tmp/x.sqlite3` is absolute and `sqlite:///x.sqlite3`
    relative.
    """
    if not url:
        url = "sqlite:///" + DEFAULT_SQLITE_PATH
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(url)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not path:
            raise ValueError("the mock store url 'sqlite:///' names no file")
        return SqliteStore(Path(path).resolve())
    raise ValueError(f"unsupported mock store url {url!r}: use redis://host:port/db or sqlite:///path")


def _load(raw: bytes | str | None) -> Doc:
    if not raw:
        return {}
    doc = json.loads(raw)
    if not isinstance(doc, dict):
        raise ProviderError("The mock cloud's stored state is corrupt (not a JSON object).")
    return doc


class RedisStore:
    """One hash per tenant (field = region, value = the JSON document), one lock per field."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._redis = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)

    def _key(self, tenant: str) -> str:
        # Quoting keeps a tenant named "a:b" from colliding with, or being wiped along with, "a".
        return f"{REDIS_PREFIX}tenant:{quote(tenant, safe='')}"

    def read(self, tenant: str, region: str) -> Doc:
        with self._errors():
            raw = self._redis.hget(self._key(tenant), region)
        return _load(raw)

    def update(self, tenant: str, region: str, change: Callable[[Doc], T]) -> T:
        lock_name = f"{REDIS_PREFIX}lock:{quote(tenant, safe='')}:{region}"
        with self._errors():
            lock = self._redis.lock(lock_name, timeout=LOCK_TTL_S, blocking_timeout=LOCK_WAIT_S)
            if not lock.acquire():
                raise ProviderError(f"The mock cloud is busy: region '{region}' stayed locked for {LOCK_WAIT_S:.0f}s.")
            try:
                doc = _load(self._redis.hget(self._key(tenant), region))
                result = change(doc)
                self._redis.hset(self._key(tenant), region, json.dumps(doc, separators=(",", ":")))
                return result
            finally:
                with contextlib.suppress(redis.exceptions.LockError):
                    lock.release()

    def wipe_tenant(self, tenant: str) -> None:
        with self._errors():
            self._redis.delete(self._key(tenant))

    def close(self) -> None:
        self._redis.close()

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            raise ProviderError(
                "The mock cloud's state store (Redis) is not answering.", provider_message=str(exc)
            ) from exc


class SqliteStore:
    """One row per (tenant, region) in a WAL-mode SQLite file; a connection per call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Several processes may open the file at the same moment (gunicorn workers starting together):
        # switching the journal mode can be refused with "locked" without waiting on the busy
        # timeout, so the set-up is retried until that timeout.
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
        while True:
            try:
                self._prepare()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise ProviderError(
                        f"The mock cloud's state file {self.path} cannot be prepared.", provider_message=str(exc)
                    ) from exc
                time.sleep(0.05)

    def _prepare(self) -> None:
        db = sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None)
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS mock_state ("
                " tenant TEXT NOT NULL, region TEXT NOT NULL, doc TEXT NOT NULL,"
                " PRIMARY KEY (tenant, region))"
            )
        finally:
            db.close()

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A fresh connection per call: sqlite3 connections must not cross threads or forks.
        try:
            db = sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise ProviderError(
                f"The mock cloud's state file {self.path} cannot be opened.", provider_message=str(exc)
            ) from exc
        try:
            yield db
        except sqlite3.OperationalError as exc:
            raise ProviderError("The mock cloud's state file is not answering.", provider_message=str(exc)) from exc
        finally:
            db.close()

    def read(self, tenant: str, region: str) -> Doc:
        with self._connect() as db:
            row = db.execute("SELECT doc FROM mock_state WHERE tenant = ? AND region = ?", (tenant, region)).fetchone()
        return _load(row[0] if row else None)

    def update(self, tenant: str, region: str, change: Callable[[Doc], T]) -> T:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT doc FROM mock_state WHERE tenant = ? AND region = ?", (tenant, region)
                ).fetchone()
                doc = _load(row[0] if row else None)
                result = change(doc)
                db.execute(
                    "INSERT INTO mock_state (tenant, region, doc) VALUES (?, ?, ?)"
                    " ON CONFLICT (tenant, region) DO UPDATE SET doc = excluded.doc",
                    (tenant, region, json.dumps(doc, separators=(",", ":"))),
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

    def wipe_tenant(self, tenant: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM mock_state WHERE tenant = ?", (tenant,))

    def close(self) -> None:
        """Nothing to release: connections live for one call only."""
