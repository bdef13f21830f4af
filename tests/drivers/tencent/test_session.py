"""The connection, its credential and signing, the error mapping, and that nothing leaves the machine."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
import requests

from drivers.errors import (
    AlreadyExistsError,
    AuthError,
    DependencyError,
    FieldError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
    ProviderError,
    QuotaError,
    ThrottlingError,
    TransientError,
)
from drivers.tencent import TencentConnection, TencentDriver
from drivers.tencent._errors import map_error
from drivers.tencent._session import TencentClients
from drivers.types import IID
from tests.drivers.tencent.fake import SECRET_ID, SECRET_KEY, FakeGap, FakeTencent
from tests.drivers.tencent.support import connection_info


def test_verify_passes_with_the_test_key(tencent: TencentConnection, fake: FakeTencent) -> None:
    tencent.verify()
    assert [call.action for call in fake.calls] == ["DescribeZones"]
    assert fake.calls[0].region == "ap-guangzhou"


def test_a_wrong_secret_key_fails_the_signature(fake: FakeTencent) -> None:
    conn = TencentDriver().connect(connection_info(SecretKey="not-the-right-key"))
    with pytest.raises(AuthError) as caught:
        conn.verify()
    assert "AuthFailure.SignatureFailure" in str(caught.value)
    assert "not-the-right-key" not in str(caught.value)


def test_an_unknown_secret_id_is_refused(fake: FakeTencent) -> None:
    conn = TencentDriver().connect(connection_info(SecretId="AKIDunknown000000000000000000000000"))
    with pytest.raises(AuthError) as caught:
        conn.verify()
    assert "AuthFailure.SecretIdNotFound" in str(caught.value)


def test_a_clock_off_by_more_than_five_minutes_expires_the_signature(
    fake: FakeTencent, tencent: TencentConnection
) -> None:
    fake.clock_skew_s = 301
    with pytest.raises(AuthError) as caught:
        tencent.verify()
    assert "AuthFailure.SignatureExpire" in str(caught.value)


def test_the_fake_checks_the_signature_over_the_body(fake: FakeTencent) -> None:
    """A request signed for one body and sent with another fails, so the fake recomputes the signature
    from what arrives rather than trusting the header."""
    import time
    from datetime import UTC, datetime

    body = json.dumps({}).encode()
    timestamp = int(time.time())
    date = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            "content-type:application/json\nhost:cvm.tencentcloudapi.com\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    string_to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), f"{date}/cvm/tc3_request", hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = hmac.new(("TC3" + SECRET_KEY).encode(), date.encode(), hashlib.sha256).digest()
    key = hmac.new(key, b"cvm", hashlib.sha256).digest()
    key = hmac.new(key, b"tc3_request", hashlib.sha256).digest()
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "Host": "cvm.tencentcloudapi.com",
        "X-TC-Action": "DescribeZones",
        "X-TC-Version": "2017-03-12",
        "X-TC-Region": "ap-guangzhou",
        "X-TC-Timestamp": str(timestamp),
        "Authorization": f"TC3-HMAC-SHA256 Credential={SECRET_ID}/{date}/cvm/tc3_request, "
        f"SignedHeaders=content-type;host, Signature={signature}",
    }
    good = requests.post("https://cvm.tencentcloudapi.com/", data=body, headers=headers, timeout=5).json()
    assert "ZoneSet" in good["Response"]
    tampered = requests.post("https://cvm.tencentcloudapi.com/", data=b'{"x": 1}', headers=headers, timeout=5).json()
    assert tampered["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_an_unknown_region_is_a_field_error_of_the_region(fake: FakeTencent) -> None:
    conn = TencentDriver().connect(connection_info(region="eu-atlantis"))
    with pytest.raises(FieldError) as caught:
        conn.verify()
    assert caught.value.field == "region"


def test_a_zone_outside_the_region_is_refused(fake: FakeTencent) -> None:
    with pytest.raises(FieldError) as caught:
        TencentDriver().connect(connection_info(zone="ap-seoul-1"))
    assert caught.value.field == "zone"
    conn = TencentDriver().connect(connection_info(zone="ap-guangzhou-9"))
    with pytest.raises(FieldError):
        conn.verify()


def test_the_secret_key_is_a_secret_field() -> None:
    fields = {spec.name: spec for spec in TencentDriver.credential_fields}
    assert fields["SecretKey"].secret and not fields["SecretId"].secret


def test_clients_are_made_once_per_product_and_released_on_close(tencent: TencentConnection) -> None:
    clients = tencent._clients
    assert clients.client("cvm") is clients.client("cvm")
    assert clients.client("vpc") is not clients.client("cvm")
    tencent.close()
    assert clients._clients == {}


def test_a_parameter_the_sdk_does_not_know_is_a_bug_not_a_silent_drop(tencent: TencentConnection) -> None:
    with pytest.raises(ValueError, match="unknown to the SDK"):
        tencent._clients.call("cvm", "DescribeZones", {"Colour": "blue"})


def test_paging_follows_offset_and_limit_to_the_total(fake: FakeTencent) -> None:
    clients = TencentClients(secret_id=SECRET_ID, secret_key=SECRET_KEY, region="ap-guangzhou", zone="")
    for index in range(103):
        clients.call("vpc", "CreateVpc", {"VpcName": f"vpc-{index}", "CidrBlock": "10.0.0.0/16"})
    names = [vpc["VpcName"] for vpc in clients.pages("vpc", "DescribeVpcs", {}, "VpcSet", as_text=True)]
    assert len(names) == 103 and len(set(names)) == 103
    offsets = [call.params["Offset"] for call in fake.calls if call.action == "DescribeVpcs"]
    assert offsets == ["0", "100"]


def test_throttling_carries_a_retry_hint(fake: FakeTencent, tencent: TencentConnection) -> None:
    fake.fail_next("DescribeZones", "RequestLimitExceeded", "Your current request times equals to `21` in a second")
    with pytest.raises(ThrottlingError) as caught:
        tencent.verify()
    assert caught.value.retry_after == 1.0 and caught.value.to_dict()["retry_after"] == 1.0
    assert "in a second" in str(caught.value)
    tencent.verify()  # one throttled answer; Spiderweb's own retry would now pass
    assert fake.count("DescribeZones") == 2


def test_a_request_the_fake_cannot_answer_fails_the_test() -> None:
    from tests.drivers.tencent.fake import running

    with pytest.raises(FakeGap), running():
        conn = TencentDriver().connect(connection_info())
        with pytest.raises(Exception):  # noqa: B017 - the SDK's ClientNetworkError, mapped
            conn._clients.call("cvm", "DescribeHosts", {})


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("AuthFailure.UnauthorizedOperation", AuthError),
        ("UnauthorizedOperation", AuthError),
        ("RequestLimitExceeded.UinLimitExceeded", ThrottlingError),
        ("ResourceNotFound", NotFoundError),
        ("InvalidInstanceId.NotFound", NotFoundError),
        ("InvalidParameterValue.VpcIdNotExist", NotFoundError),
        ("InternalError.ClusterNotFound", NotFoundError),
        ("ResourceInUse", DependencyError),
        ("InvalidKeyPairName.Duplicate", AlreadyExistsError),
        ("InvalidImageName.Duplicate", AlreadyExistsError),
        ("UnsupportedOperation.InstanceStateRunning", InvalidStateError),
        ("ResourceUnavailable.Attached", InvalidStateError),
        ("LimitExceeded", QuotaError),
        ("InvalidKeyPair.LimitExceeded", QuotaError),
        ("ResourceInsufficient.SpecifiedInstanceType", TransientError),
        ("FailedOperation.ResourceInOperating", TransientError),
        ("InternalError", ProviderError),
        ("InvalidParameterValue.Range", InvalidRequestError),
        ("UnknownParameter", InvalidRequestError),
    ],
)
def test_error_codes_map_onto_the_error_tree(code: str, error: type[Exception]) -> None:
    mapped = map_error(code, "the provider's message")
    assert type(mapped) is error
    assert "the provider's message" in str(mapped) and code in str(mapped)


def test_a_missing_resource_reads_as_not_found_end_to_end(tencent: TencentConnection) -> None:
    with pytest.raises(NotFoundError):
        tencent.vm().get_vm(iid=IID(name_id="nothing"))
