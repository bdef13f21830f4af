"""Credential values are encrypted at rest, rotatable, and never shown by API, admin, errors or logs."""

from __future__ import annotations

import logging
import stat

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db
from django.test import override_settings

from connections import crypto, services
from connections.models import Credential
from tests.factories import make_connection, make_credential

pytestmark = pytest.mark.django_db

SECRET = "plain-tenant-name-7781"


def raw_row(name: str) -> str:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Credential._meta.db_table} WHERE name = %s", [name])
        return " ".join(str(column) for column in cursor.fetchone())


def test_database_row_does_not_hold_the_value_in_plain_text() -> None:
    make_credential(name="enc", values={"MockName": SECRET})
    row = raw_row("enc")
    assert SECRET not in row
    assert "MockName" in row  # the key names are readable, only values are sealed
    assert services.credential_values(credential=Credential.objects.get(name="enc")) == {"MockName": SECRET}


def test_generated_key_file_is_private_and_reused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    key_file = tmp_path / "credential.key"
    with override_settings(SPIDERWEB_CREDENTIAL_KEYS=[], SPIDERWEB_CREDENTIAL_KEY_FILE=key_file):
        token = crypto.encrypt_values({"k": "v"})
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        Fernet(key_file.read_text().strip().encode())  # a valid Fernet key
        assert crypto.decrypt_values(token) == {"k": "v"}


def test_rotation_reencrypts_under_the_newest_key_and_old_key_can_then_go() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(SPIDERWEB_CREDENTIAL_KEYS=[old]):
        make_credential(name="rot", values={"MockName": SECRET})
    with override_settings(SPIDERWEB_CREDENTIAL_KEYS=[new, old]):
        call_command("reencrypt_credentials")
    with override_settings(SPIDERWEB_CREDENTIAL_KEYS=[new]):
        assert services.credential_values(credential=Credential.objects.get(name="rot")) == {"MockName": SECRET}
    with override_settings(SPIDERWEB_CREDENTIAL_KEYS=[old]), pytest.raises(crypto.CredentialKeyError):
        services.credential_values(credential=Credential.objects.get(name="rot"))


def test_wrong_key_gives_a_clear_error_on_open_not_a_crash(api) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(name="sealed")
    with override_settings(SPIDERWEB_CREDENTIAL_KEYS=[Fernet.generate_key().decode()]):
        response = api.post(f"/api/v1/connections/{connection.name}/verify/")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "misconfigured"
    assert response.json()["error"]["field"] == "credential"
    assert "decrypt" in response.json()["error"]["message"]


def test_admin_pages_never_show_values(client, django_user_model) -> None:  # type: ignore[no-untyped-def]
    make_credential(name="adm", values={"MockName": SECRET})
    admin = django_user_model.objects.create_superuser(username="root", password="pw-123-abc!")
    client.force_login(admin)
    pk = Credential.objects.get(name="adm").pk
    for url in ("/admin/connections/credential/", f"/admin/connections/credential/{pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert SECRET not in page
        assert Credential.objects.get(pk=pk).encrypted_values not in page


def test_logs_and_errors_never_carry_values(api, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    api.post(
        "/api/v1/credentials/", {"name": "logged", "provider": "mock", "values": {"MockName": SECRET}}, format="json"
    )
    bad = api.post(
        "/api/v1/credentials/",
        {"name": "bad", "provider": "mock", "values": {"MockName": SECRET, "Extra": SECRET + "x"}},
        format="json",
    )
    assert bad.status_code == 400
    assert SECRET not in bad.content.decode()
    assert SECRET not in caplog.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("provider", ["gcp", "azure"])
def test_cloud_secrets_stay_out_of_answers_logs_and_failed_verifies(api, caplog, provider: str) -> None:  # type: ignore[no-untyped-def]
    """A GCP private key or an Azure client secret goes in once; no answer, log line or cloud refusal
    (a verify the fake cloud turns down) ever carries it back."""
    caplog.set_level(logging.DEBUG)
    if provider == "gcp":
        from tests.drivers.gcp.support import connection_info, fake_cloud

        values, secret, cloud = dict(connection_info().credential), "", fake_cloud()
        secret = values["PrivateKey"].splitlines()[1]  # a line of the key's body
        values["ProjectID"] = "not-my-project-99"  # the fake refuses this project
    else:
        from tests.drivers.azure.fake import FakeAzure

        fake = FakeAzure()
        values = {**fake.credential(), "ClientSecret": "wrong-secret-value-4412"}  # the fake refuses it
        secret, cloud = values["ClientSecret"], fake.running()
    with cloud:
        created = api.post(
            "/api/v1/credentials/", {"name": "cloud-cred", "provider": provider, "values": values}, format="json"
        )
        assert created.status_code == 201, created.json()
        region = "us-central1" if provider == "gcp" else "koreacentral"
        assert (
            api.post(
                "/api/v1/regions/", {"name": "cloud-reg", "provider": provider, "region": region}, format="json"
            ).status_code
            == 201
        )
        assert (
            api.post("/api/v1/drivers/", {"name": "cloud-drv", "provider": provider}, format="json").status_code == 201
        )
        assert (
            api.post(
                "/api/v1/connections/",
                {"name": "cloud-conn", "driver": "cloud-drv", "credential": "cloud-cred", "region": "cloud-reg"},
                format="json",
            ).status_code
            == 201
        )
        verified = api.post("/api/v1/connections/cloud-conn/verify/", format="json")
        answers = [created, api.get("/api/v1/credentials/cloud-cred/"), verified]
    assert verified.status_code in (400, 422), verified.json()
    assert verified.json()["error"]["code"] in ("auth_failed", "invalid_request"), verified.json()
    for answer in answers:
        assert secret not in answer.content.decode()
    assert secret not in caplog.text
    assert secret not in raw_row("cloud-cred")
