"""The commands behind `make run`: the demo seed and the admin user."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from connections.models import Connection, Region

pytestmark = pytest.mark.django_db


def run(command: str, **env: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def test_seed_demo_registers_every_mock_region_and_zone_once() -> None:
    first = run("seed_demo")
    connections = Connection.objects.filter(provider="mock")
    regions = set(connections.values_list("region__region", flat=True))
    assert regions == {"default", "mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune"}
    assert connections.count() == 24
    assert "24 mock connections across 8 regions" in first
    run("seed_demo")
    assert Connection.objects.filter(provider="mock").count() == 24
    assert Region.objects.count() == 24


def test_ensure_admin_prints_a_generated_password_once_and_keeps_it(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SPIDERWEB_ADMIN_PASSWORD", raising=False)
    first = run("ensure_admin")
    password = first.split("password: ")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    second = run("ensure_admin")
    assert password not in second
    admin.refresh_from_db()
    assert admin.check_password(password)


def test_ensure_admin_takes_the_password_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SPIDERWEB_ADMIN_PASSWORD", "chosen-pass-123")
    out = run("ensure_admin")
    assert "chosen-pass-123" not in out
    assert get_user_model().objects.get(username="admin").check_password("chosen-pass-123")
