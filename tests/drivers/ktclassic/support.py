"""The credential and connection the KT Cloud Classic tests use against the fake."""

from __future__ import annotations

from drivers.types import ConnectionInfo
from tests.drivers.ktclassic.fake import API_KEY, SECRET_KEY
from tests.drivers.ktclassic.fake.catalogue import SEOUL_M2

REGION = "KOR-Seoul"
ZONE = SEOUL_M2


def connection_info(*, region: str = REGION, zone: str = ZONE, **credential: str) -> ConnectionInfo:
    values = {"ClientId": API_KEY, "ClientSecret": SECRET_KEY, **credential}
    return ConnectionInfo(name="kt-test", provider="ktclassic", credential=values, region=region, zone=zone)
