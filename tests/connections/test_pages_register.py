"""Registering a connection from the dashboard: provider fields, secrets kept out of pages, all-or-nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connections import services
from connections.models import CloudDriver, Connection, Credential, Region
from drivers import registry
from drivers.mock import MockDriver
from drivers.types import FieldSpec
from tests.connections.pages import text
from tests.factories import make_credential, make_region

pytestmark = pytest.mark.django_db

SECRET = "sk-live-9f1e27c3a4"


class SecretMockDriver(MockDriver):
    """The mock cloud asking for a secret next to the tenant name, as real clouds do."""

    name = "vault"
    label = "Mock cloud with an API key"
    credential_fields = (*MockDriver.credential_fields, FieldSpec(name="ApiKey", label="API key", secret=True))


@pytest.fixture
def vault(monkeypatch, settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(registry, "BUILTIN", {**registry.BUILTIN, "vault": f"{__name__}:SecretMockDriver"})
    registry.configure({**settings.SPIDERWEB_DRIVER_OPTIONS, "vault": settings.SPIDERWEB_DRIVER_OPTIONS["mock"]})
    yield
    registry.configure(settings.SPIDERWEB_DRIVER_OPTIONS)


def form(**changes: str) -> dict[str, str]:
    body = {
        "provider": "vault",
        "name": "vault-mars-z1",
        "credential": "",
        "credential_name": "vault-key",
        "cred.MockName": "tenant-a",
        "cred.ApiKey": SECRET,
        "region": "",
        "region_name": "vault-mars-z1",
        "place.region": "mars",
        "place.zone": "mars-z1",
        "option.latency_ms": "",
    }
    body.update(changes)
    return body


def counts() -> tuple[int, int, int, int]:
    return (CloudDriver.objects.count(), Credential.objects.count(), Region.objects.count(), Connection.objects.count())


def test_provider_fields_are_swapped_in_with_secrets_as_password_inputs(client, staff, vault) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/connections/new/")
    assert page.status_code == 200 and "Mock cloud with an API key" in page.content.decode()
    fields = client.get("/connections/new/", {"provider": "vault"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="provider-fields"' in fields and "<html" not in fields
    assert 'type="password" name="cred.ApiKey"' in fields
    assert 'name="cred.MockName"' in fields and 'name="place.zone"' in fields and 'name="option.down"' in fields


def test_register_creates_everything_encrypts_and_never_shows_the_secret(client, staff, vault) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/connections/new/", form(), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Connection vault-mars-z1 registered." in page and 'class="highlight"' in page
    connection = Connection.objects.select_related("credential", "region", "driver").get(name="vault-mars-z1")
    assert (connection.provider, connection.region.zone, connection.driver.provider) == ("vault", "mars-z1", "vault")
    assert SECRET not in connection.credential.encrypted_values
    assert services.credential_values(credential=connection.credential) == {"MockName": "tenant-a", "ApiKey": SECRET}
    for url in (
        "/connections/",
        "/connections/parts/",
        "/connections/credentials/vault-key/edit/",
        "/connections/vault-mars-z1/edit/",
    ):
        assert SECRET not in client.get(url).content.decode()
    # A second registration reuses the driver record and the chosen existing parts.
    client.post(
        "/connections/new/",
        {"provider": "vault", "name": "second", "credential": "vault-key", "region": "vault-mars-z1"},
    )
    assert Connection.objects.get(name="second").credential == connection.credential
    assert CloudDriver.objects.filter(provider="vault").count() == 1


def test_missing_required_field_is_shown_next_to_it_and_nothing_is_created(client, staff, vault) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    response = client.post("/connections/new/", form(**{"cred.MockName": "", "option.latency_ms": "-5"}))
    assert response.status_code == 200
    page = text(response)
    assert "'MockName' (Tenant name) must not be empty" in page
    assert page.index("must not be empty") > page.index('name="cred.MockName"')
    assert "at least 0" in page  # the region's options were checked in the same pass
    assert SECRET not in page and "enter them again" in page
    assert 'value="vault-mars-z1"' in page  # what was typed comes back, except secrets
    assert counts() == before


def test_duplicate_connection_name_leaves_no_new_credential_or_region(client, staff, vault) -> None:  # type: ignore[no-untyped-def]
    client.post("/connections/new/", form())
    before = counts()
    response = client.post("/connections/new/", form(credential_name="other-key", region_name="other-region"))
    page = text(response)
    assert response.status_code == 200
    assert "a connection named 'vault-mars-z1' already exists" in page
    assert counts() == before
    assert not Credential.objects.filter(name="other-key").exists()


def test_bad_names_and_wrong_provider_parts_are_refused(client, staff) -> None:  # type: ignore[no-untyped-def]
    make_credential(name="mock-key")
    make_region(name="mock-mars")
    before = counts()
    page = client.post(
        "/connections/new/", {"provider": "mock", "name": "bad name", "credential": "mock-key", "region": "mock-mars"}
    ).content.decode()
    assert "Use 1-100 letters, digits" in page
    page = client.post(
        "/connections/new/", {"provider": "mock", "name": "ok", "credential": "nope", "region": "mock-mars"}
    )
    assert "no mock credential named 'nope'" in text(page)
    page = client.post("/connections/new/", {"provider": "ghost", "name": "ok"}).content.decode()
    assert "Pick one of the installed providers." in page
    assert counts() == before


def test_non_staff_see_no_form_and_cannot_post(client, user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user)
    page = client.get("/connections/new/").content.decode()
    assert "Only staff users can register connections." in page and '<form method="post"' not in page
    assert client.post("/connections/new/", {"provider": "mock", "name": "x"}).status_code == 403
    assert not Connection.objects.exists()


def test_the_aws_provider_offers_its_fields_with_secrets_as_password_inputs(client, staff) -> None:  # type: ignore[no-untyped-def]
    page = text(client.get("/connections/new/", {"provider": "aws"}, HTTP_HX_REQUEST="true"))
    assert 'type="password" name="cred.ClientSecret"' in page and 'type="password" name="cred.SessionToken"' in page
    assert 'type="text" name="cred.ClientId"' in page and 'id="id-cred.EndpointURL"' in page


@pytest.mark.parametrize(
    ("provider", "secret", "plain"),
    [("gcp", "PrivateKey", "ProjectID"), ("azure", "ClientSecret", "SubscriptionId")],
)
def test_gcp_and_azure_offer_their_fields_with_secrets_as_password_inputs(  # type: ignore[no-untyped-def]
    client, staff, provider: str, secret: str, plain: str
) -> None:
    page = text(client.get("/connections/new/", {"provider": provider}, HTTP_HX_REQUEST="true"))
    assert f'type="password" name="cred.{secret}"' in page
    assert f'type="text" name="cred.{plain}"' in page
