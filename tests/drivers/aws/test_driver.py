"""The AWS driver's description, connect-time validation, verify and the clients it keeps."""

from __future__ import annotations

import pytest

from drivers.aws import CAPABILITIES, AWSConnection, AWSDriver
from drivers.capabilities import FAMILIES
from drivers.errors import FieldError
from tests.drivers.aws import emulator


def test_the_form_fields_mark_the_secrets() -> None:
    fields = {spec.name: spec for spec in AWSDriver.credential_fields}
    assert list(fields) == ["ClientId", "ClientSecret", "SessionToken", "EndpointURL"]
    assert [name for name, spec in fields.items() if spec.secret] == ["ClientSecret", "SessionToken"]
    assert [name for name, spec in fields.items() if not spec.required] == ["SessionToken", "EndpointURL"]
    assert [spec.name for spec in AWSDriver.region_fields] == ["region", "zone"]


def test_every_family_is_declared_and_the_gaps_are_explained() -> None:
    assert CAPABILITIES.handlers == frozenset(FAMILIES)
    for operation in CAPABILITIES.unsupported:
        assert operation in CAPABILITIES.notes, f"{operation} is refused without a reason"


@pytest.mark.parametrize(
    ("credential", "region", "zone", "field"),
    [
        ({"EndpointURL": "127.0.0.1:5000"}, "us-east-1", "", "EndpointURL"),
        ({}, "us-east-1", "eu-west-1a", "zone"),
        ({"ClientSecret": ""}, "us-east-1", "", "ClientSecret"),
    ],
)
def test_connect_refuses_bad_values_naming_the_field(
    credential: dict[str, str], region: str, zone: str, field: str
) -> None:
    with pytest.raises(FieldError) as caught:
        AWSDriver().connect(emulator.connection_info(region=region, zone=zone, **credential))
    assert caught.value.field == field
    assert "emulator-secret" not in str(caught.value)


def test_verify_proves_credential_and_region(aws: AWSConnection) -> None:
    aws.verify()


def test_clients_are_made_once_per_connection_and_released_on_close(aws: AWSConnection) -> None:
    clients = aws._clients
    assert clients.ec2() is clients.ec2()
    assert clients.ec2("eu-west-1") is not clients.ec2()
    aws.vpc().list_vpcs()
    aws.key_pair().list_key_pairs()
    assert len(clients._clients) == 2
    assert clients.ec2().meta.endpoint_url == clients.endpoint_url
    aws.close()
    assert clients._clients == {}
