"""The GCP driver's description, connect-time validation and verify."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from drivers.capabilities import FAMILIES
from drivers.errors import AuthError, FieldError, NotSupportedError
from drivers.gcp import CAPABILITIES, GCPConnection, GCPDriver
from drivers.registry import BUILTIN
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.support import PROJECT, connection_info, pem


def test_the_form_fields_mark_the_secret() -> None:
    fields = {spec.name: spec for spec in GCPDriver.credential_fields}
    assert list(fields) == ["ProjectID", "ClientEmail", "PrivateKey"]
    assert [name for name, spec in fields.items() if spec.secret] == ["PrivateKey"]
    assert all(spec.required for spec in fields.values())
    assert [(spec.name, spec.required) for spec in GCPDriver.region_fields] == [("region", True), ("zone", False)]
    assert GCPDriver.name == "gcp" and GCPDriver.label == "Google Cloud"
    assert BUILTIN["gcp"] == "drivers.gcp:GCPDriver"


def test_meta_families_are_offered_and_the_others_explained() -> None:
    assert CAPABILITIES.handlers >= {"region_zone", "image", "vm_spec", "price"}
    for family in set(FAMILIES) - CAPABILITIES.handlers:
        assert CAPABILITIES.notes[family] == "The GCP driver does not offer it yet."
    for operation in CAPABILITIES.unsupported:
        assert operation in CAPABILITIES.notes, f"{operation} is refused without a reason"


def test_what_is_not_offered_is_refused_before_any_call(fake: FakeGCP, gcp: GCPConnection) -> None:
    for family in sorted(set(FAMILIES) - CAPABILITIES.handlers):
        with pytest.raises(NotSupportedError) as caught:
            getattr(gcp, family)()
        assert "does not offer it yet" in str(caught.value)
    assert fake.calls == []


@pytest.mark.parametrize(
    ("credential", "region", "zone", "field"),
    [
        ({"ProjectID": "Bad_Project"}, "us-central1", "", "ProjectID"),
        ({"ProjectID": "p1"}, "us-central1", "", "ProjectID"),
        ({"ClientEmail": "not-an-email"}, "us-central1", "", "ClientEmail"),
        ({"PrivateKey": "secret-but-not-a-key"}, "us-central1", "", "PrivateKey"),
        (
            {"PrivateKey": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"},
            "us-central1",
            "",
            "PrivateKey",
        ),
        ({}, "Central US", "", "region"),
        ({}, "us-central1", "europe-west1-b", "zone"),
        ({}, "us-central1", "us-central1", "zone"),
        ({"PrivateKey": ""}, "us-central1", "", "PrivateKey"),
    ],
)
def test_connect_refuses_bad_values_naming_the_field(
    credential: dict[str, str], region: str, zone: str, field: str
) -> None:
    with pytest.raises(FieldError) as caught:
        GCPDriver().connect(connection_info(region=region, zone=zone, **credential))
    assert caught.value.field == field
    assert "secret-but-not-a-key" not in str(caught.value)
    assert "AAAA" not in str(caught.value)


@pytest.mark.parametrize("newline", ["\\n", "", " "], ids=["escaped", "dropped", "spaces"])
def test_connect_takes_a_key_whose_newlines_were_escaped_or_lost(fake: FakeGCP, newline: str) -> None:
    # The JSON key file escapes them; a one-line password input of a form drops them.
    flattened = pem().strip().replace("\n", newline)
    conn = GCPDriver().connect(connection_info(PrivateKey=flattened, zone="us-central1-b"))
    conn.verify()
    conn.close()
    assert fake.calls[0] == "POST /token"


def test_connect_does_no_io(fake: FakeGCP) -> None:
    GCPDriver().connect(connection_info()).close()
    assert fake.calls == []


def test_verify_proves_key_project_and_region(fake: FakeGCP, gcp: GCPConnection) -> None:
    gcp.verify()
    assert fake.calls == ["POST /token", f"GET /compute/v1/projects/{PROJECT}/regions/us-central1"]


def test_verify_names_an_unknown_region(fake: FakeGCP) -> None:
    conn = GCPDriver().connect(connection_info(region="mars-north1"))
    with pytest.raises(FieldError) as caught:
        conn.verify()
    assert caught.value.field == "region"
    assert "was not found" in caught.value.provider_message


def test_verify_names_a_zone_the_region_lacks(fake: FakeGCP) -> None:
    conn = GCPDriver().connect(connection_info(zone="us-central1-z"))
    with pytest.raises(FieldError) as caught:
        conn.verify()
    assert caught.value.field == "zone"


def test_verify_names_an_unknown_project(fake: FakeGCP) -> None:
    conn = GCPDriver().connect(connection_info(ProjectID="no-such-project"))
    with pytest.raises(FieldError) as caught:
        conn.verify()
    assert caught.value.field == "ProjectID"


def test_verify_refuses_a_project_the_account_may_not_use(fake: FakeGCP) -> None:
    fake.add_project("someone-elses-project")
    conn = GCPDriver().connect(connection_info(ProjectID="someone-elses-project"))
    with pytest.raises(AuthError) as caught:
        conn.verify()
    assert "permission" in caught.value.provider_message


def test_verify_refuses_a_key_google_does_not_know(fake: FakeGCP) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    conn = GCPDriver().connect(connection_info(PrivateKey=pem(other)))
    with pytest.raises(AuthError) as caught:
        conn.verify()
    assert "Invalid JWT Signature" in caught.value.provider_message
    assert fake.calls == ["POST /token"]


def test_verify_refuses_an_account_google_does_not_know(fake: FakeGCP) -> None:
    conn = GCPDriver().connect(connection_info(ClientEmail=f"ghost@{PROJECT}.iam.gserviceaccount.com"))
    with pytest.raises(AuthError) as caught:
        conn.verify()
    assert "account not found" in caught.value.provider_message
