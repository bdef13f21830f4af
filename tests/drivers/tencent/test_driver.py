"""The Tencent driver as Spiderweb shows it: registry, provider catalogue and registration form."""

from __future__ import annotations

import pytest

from drivers import registry
from drivers.tencent import TencentDriver


def test_the_registry_builds_the_tencent_driver() -> None:
    driver = registry.get_driver("tencent")
    assert isinstance(driver, TencentDriver) and driver.label == "Tencent Cloud"
    assert "tencent" in registry.driver_names()


def test_capabilities_declare_every_family_but_per_disk_metrics() -> None:
    capabilities = TencentDriver.capabilities
    assert not [family for family, offered in capabilities.to_dict().items() if offered is False]
    assert capabilities.anycall_fids == ("getVncUrl",)
    assert capabilities.unsupported == {
        "monitoring.disk_read",
        "monitoring.disk_write",
        "monitoring.disk_read_ops",
        "monitoring.disk_write_ops",
    }
    assert "QCE/BLOCK_STORAGE" in capabilities.notes["monitoring.disk_read"]
    assert "STOP_CHARGING" in capabilities.notes["vm.suspend"]
    assert len(capabilities.tag_kinds) == 9


@pytest.mark.django_db
def test_the_provider_catalogue_lists_tencent_with_its_fields(api) -> None:  # type: ignore[no-untyped-def]
    providers = {p["name"]: p for p in api.get("/api/v1/providers/").json()}
    tencent = providers["tencent"]
    assert [(f["name"], f["secret"]) for f in tencent["credential_fields"]] == [
        ("SecretId", False),
        ("SecretKey", True),
    ]
    assert [f["name"] for f in tencent["region_fields"]] == ["region", "zone"]
    assert [f["name"] for f in tencent["region_options"]] == ["currency"]
    assert tencent["capabilities"]["cluster"] is True and tencent["capabilities"]["anycall_fids"] == ["getVncUrl"]


@pytest.mark.django_db
def test_the_registration_form_offers_tencent_with_the_key_as_a_password(client, django_user_model) -> None:  # type: ignore[no-untyped-def]
    client.force_login(django_user_model.objects.create_user(username="ops-tc", password="pw-1-x!", is_staff=True))
    assert "Tencent Cloud" in client.get("/connections/new/").content.decode()
    fields = client.get("/connections/new/", {"provider": "tencent"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'type="password" name="cred.SecretKey"' in fields
    assert 'name="cred.SecretId"' in fields and 'name="option.currency"' in fields
