"""The access key and connections the NCP tests use against the fake."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drivers.types import ConnectionInfo
from tests.drivers.ncp.fake import FakeNCP, running

ACCESS_KEY = "ncp_iam_BPAMKR1234567890AB"
SECRET_KEY = "ncp_iam_BPKMKR0987654321secretsecretsecret"
REGION = "KR"


def connection_info(
    *, provider: str = "ncp", region: str = REGION, zone: str = "", **credential: str
) -> ConnectionInfo:
    values = {"AccessKey": ACCESS_KEY, "SecretKey": SECRET_KEY, **credential}
    return ConnectionInfo(name=f"{provider}-test", provider=provider, credential=values, region=region, zone=zone)


@contextmanager
def fake_cloud(region: str = REGION) -> Iterator[FakeNCP]:
    with running(access_key=ACCESS_KEY, secret_key=SECRET_KEY, region=region) as fake:
        yield fake
