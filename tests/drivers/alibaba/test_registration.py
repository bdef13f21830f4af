"""Alibaba Cloud as users meet it: in the providers API, on the registration form, and a refused
AccessKey whose secret never comes back in an answer or a log line."""

from __future__ import annotations

import logging

import pytest

from tests.connections.pages import text
from tests.drivers.alibaba.support import connection_info, fake_cloud

API = "/api/v1"


@pytest.mark.django_db
def test_the_providers_api_lists_alibaba_with_its_fields(api) -> None:  # type: ignore[no-untyped-def]
    providers = {p["name"]: p for p in api.get(f"{API}/providers/").json()}
    alibaba = providers["alibaba"]
    assert alibaba["label"] == "Alibaba Cloud"
    assert [(f["name"], f["secret"]) for f in alibaba["credential_fields"]] == [
        ("AccessKeyId", False),
        ("AccessKeySecret", True),
    ]
    assert [f["name"] for f in alibaba["region_fields"]] == ["region", "zone"]
    capabilities = alibaba["capabilities"]
    assert all(capabilities[family] for family in ("vm", "nlb", "cluster", "monitoring", "price", "tag"))
    assert set(capabilities["tag_kinds"]) == {
        "vpc",
        "subnet",
        "security_group",
        "key_pair",
        "vm",
        "disk",
        "my_image",
        "nlb",
        "cluster",
    }


@pytest.mark.django_db
def test_the_registration_form_asks_for_the_secret_as_a_password(client, django_user_model) -> None:  # type: ignore[no-untyped-def]
    staff = django_user_model.objects.create_user(username="ops-ali", password="pw-1-x!", is_staff=True)
    client.force_login(staff)
    page = text(client.get("/connections/new/", {"provider": "alibaba"}, HTTP_HX_REQUEST="true"))
    assert 'type="password" name="cred.AccessKeySecret"' in page
    assert 'type="text" name="cred.AccessKeyId"' in page


@pytest.mark.django_db(transaction=True)
def test_a_refused_secret_stays_out_of_answers_and_logs(api, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    secret = "WrongSecretNobodyMayRead77"
    values = {**connection_info().credential, "AccessKeySecret": secret}
    with fake_cloud(quick_polls=True):
        created = api.post(
            f"{API}/credentials/", {"name": "ali-cred", "provider": "alibaba", "values": values}, format="json"
        )
        assert created.status_code == 201, created.json()
        for path, body in (
            ("regions/", {"name": "ali-reg", "provider": "alibaba", "region": "cn-hangzhou"}),
            ("drivers/", {"name": "ali-drv", "provider": "alibaba"}),
            ("connections/", {"name": "ali-conn", "driver": "ali-drv", "credential": "ali-cred", "region": "ali-reg"}),
        ):
            assert api.post(f"{API}/{path}", body, format="json").status_code == 201
        verified = api.post(f"{API}/connections/ali-conn/verify/", format="json")
    assert verified.json()["error"]["code"] == "auth_failed", verified.json()
    assert "SignatureDoesNotMatch" in verified.json()["error"]["message"]
    for answer in (created, api.get(f"{API}/credentials/ali-cred/"), verified):
        assert secret not in answer.content.decode()
    assert secret not in caplog.text
