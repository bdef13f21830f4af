"""Fixtures of the resource tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connections import services
from connections.models import Connection
from drivers import registry
from tests.factories import make_driver, unique
from tests.resources.fakes import TEST_DRIVERS


@pytest.fixture
def test_drivers(monkeypatch, settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Install the drivers above next to the built-in ones, sharing the mock's state store."""
    monkeypatch.setattr(registry, "BUILTIN", {**registry.BUILTIN, **TEST_DRIVERS})
    store = settings.SPIDERWEB_DRIVER_OPTIONS["mock"]
    registry.configure({**settings.SPIDERWEB_DRIVER_OPTIONS, **{name: store for name in TEST_DRIVERS}})
    yield
    registry.configure(settings.SPIDERWEB_DRIVER_OPTIONS)


@pytest.fixture
def aws_connection() -> Connection:
    """An AWS connection registered through the services, its credential pointing at the AWS
    emulator (moto on loopback, wiped first)."""
    # Imported here: only the AWS tests need moto started.
    from tests.drivers.aws import emulator

    emulator.reset()
    info = emulator.connection_info()
    credential = services.credential_create(name=unique("cred"), provider="aws", values=dict(info.credential))
    region = services.region_create(name=unique("reg"), provider="aws", region="us-east-1", zone="us-east-1a")
    return services.connection_create(
        name=unique("aws"), driver=make_driver(provider="aws").name, credential=credential.name, region=region.name
    )
