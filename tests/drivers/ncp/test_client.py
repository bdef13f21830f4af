"""The signed client: NCP's gateway accepts only correctly signed requests, and failures map onto the error tree."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import responses

from drivers.errors import (
    AlreadyExistsError,
    AuthError,
    DependencyError,
    FieldError,
    InvalidStateError,
    NotFoundError,
    ProviderError,
    ThrottlingError,
)
from drivers.ncp import NCPClassicDriver, NCPConnection, NCPDriver
from drivers.ncp._client import NCPClient, flatten
from drivers.ncp._errors import from_answer
from tests.drivers.ncp.fake import FakeNCP
from tests.drivers.ncp.support import ACCESS_KEY, SECRET_KEY, connection_info


def test_a_correctly_signed_call_is_answered(ncp: NCPConnection, fake: FakeNCP) -> None:
    ncp.verify()
    assert fake.actions("vserver") == ["getZoneList"]


def test_a_wrong_secret_key_is_refused_by_the_gateway(fake: FakeNCP) -> None:
    conn = NCPDriver().connect(connection_info(SecretKey="not-the-secret"))
    with pytest.raises(AuthError) as caught:
        conn.verify()
    assert "Authentication Failed" in caught.value.provider_message
    assert "Signature mismatch" in str(caught.value)
    assert fake.calls == []  # refused at the gateway, before any service saw it


def test_an_unknown_access_key_is_refused(fake: FakeNCP) -> None:
    conn = NCPDriver().connect(connection_info(AccessKey="ncp_iam_SOMEONEELSE"))
    with pytest.raises(AuthError):
        conn.verify()


def test_a_stale_timestamp_is_refused(fake: FakeNCP, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = NCPDriver().connect(connection_info())
    monkeypatch.setattr("drivers.ncp._client.time", SimpleNamespace(time=lambda: 1_000_000.0))  # 1970: long expired
    with pytest.raises(AuthError) as caught:
        conn.verify()
    assert "Timestamp" in str(caught.value)


def test_the_signature_covers_the_query_string(fake: FakeNCP) -> None:
    # A parameter with characters that need escaping must be signed exactly as it is sent.
    client = NCPClient(access_key=ACCESS_KEY, secret_key=SECRET_KEY, region="KR")
    answer = client.call("vpc", "getVpcList", {"vpcName": "a b/c+d~e"})
    assert answer["vpcList"] == []
    assert fake.calls[-1].params["vpcName"] == "a b/c+d~e"


def test_lists_are_sent_in_ncp_query_form() -> None:
    flat = flatten({"a": ["x", "y"], "b": [{"k": "1", "v": None}], "c": True, "d": None})
    assert flat == [("a.1", "x"), ("a.2", "y"), ("b.1.k", "1"), ("c", "true")]


def test_the_secret_key_never_shows() -> None:
    client = NCPClient(access_key=ACCESS_KEY, secret_key=SECRET_KEY, region="KR")
    assert SECRET_KEY not in repr(client)
    secret = next(spec for spec in NCPDriver.credential_fields if spec.name == "SecretKey")
    assert secret.secret


@pytest.mark.parametrize("driver", [NCPDriver(), NCPClassicDriver()], ids=["ncp", "ncpclassic"])
def test_connect_checks_the_region_code(driver: NCPDriver) -> None:
    with pytest.raises(FieldError) as caught:
        driver.connect(connection_info(provider=driver.name, region="kr-central"))
    assert caught.value.field == "region"


def test_verify_refuses_a_zone_outside_the_region(fake: FakeNCP) -> None:
    with pytest.raises(FieldError) as caught:
        NCPDriver().connect(connection_info(zone="SGN-4")).verify()
    assert caught.value.field == "zone"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, {"error": {"errorCode": "210", "message": "Permission Denied"}}, AuthError),
        (429, {"error": {"errorCode": "420", "message": "Rate Limited"}}, ThrottlingError),
        (503, {"error": {"errorCode": "500", "message": "Endpoint Error"}}, ProviderError),
        (400, {"responseError": {"returnCode": "1", "returnMessage": "The VPC does not exist."}}, NotFoundError),
        (
            400,
            {"responseError": {"returnCode": "2", "returnMessage": "The name is already in use by name."}},
            AlreadyExistsError,
        ),
        (
            400,
            {"responseError": {"returnCode": "3", "returnMessage": "The ACG is in use by a server."}},
            DependencyError,
        ),
        (
            400,
            {"responseError": {"returnCode": "4", "returnMessage": "The server status is NSTOP."}},
            InvalidStateError,
        ),
    ],
)
def test_failures_map_onto_the_error_tree(status: int, body: dict[str, object], expected: type) -> None:
    error = from_answer("anAction", status, body, {})
    assert type(error) is expected
    assert error.provider_message


def test_a_throttled_call_keeps_retry_after() -> None:
    with responses.RequestsMock() as rsps:
        body = {"error": {"errorCode": "410", "message": "Throttle Limited", "details": "Rate limit exceeded."}}
        rsps.get(
            "https://ncloud.apigw.ntruss.com/vserver/v2/getZoneList",
            status=429,
            body=json.dumps(body),
            headers={"Retry-After": "3"},
        )
        client = NCPClient(access_key=ACCESS_KEY, secret_key=SECRET_KEY, region="KR")
        with pytest.raises(ThrottlingError) as caught:
            client.call("vserver", "getZoneList")
    assert caught.value.retry_after == 3.0
