"""Connecting, verifying and authenticating: IAM API-key exchange, token reuse, bad keys and regions."""

from __future__ import annotations

import pytest
import requests

from drivers.errors import AuthError, FieldError, ThrottlingError, UnreachableError
from drivers.ibm import IBMConnection, IBMDriver
from drivers.ibm._session import VERSION
from tests.drivers.ibm.fake import FakeIBM
from tests.drivers.ibm.support import API_KEY, connection_info


def test_verify_exchanges_the_key_once_and_reuses_the_token(fake: FakeIBM, ibm: IBMConnection) -> None:
    ibm.verify()
    ibm.region_zone().list_region_zones()
    ibm.vm_spec().list_specs()
    assert fake.token_requests == 1
    assert fake.calls[0] == "POST /identity/token"
    assert "GET /v1/regions/us-south" in fake.calls


def test_an_unknown_api_key_is_an_auth_error_without_the_key(fake: FakeIBM) -> None:
    conn = IBMDriver().connect(connection_info(ApiKey="not-a-key-the-account-has"))
    with pytest.raises(AuthError) as caught:
        conn.verify()
    assert "Provided API key could not be found." in str(caught.value)
    assert "BXNIM0415E" in str(caught.value)
    assert "not-a-key-the-account-has" not in str(caught.value)


def test_a_token_iam_no_longer_accepts_is_an_auth_error(fake: FakeIBM, ibm: IBMConnection) -> None:
    ibm.verify()
    fake.revoke_tokens()
    with pytest.raises(AuthError) as caught:
        ibm.region_zone().get_region_zone(name="us-south")
    assert "not_authorized" in str(caught.value)


def test_verify_refuses_an_unknown_region_and_a_zone_of_another_region(fake: FakeIBM) -> None:
    with pytest.raises(FieldError) as caught:
        IBMDriver().connect(connection_info(region="xx-nowhere")).verify()
    assert caught.value.field == "region"
    with pytest.raises(FieldError) as caught:
        IBMDriver().connect(connection_info(zone="us-south-7")).verify()
    assert caught.value.field == "zone"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"region": "Dallas"}, "region"),
        ({"zone": "eu-de-1"}, "zone"),
        ({"ApiKey": '"quoted-key"'}, "ApiKey"),
        ({"ApiKey": ""}, "ApiKey"),
    ],
)
def test_connect_checks_fields_without_quoting_the_key(values: dict[str, str], field: str) -> None:
    region = values.pop("region", "us-south")
    zone = values.pop("zone", "")
    with pytest.raises(FieldError) as caught:
        IBMDriver().connect(connection_info(region=region, zone=zone, **values))
    assert caught.value.field == field
    assert "quoted-key" not in str(caught.value)


def test_the_key_is_secret_and_stays_out_of_repr(ibm: IBMConnection) -> None:
    [field] = IBMDriver.credential_fields
    assert field.name == "ApiKey" and field.secret
    assert API_KEY not in repr(ibm._clients)


def test_every_request_names_the_api_version_and_generation(fake: FakeIBM, ibm: IBMConnection) -> None:
    ibm.image().list_images()
    ibm.vm_spec().list_specs()
    assert fake.queries
    assert all(query["version"] == VERSION and query["generation"] == "2" for query in fake.queries)


def test_throttling_and_unreachable_endpoints(fake: FakeIBM, ibm: IBMConnection) -> None:
    fake.fail("/regions", status=429, code="rate_limit_exceeded", message="Too many requests")
    with pytest.raises(ThrottlingError):
        ibm.region_zone().list_region_zones()
    fake.break_with("/regions", requests.ConnectionError("connection refused"))
    with pytest.raises(UnreachableError):
        ibm.region_zone().list_region_zones()
