"""botocore failures -> the driver error tree: constructed answers, and real ones from the emulator."""

from __future__ import annotations

import socket

import boto3
import pytest
from botocore.exceptions import ClientError

from drivers.aws import AWSConnection, AWSDriver
from drivers.aws._errors import from_client_error, translate
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
    ThrottlingError,
    UnreachableError,
)
from drivers.types import IID, KeyPairReqInfo
from tests.drivers.aws import emulator


def _client_error(code: str, message: str = "AWS says no", status: int = 400, **headers: str) -> ClientError:
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers},
    }
    return ClientError(response, "CreateVpc")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("InvalidVpcID.NotFound", 400, NotFoundError),
        ("InvalidGroup.NotFound", 400, NotFoundError),
        ("InvalidKeyPair.NotFound", 400, NotFoundError),
        ("InvalidInstanceID.NotFound", 400, NotFoundError),
        ("InvalidKeyPair.Duplicate", 400, AlreadyExistsError),
        ("InvalidGroup.Duplicate", 400, AlreadyExistsError),
        ("DependencyViolation", 400, DependencyError),
        ("InvalidParameterValue", 400, InvalidRequestError),
        ("InvalidSubnet.Range", 400, InvalidRequestError),
        ("InvalidVpcID.Malformed", 400, InvalidRequestError),
        ("IncorrectInstanceState", 400, InvalidStateError),
        ("VpcLimitExceeded", 400, QuotaError),
        ("AuthFailure", 401, AuthError),
        ("UnauthorizedOperation", 403, AuthError),
        ("InvalidClientTokenId", 403, AuthError),
        ("SignatureDoesNotMatch", 403, AuthError),
        ("InternalError", 500, ProviderError),
        ("SomethingNew", 503, ProviderError),
    ],
)
def test_codes_map_to_the_error_tree_keeping_the_aws_message(
    code: str, status: int, expected: type[DriverError]
) -> None:
    error = from_client_error(_client_error(code, "The vpc 'vpc-1' has dependencies.", status), field="ipv4_cidr")
    assert type(error) is expected
    assert error.provider_message == "The vpc 'vpc-1' has dependencies."
    assert "The vpc 'vpc-1' has dependencies." in str(error)
    assert code in str(error)


@pytest.mark.parametrize("code", ["Throttling", "RequestLimitExceeded", "ThrottlingException"])
def test_throttling_is_transient_with_a_retry_hint(code: str) -> None:
    error = from_client_error(_client_error(code, "Rate exceeded"))
    assert isinstance(error, ThrottlingError) and error.retry_after and error.retry_after > 0
    hinted = from_client_error(_client_error(code, "Rate exceeded", **{"retry-after": "7"}))
    assert isinstance(hinted, ThrottlingError) and hinted.retry_after == 7.0


def test_bad_input_errors_name_the_field_given() -> None:
    with pytest.raises(InvalidRequestError) as caught, translate(field="subnets[0].ipv4_cidr"):
        raise _client_error("InvalidSubnet.Range", "The CIDR '10.9.0.0/24' is invalid.")
    assert caught.value.field == "subnets[0].ipv4_cidr"


def test_an_endpoint_nobody_listens_on_is_unreachable() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conn = AWSDriver().connect(emulator.connection_info(EndpointURL=f"http://127.0.0.1:{port}"))
    with pytest.raises(UnreachableError):
        conn.verify()


def _raw_ec2(moto_url: str) -> object:
    return boto3.client(
        "ec2", region_name="us-east-1", endpoint_url=moto_url, aws_access_key_id="AKIAX", aws_secret_access_key="x"
    )


def test_emulator_duplicate_key_pair_is_already_exists(aws: AWSConnection, moto_url: str) -> None:
    aws.key_pair().create_key_pair(req=KeyPairReqInfo(name="dup"))
    ec2 = _raw_ec2(moto_url)
    with pytest.raises(AlreadyExistsError) as caught, translate():
        ec2.create_key_pair(KeyName="dup")  # type: ignore[attr-defined]
    assert "dup" in caught.value.provider_message


def test_emulator_missing_vpc_is_not_found(aws: AWSConnection, moto_url: str) -> None:
    ec2 = _raw_ec2(moto_url)
    with pytest.raises(NotFoundError) as caught, translate():
        ec2.describe_vpcs(VpcIds=["vpc-0123456789abcdef0"])  # type: ignore[attr-defined]
    assert "vpc-0123456789abcdef0" in caught.value.provider_message
    with pytest.raises(NotFoundError):
        aws.vpc().get_vpc(iid=IID(name_id="", system_id="vpc-0123456789abcdef0"))


def test_emulator_vpc_with_a_subnet_is_a_dependency_violation(aws: AWSConnection, moto_url: str) -> None:
    ec2 = _raw_ec2(moto_url)
    vpc_id = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]  # type: ignore[attr-defined]
    ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.1.1.0/24")  # type: ignore[attr-defined]
    with pytest.raises(DependencyError) as caught, translate():
        ec2.delete_vpc(VpcId=vpc_id)  # type: ignore[attr-defined]
    assert caught.value.code == "in_use" and caught.value.provider_message


def test_a_region_the_endpoint_cannot_serve_is_a_provider_error(moto_url: str) -> None:
    # moto answers an unknown region with an HTML error page rather than AWS's XML.
    conn = AWSDriver().connect(emulator.connection_info(region="mars-north-1"))
    with pytest.raises(ProviderError):
        conn.verify()


def test_an_unknown_credential_is_an_auth_failure(aws: AWSConnection) -> None:
    with emulator.checking_credentials():
        with pytest.raises(AuthError) as caught:
            aws.verify()
        assert caught.value.code == "auth_failed" and caught.value.provider_message
        with pytest.raises(AuthError):
            aws.vpc().list_vpcs()
    assert aws.vpc().list_vpcs() == []
