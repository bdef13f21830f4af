"""Both NCP providers reach users: the providers catalogue and the connection registration form."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_providers_catalogue_lists_both_platforms(api) -> None:  # type: ignore[no-untyped-def]
    providers = {p["name"]: p for p in api.get("/api/v1/providers/").json()}
    ncp, classic = providers["ncp"], providers["ncpclassic"]
    for provider in (ncp, classic):
        assert [(f["name"], f["secret"]) for f in provider["credential_fields"]] == [
            ("AccessKey", False),
            ("SecretKey", True),
        ]
        assert [f["name"] for f in provider["region_fields"]] == ["region", "zone"]
    assert ncp["capabilities"]["vpc"] is True and ncp["capabilities"]["nlb"] is True
    assert classic["capabilities"]["vpc"] is False and "zone" in classic["capabilities"]["notes"]["vpc"]
    assert classic["capabilities"]["tag_kinds"] == ["vm"]
    assert "monitoring.disk_read_ops" in ncp["capabilities"]["unsupported"]


def test_the_registration_form_offers_both_with_a_secret_input(client, django_user_model) -> None:  # type: ignore[no-untyped-def]
    client.force_login(django_user_model.objects.create_user(username="ops-ncp", password="pw-1-x!", is_staff=True))
    page = client.get("/connections/new/").content.decode()
    assert "NCP (VPC)" in page and "NCP Classic" in page
    fields = client.get("/connections/new/", {"provider": "ncpclassic"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'type="password" name="cred.SecretKey"' in fields and 'name="cred.AccessKey"' in fields
