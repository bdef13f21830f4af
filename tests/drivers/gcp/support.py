"""The service account, key and connection the GCP tests use against the fake."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from drivers.types import ConnectionInfo
from tests.drivers.gcp.fake import FakeGCP, running

PROJECT = "spiderweb-test-4711"
CLIENT_EMAIL = f"spiderweb@{PROJECT}.iam.gserviceaccount.com"
REGION = "us-central1"
DEFAULT_ZONE = "us-central1-a"  # the region's first zone that is up


@functools.cache
def private_key() -> rsa.RSAPrivateKey:
    """A throwaway RSA key for the service account, made once per test run."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey | None = None) -> str:
    return (
        (key or private_key())
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )


def connection_info(*, region: str = REGION, zone: str = "", **credential: str) -> ConnectionInfo:
    values = {"ProjectID": PROJECT, "ClientEmail": CLIENT_EMAIL, "PrivateKey": pem(), **credential}
    return ConnectionInfo(name="gcp-test", provider="gcp", credential=values, region=region, zone=zone)


@contextmanager
def fake_cloud() -> Iterator[FakeGCP]:
    """The fake with the test's service account, which may use PROJECT."""
    with running() as fake:
        fake.add_account(CLIENT_EMAIL, private_key().public_key(), PROJECT)
        yield fake
