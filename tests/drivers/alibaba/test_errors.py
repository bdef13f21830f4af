"""Signing, Alibaba's error answers and how they map onto the driver's error tree."""

from __future__ import annotations

import pytest

from drivers.alibaba import AlibabaConnection, AlibabaDriver
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
    UnreachableError,
)
from tests.drivers.alibaba.fake import ApiError, FakeAlibaba
from tests.drivers.alibaba.support import ACCESS_KEY_SECRET, connection_info


def test_a_wrong_secret_fails_the_signature_check(fake: FakeAlibaba) -> None:
    conn = AlibabaDriver().connect(connection_info(AccessKeySecret=ACCESS_KEY_SECRET + "x"))
    with pytest.raises(AuthError) as caught:
        conn.verify()
    assert "SignatureDoesNotMatch" in caught.value.provider_message
    assert ACCESS_KEY_SECRET not in str(caught.value)


def test_an_unknown_access_key_is_an_auth_error(fake: FakeAlibaba) -> None:
    conn = AlibabaDriver().connect(connection_info(AccessKeyId="LTAI5tSomeoneElse999"))
    with pytest.raises(AuthError) as caught:
        conn.verify()
    assert caught.value.provider_message == "InvalidAccessKeyId.NotFound: Specified access key is not found."


def test_the_fake_rejects_a_replayed_nonce(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    ali.verify()
    fake._nonces.clear()
    fake._nonces.add("fixed")
    import alibabacloud_tea_openapi.utils as openapi_utils

    original = openapi_utils.Utils.get_nonce
    openapi_utils.Utils.get_nonce = staticmethod(lambda: "fixed")  # type: ignore[method-assign]
    try:
        with pytest.raises(InvalidRequestError) as caught:
            ali.verify()
    finally:
        openapi_utils.Utils.get_nonce = original  # type: ignore[method-assign]
    assert "SignatureNonceUsed" in caught.value.provider_message


def test_throttling_carries_a_retry_hint(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    fake.fail_next("DescribeZones", ApiError(400, "Throttling.User", "Request was denied due to user flow control."))
    with pytest.raises(ThrottlingError) as caught:
        ali.verify()
    assert caught.value.retry_after == 1.0
    assert caught.value.provider_message == "Throttling.User: Request was denied due to user flow control."
    fake.fail_next(
        "DescribeZones",
        ApiError(
            429, "Throttling", "Request was denied due to request throttling.", headers={"x-acs-retry-after": "2500"}
        ),
    )
    with pytest.raises(ThrottlingError) as caught:
        ali.verify()
    assert caught.value.retry_after == 2.5


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (500, "InternalError", ProviderError),
        (503, "ServiceUnavailable", ProviderError),
        (404, "InvalidRegionId.NotFound", FieldError),  # verify reports a missing region as the field
        (403, "Forbidden.RAM", AuthError),
        (400, "InvalidParameter", InvalidRequestError),
        (403, "IncorrectInstanceStatus", InvalidStateError),
        (400, "DependencyViolation.VSwitch", DependencyError),
        (400, "KeyPair.AlreadyExist", AlreadyExistsError),
        (403, "QuotaExceed.PostPaidInstance", QuotaError),
        (403, "OperationDenied.NoStock", ProviderError),
        (401, "SomethingNew", AuthError),
    ],
)
def test_error_codes_map_onto_the_tree(
    ali: AlibabaConnection, fake: FakeAlibaba, status: int, code: str, expected: type[Exception]
) -> None:
    fake.fail_next("DescribeZones", ApiError(status, code, "said the cloud"))
    with pytest.raises(expected) as caught:
        ali.verify()
    assert type(caught.value) is expected
    assert "said the cloud" in str(caught.value)


def test_a_missing_image_is_not_found_not_an_error_answer(ali: AlibabaConnection) -> None:
    from drivers.types import IID

    with pytest.raises(NotFoundError):
        ali.image().get_image(iid=IID(name_id="no-such-image"))


def test_no_network_is_unreachable(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    import requests

    fake.fail_next("DescribeZones", requests.ConnectionError("connection refused"))  # type: ignore[arg-type]
    with pytest.raises(UnreachableError):
        ali.verify()


def test_the_secret_is_not_in_the_connection_repr(ali: AlibabaConnection) -> None:
    assert ACCESS_KEY_SECRET not in repr(ali._clients)


def test_a_parameter_the_sdk_model_lacks_is_refused_before_sending(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    # The SDK's from_map would drop it silently and send the request without it.
    from drivers.errors import DriverError

    with pytest.raises(DriverError) as caught:
        ali._clients.rpc("ecs", "DescribeZones", {"RegionId": "cn-hangzhou", "ZoneName": "x"})
    assert str(caught.value) == "DescribeZones takes no parameter ZoneName."
    assert fake.calls == []
