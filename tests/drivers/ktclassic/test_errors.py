"""KT Cloud's error answers and failed jobs become the driver's errors, keeping KT Cloud's text."""

from __future__ import annotations

import pytest

from drivers.errors import (
    AuthError,
    DependencyError,
    DriverError,
    InvalidRequestError,
    NotFoundError,
    ProviderError,
    QuotaError,
    ThrottlingError,
    TransientError,
)
from drivers.ktclassic import KTClassicConnection
from drivers.ktclassic._errors import classify
from tests.drivers.ktclassic.fake import FakeKT


@pytest.mark.parametrize(
    ("code", "text", "error"),
    [
        (401, "unable to verify user credentials and/or request signature", AuthError),
        (432, "The given command does not exist or it is not available for user", AuthError),
        (431, "Invalid parameter zoneid", InvalidRequestError),
        (
            431,
            "Invalid parameter id value=x due to incorrect long value format, or entity does not exist",
            NotFoundError,
        ),
        (429, "You have exceeded the API request limit", ThrottlingError),
        (530, "Internal error executing command", ProviderError),
        (533, "Insufficient capacity", ProviderError),
        (532, "Maximum number of resources of type 'user_vm' for account has exceeded", QuotaError),
        (536, "Volume is in use", DependencyError),
    ],
)
def test_error_answers_map_onto_the_error_tree(
    kt: KTClassicConnection, fake: FakeKT, code: int, text: str, error: type[DriverError]
) -> None:
    fake.fail_next("listZones", code, text)
    with pytest.raises(error) as caught:
        kt.region_zone().list_region_zones()
    assert caught.value.provider_message == text


def test_throttling_is_retryable_with_a_pause() -> None:
    error = classify(429, "limit", what="listZones")
    assert isinstance(error, ThrottlingError) and error.retry_after


def test_a_job_that_does_not_end_in_time_is_transient(kt: KTClassicConnection, fake: FakeKT) -> None:
    job_id = fake.job("createTemplate", lambda: {}, ticks=10**6)
    with pytest.raises(TransientError) as caught:
        kt._client.wait(job_id, what="making an image", timeout=0)
    assert "carries on" in str(caught.value)
    assert fake.commands() == ["queryAsyncJobResult"]
