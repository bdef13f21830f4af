"""The driver registry: built-ins, plug-ins from entry points, and per-driver options."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import EntryPoint
from typing import Any

import pytest

from drivers import registry
from drivers.capabilities import Capabilities
from drivers.mock import MockDriver


class AcmeDriver:
    """A stand-in third-party driver, loaded through a fake entry point."""

    name = "acme"
    label = "Acme cloud"
    credential_fields = ()
    region_fields = ()
    region_options = ()
    capabilities = Capabilities(handlers=frozenset())

    def __init__(self, **options: Any) -> None:
        self.options = options


@pytest.fixture(autouse=True)
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The application configures the registry at start; give each test its own, restored after.
    monkeypatch.setattr(registry, "_options", {})
    monkeypatch.setattr(registry, "_instances", {})
    yield


def _entry_points(monkeypatch: pytest.MonkeyPatch, **targets: str) -> None:
    points = [EntryPoint(name=name, value=value, group=registry.ENTRY_POINT_GROUP) for name, value in targets.items()]

    def fake(*, group: str) -> list[EntryPoint]:
        return points if group == registry.ENTRY_POINT_GROUP else []

    monkeypatch.setattr(registry, "entry_points", fake)


def test_the_mock_is_built_in_and_cached() -> None:
    driver = registry.get_driver("mock")
    assert isinstance(driver, MockDriver)
    assert driver.name == "mock" and driver.label == "Mock cloud"
    assert registry.get_driver("mock") is driver
    assert "mock" in registry.driver_names()


def test_unknown_driver_names_the_known_ones() -> None:
    with pytest.raises(registry.UnknownDriverError) as caught:
        registry.get_driver("nocloud")
    assert isinstance(caught.value, LookupError)
    assert "nocloud" in str(caught.value) and "mock" in str(caught.value)


def test_configure_passes_options_and_drops_old_instances(tmp_path: Any) -> None:
    before = registry.get_driver("mock")
    url = f"sqlite:///{tmp_path}/m.sqlite3"
    registry.configure({"mock": {"store_url": url, "settle_seconds": 0.5}})
    after = registry.get_driver("mock")
    assert after is not before
    assert isinstance(after, MockDriver)
    assert (after.store_url, after.settle_seconds) == (url, 0.5)


def test_entry_points_add_drivers(monkeypatch: pytest.MonkeyPatch) -> None:
    _entry_points(monkeypatch, acme=f"{__name__}:AcmeDriver")
    registry.configure({"acme": {"endpoint": "https://acme.example"}})
    assert registry.driver_names() == sorted(["acme", *registry.BUILTIN])
    acme = registry.get_driver("acme")
    assert isinstance(acme, AcmeDriver)
    assert acme.options == {"endpoint": "https://acme.example"}
    assert [driver.name for driver in registry.all_drivers()] == sorted(["acme", *registry.BUILTIN])


def test_a_built_in_wins_over_an_entry_point_of_the_same_name(monkeypatch: pytest.MonkeyPatch) -> None:
    _entry_points(monkeypatch, mock=f"{__name__}:AcmeDriver")
    assert isinstance(registry.get_driver("mock"), MockDriver)
    assert registry.driver_names() == sorted(registry.BUILTIN)


def test_a_broken_plug_in_is_left_out_and_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    _entry_points(monkeypatch, broken="no_such_module_anywhere:Driver")
    assert registry.driver_names() == sorted(registry.BUILTIN)
    assert [driver.name for driver in registry.all_drivers()] == sorted(registry.BUILTIN)
    with pytest.raises(registry.UnknownDriverError, match="cannot be imported"):
        registry.get_driver("broken")
