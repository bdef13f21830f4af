"""Settings come from the environment, with an embedded default when nothing is set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from spiderweb.env import env_bool, load_dotenv, private_file

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'cache': s.CACHES['default']['BACKEND'], 'mock': s.SPIDERWEB_MOCK_STORE, 'var': str(s.VAR_DIR)}))"
)


def settings_with(env: dict[str, str], var_dir: Path) -> dict[str, object]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SPIDERWEB_MOCK_STORE", "CELERY_RESULT_BACKEND"}
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "spiderweb.settings", "SPIDERWEB_VAR_DIR": str(var_dir), **env})
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_no_environment_means_embedded_default(tmp_path) -> None:  # type: ignore[no-untyped-def]
    found = settings_with({}, tmp_path)
    assert found["db"] == "django.db.backends.sqlite3"
    assert found["eager"] is True
    assert found["cache"].endswith("LocMemCache")
    assert found["mock"] == f"sqlite:///{tmp_path / 'mockcloud.sqlite3'}"
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_urls_switch_to_postgres_redis_broker_and_cache(tmp_path) -> None:  # type: ignore[no-untyped-def]
    found = settings_with(
        {
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
            "REDIS_URL": "redis://127.0.0.1:6379/1",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/2",
        },
        tmp_path,
    )
    assert found["db"] == "django.db.backends.postgresql"
    assert found["eager"] is False
    assert found["cache"].endswith("RedisCache")
    assert found["mock"] == "redis://127.0.0.1:6379/1"


def test_dotenv_fills_only_what_is_unset(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    dotenv = tmp_path / ".env"
    dotenv.write_text("# comment\nSW_A=from-file\nexport SW_B='quoted value'\nSW_C=file\n")
    monkeypatch.setenv("SW_C", "from-env")
    monkeypatch.delenv("SW_A", raising=False)
    monkeypatch.delenv("SW_B", raising=False)
    load_dotenv(dotenv)
    assert (os.environ["SW_A"], os.environ["SW_B"], os.environ["SW_C"]) == ("from-file", "quoted value", "from-env")


def test_bad_boolean_is_a_clear_error(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SW_FLAG", "maybe")
    with pytest.raises(ValueError, match="SW_FLAG"):
        env_bool("SW_FLAG")


def test_private_file_is_created_once_with_mode_0600(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "sub" / "key"
    first = private_file(target, lambda: "one")
    second = private_file(target, lambda: "two")
    assert first == second == "one"
    assert target.stat().st_mode & 0o777 == 0o600
