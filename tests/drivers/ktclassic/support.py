"""The credential and connection the KT Cloud Classic tests use against the fake."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drivers.ktclassic import KTClassicDriver
from drivers.ktclassic._records import default_store_url, tenant_of
from drivers.types import ConnectionInfo
from tests.drivers.ktclassic.fake import API_KEY, SECRET_KEY, FakeKT, running
from tests.drivers.ktclassic.fake.catalogue import SEOUL_M2

REGION = "KOR-Seoul"
ZONE = SEOUL_M2


def connection_info(*, region: str = REGION, zone: str = ZONE, **credential: str) -> ConnectionInfo:
    values = {"ClientId": API_KEY, "ClientSecret": SECRET_KEY, **credential}
    return ConnectionInfo(name="kt-test", provider="ktclassic", credential=values, region=region, zone=zone)


def fresh_driver(store_url: str) -> Iterator[KTClassicDriver]:
    """A driver whose records of the test account start empty and are wiped afterwards."""
    driver = KTClassicDriver(store_url=store_url)
    driver.wipe_account(tenant_of(API_KEY))
    try:
        yield driver
    finally:
        driver.wipe_account(tenant_of(API_KEY))


@contextmanager
def fake_cloud() -> Iterator[FakeKT]:
    """The fake, with the test account's records in the deployment's default store wiped around it."""
    for _driver in fresh_driver(default_store_url()):
        with running() as fake:
            yield fake
