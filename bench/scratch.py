"""A throw-away PostgreSQL database for a benchmark run (trust auth on this machine's server)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

ADMIN_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"


@contextmanager
def scratch_database(*, use_existing: bool = True) -> Iterator[None]:
    """Point DATABASE_URL at a fresh database and drop it afterwards.

    With `use_existing`, a DATABASE_URL already in the environment is used as it is instead.
    """
    if use_existing and os.environ.get("DATABASE_URL"):
        yield
        return
    import psycopg

    name = f"spiderweb_bench_{uuid.uuid4().hex[:10]}"
    # CREATE/DROP DATABASE cannot run inside a transaction, hence autocommit.
    with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = ADMIN_DATABASE_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django() -> None:
    """Django on this checkout, Redis on loopback unless configured, the schema migrated, quiet logs."""
    import sys
    from pathlib import Path

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spiderweb.settings")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")
    os.environ.setdefault("SPIDERWEB_MOCK_STORE", os.environ["REDIS_URL"])
    os.environ.setdefault("SPIDERWEB_LOG_LEVEL", "WARNING")  # not a line per object of the set-up
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
