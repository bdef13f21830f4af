"""Fixtures of the resource tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers import registry
from tests.resources.fakes import TEST_DRIVERS


@pytest.fixture
def test_drivers(monkeypatch, settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Install the drivers above next to the built-in ones, sharing the mock's state store."""
    monkeypatch.setattr(registry, "BUILTIN", {**registry.BUILTIN, **TEST_DRIVERS})
    store = settings.SPIDERWEB_DRIVER_OPTIONS["mock"]
    registry.configure({**settings.SPIDERWEB_DRIVER_OPTIONS, **{name: store for name in TEST_DRIVERS}})
    yield
    registry.configure(settings.SPIDERWEB_DRIVER_OPTIONS)
