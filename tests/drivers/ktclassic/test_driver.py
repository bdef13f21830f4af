"""The driver's description, connect() checks, verify(), and what the fake's signature check refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.errors import AuthError, FieldError, NotSupportedError
from drivers.ktclassic import KTClassicConnection, KTClassicDriver
from tests.drivers.ktclassic.fake import FakeKT
from tests.drivers.ktclassic.support import connection_info


def test_secret_key_is_the_only_secret_field() -> None:
    fields = {spec.name: spec.secret for spec in KTClassicDriver.credential_fields}
    assert fields == {"ClientId": False, "ClientSecret": True}
    assert [spec.name for spec in KTClassicDriver.region_fields] == ["region", "zone"]


def test_zone_is_taken_by_id_or_by_name_and_must_be_in_the_region() -> None:
    driver = KTClassicDriver()
    assert driver.connect(connection_info(zone="KOR-Seoul M2")) is not None
    with pytest.raises(FieldError) as caught:
        driver.connect(connection_info(region="KOR-Central", zone="KOR-Seoul M2"))
    assert caught.value.field == "zone"
    with pytest.raises(FieldError) as caught:
        driver.connect(connection_info(zone="Atlantis 1"))
    assert caught.value.field == "zone"


def test_a_bad_secret_key_is_named_neither_in_the_error_nor_in_repr() -> None:
    with pytest.raises(FieldError) as caught:
        KTClassicDriver().connect(connection_info(ClientSecret=""))
    assert caught.value.field == "ClientSecret"
    conn = KTClassicDriver().connect(connection_info())
    assert "secret" not in repr(conn._client).lower()


def test_verify_lists_the_zones(kt: KTClassicConnection, fake: FakeKT) -> None:
    kt.verify()
    assert fake.commands() == ["listZones"]


def test_a_wrong_secret_key_fails_the_signature_check(fake: FakeKT) -> None:
    conn = KTClassicDriver().connect(connection_info(ClientSecret="not-the-secret"))
    with pytest.raises(AuthError) as caught:
        conn.verify()
    assert "request signature" in caught.value.provider_message
    assert fake.commands() == []  # refused before the command ran


def test_an_unknown_api_key_is_refused(fake: FakeKT) -> None:
    conn = KTClassicDriver().connect(connection_info(ClientId="someone-else"))
    with pytest.raises(AuthError):
        conn.verify()


def test_families_the_platform_lacks_say_why(kt: KTClassicConnection) -> None:
    with pytest.raises(NotSupportedError) as caught:
        kt.price()
    assert "web site" in str(caught.value)
    with pytest.raises(NotSupportedError) as caught:
        kt.cluster()
    assert "Kubernetes" in str(caught.value)


def test_describing_the_driver_touches_no_storage(tmp_path: Path) -> None:
    path = tmp_path / "state" / "kt.sqlite3"
    driver = KTClassicDriver(store_url=f"sqlite:///{path}")
    assert driver.capabilities.supports("vm") and not path.exists()
    driver.connect(connection_info())
    assert path.exists()


def test_verify_checks_the_region_of_an_unknown_zone_id(fake: FakeKT, driver: KTClassicDriver) -> None:
    # A zone id the driver has no table entry for is checked against listZones' answer.
    fake.handlers["listZones"] = lambda _fake, _args: {
        "count": 1,
        "zone": [{"id": "0b7e0000-0000-4000-8000-000000000001", "name": "KOR-Busan A", "allocationstate": "Enabled"}],
    }
    conn = driver.connect(connection_info(region="KOR-Seoul", zone="0b7e0000-0000-4000-8000-000000000001"))
    with pytest.raises(FieldError) as caught:
        conn.verify()
    assert caught.value.field == "region"
