"""The credential and connection the Tencent tests use against the fake."""

from __future__ import annotations

from drivers.types import ConnectionInfo
from tests.drivers.tencent.fake import SECRET_ID, SECRET_KEY

REGION = "ap-guangzhou"
ZONE = "ap-guangzhou-3"  # the region's first available zone


def connection_info(
    *, region: str = REGION, zone: str = "", options: dict[str, str] | None = None, **credential: str
) -> ConnectionInfo:
    values = {"SecretId": SECRET_ID, "SecretKey": SECRET_KEY, **credential}
    return ConnectionInfo(
        name="tencent-test", provider="tencent", credential=values, region=region, zone=zone, options=options or {}
    )
