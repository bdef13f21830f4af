"""IBM Cloud in the product: the providers catalogue, the registration form, a refused key kept out of
every answer and log, and the inventory listing what was made outside Spiderweb."""

from __future__ import annotations

import logging
import uuid

import pytest
from django.db import connection as db

from connections import services
from connections.models import Credential
from drivers.registry import get_driver
from drivers.types import KeyPairReqInfo, VPCReqInfo
from resources.inventory.refresh import inventory_refresh_pair
from resources.models import Freshness, Resource
from tests.connections.pages import text
from tests.drivers.ibm.support import connection_info, quick_fake_cloud
from tests.factories import make_driver, unique

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_catalogue_lists_ibm_with_its_fields_and_what_it_cannot_do(api) -> None:  # type: ignore[no-untyped-def]
    ibm = api.get("/api/v1/providers/ibm/").json()
    assert ibm["label"] == "IBM Cloud VPC"
    assert [(f["name"], f["secret"]) for f in ibm["credential_fields"]] == [("ApiKey", True)]
    assert [f["name"] for f in ibm["region_fields"]] == ["region", "zone"]
    capabilities = ibm["capabilities"]
    assert capabilities["vm"] and capabilities["nlb"] and capabilities["tag"] and capabilities["price"]
    assert not capabilities["cluster"] and not capabilities["monitoring"]
    assert "ConfigMap" in capabilities["notes"]["cluster"] and "Monitoring" in capabilities["notes"]["monitoring"]
    assert "ibm" in {p["name"] for p in api.get("/api/v1/providers/").json()}


def test_the_registration_form_asks_for_the_key_as_a_password(client, django_user_model) -> None:  # type: ignore[no-untyped-def]
    staff = django_user_model.objects.create_user(
        username=f"ops-{uuid.uuid4().hex[:6]}", password="pw-1-x!", is_staff=True
    )
    client.force_login(staff)
    page = text(client.get("/connections/new/", {"provider": "ibm"}, HTTP_HX_REQUEST="true"))
    assert 'type="password" name="cred.ApiKey"' in page


def test_a_refused_key_stays_out_of_answers_logs_and_the_database(api, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    key = "Wrong-Key_0451-not-known-to-iam"
    with quick_fake_cloud():
        created = api.post(
            "/api/v1/credentials/", {"name": "ibm-cred", "provider": "ibm", "values": {"ApiKey": key}}, format="json"
        )
        assert created.status_code == 201, created.json()
        api.post("/api/v1/regions/", {"name": "ibm-reg", "provider": "ibm", "region": "us-south"}, format="json")
        api.post("/api/v1/drivers/", {"name": "ibm-drv", "provider": "ibm"}, format="json")
        api.post(
            "/api/v1/connections/",
            {"name": "ibm-conn", "driver": "ibm-drv", "credential": "ibm-cred", "region": "ibm-reg"},
            format="json",
        )
        verified = api.post("/api/v1/connections/ibm-conn/verify/", format="json")
    assert verified.status_code in (400, 422) and verified.json()["error"]["code"] == "auth_failed", verified.json()
    assert "Provided API key could not be found" in verified.json()["error"]["message"]
    for answer in (created, verified, api.get("/api/v1/credentials/ibm-cred/")):
        assert key not in answer.content.decode()
    assert key not in caplog.text
    with db.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Credential._meta.db_table} WHERE name = %s", ["ibm-cred"])
        assert key not in " ".join(str(column) for column in cursor.fetchone())


def test_the_inventory_finds_what_was_made_outside_spiderweb() -> None:
    with quick_fake_cloud():
        info = connection_info(zone="us-south-1")
        credential = services.credential_create(name=unique("cred"), provider="ibm", values=dict(info.credential))
        region = services.region_create(name=unique("reg"), provider="ibm", region=info.region, zone=info.zone)
        connection = services.connection_create(
            name=unique("ibm"), driver=make_driver(provider="ibm").name, credential=credential.name, region=region.name
        )
        cloud = get_driver("ibm").connect(info)
        cloud.vpc().create_vpc(req=VPCReqInfo(name="legacy", ipv4_cidr="10.0.0.0/16"))
        cloud.key_pair().create_key_pair(req=KeyPairReqInfo(name="made-elsewhere"))
        for kind in ("vpc", "key_pair"):
            assert inventory_refresh_pair(connection=connection, kind=kind).ok
    found = sorted(Resource.objects.filter(connection=connection, managed=False).values_list("kind", "name"))
    assert found == [("key_pair", "made-elsewhere"), ("vpc", "legacy")]
    assert Freshness.objects.get(connection=connection, kind="vpc").resource_count == 1
