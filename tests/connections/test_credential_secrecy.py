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
    api.post("/api/v1/credentials/", {"name": "logged", "provider": "mock", "values": {"MockName": SECRET}},
             format="json")
    bad = api.post("/api/v1/credentials/",
                   {"name": "bad", "provider": "mock", "values": {"MockName": SECRET, "Extra": SECRET + "x"}},
                   format="json")
    assert bad.status_code == 400
    assert SECRET not in bad.content.decode()
    assert SECRET not in caplog.text
