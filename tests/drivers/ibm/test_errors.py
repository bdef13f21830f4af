"""IBM error answers -> the driver error tree, by code first and HTTP status second, IBM's message kept."""

from __future__ import annotations

import pytest

from drivers.errors import (
    AlreadyExistsError,
    AuthError,
    DependencyError,
    DriverError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
    ProviderError,
    QuotaError,
)
from drivers.ibm import IBMConnection
from tests.drivers.ibm.fake import FakeIBM


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (404, "not_found", NotFoundError),
        (404, "whatever", NotFoundError),
        (400, "validation_unique_failed", AlreadyExistsError),
        (409, "vpc_in_use", DependencyError),
        (409, "instance_invalid_state", InvalidStateError),
        (409, "something_else", InvalidStateError),
        (400, "quota_exceeded", QuotaError),
        (403, "forbidden", AuthError),
        (400, "validation_invalid_name", InvalidRequestError),
        (500, "internal_error", ProviderError),
        (503, "service_unavailable", ProviderError),
    ],
)
def test_error_codes_map_onto_the_tree(
    fake: FakeIBM, ibm: IBMConnection, status: int, code: str, expected: type[DriverError]
) -> None:
    fake.fail("/vpcs", status=status, code=code, message=f"IBM says {code}")
    with pytest.raises(DriverError) as caught:
        ibm.vpc().list_vpcs()
    assert type(caught.value) is expected
    assert caught.value.provider_message == f"IBM says {code}"
    assert code in str(caught.value) and "GET" in str(caught.value)


def test_a_missing_resource_by_id_is_not_found(ibm: IBMConnection) -> None:
    from drivers.types import IID

    with pytest.raises(NotFoundError):
        ibm.vpc().get_vpc(iid=IID(name_id="", system_id="r006-00000000-0000-4000-8000-000000000000"))
