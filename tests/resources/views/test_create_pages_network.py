"""Create forms of VPCs (with subnet rows), subnets, security groups (with rule rows) and key pairs."""

from __future__ import annotations

import pytest

from resources.models import Operation, Resource
from tests.factories import make_connection
from tests.resources.helpers import url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conn(client, user, mock_tenant) -> str:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return make_connection(name="web", tenant=mock_tenant).name


def vpc_post(client, **extra: str):  # type: ignore[no-untyped-def]
    data = {
        "connection": "web",
        "name": "vpc-01",
        "ipv4_cidr": "192.168.0.0/16",
        "subnets_rows": "3",
        "subnets-0-name": "subnet-01",
        "subnets-0-ipv4_cidr": "192.168.1.0/24",
        "subnets-0-zone": "mars-z1",
        "subnets-1-name": "",
        "subnets-1-ipv4_cidr": "",
        "subnets-1-zone": "mars-z1",
        "subnets-2-name": "subnet-02",
        "subnets-2-ipv4_cidr": "192.168.2.0/24",
        "subnets-2-zone": "mars-z2",
    }
    return client.post("/resources/vpcs/new/", {**data, **extra})


def test_the_form_offers_connections_with_the_zone_and_a_cancel_link(client, conn) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/resources/vpcs/new/").content.decode()
    assert '<option value="web" selected>' in page
    assert 'value="mars-z1"' in page  # the subnet row's zone defaults to the connection's
    assert 'href="/resources/vpcs/"' in page and "Cancel" in page
    assert client.get("/resources/nothing/new/").status_code == 404


def test_vpc_with_subnet_rows_is_created_and_its_progress_shown(client, api, conn) -> None:  # type: ignore[no-untyped-def]
    response = vpc_post(client)
    assert response.status_code == 302
    operation = Operation.objects.get(action="vpc.create")
    assert response["Location"] == f"/resources/vpcs/new/{operation.pk}/"
    assert operation.state == "succeeded"
    vpc = Resource.objects.get(kind="vpc", name="vpc-01")
    assert sorted((s.name, s.zone) for s in vpc.children.all()) == [("subnet-01", "mars-z1"), ("subnet-02", "mars-z2")]
    assert api.get(url("web", "vpcs/vpc-01/")).json()["subnets"][1]["ipv4_cidr"] == "192.168.2.0/24"
    done = client.get(response["Location"]).content.decode()
    assert "succeeded" in done and 'href="/resources/vpcs/web/vpc-01/"' in done
    assert "hx-trigger" not in done  # finished: the row does not poll


def test_a_bad_subnet_row_shows_its_error_in_that_row_and_keeps_the_input(client, conn) -> None:  # type: ignore[no-untyped-def]
    page = vpc_post(client, **{"subnets-2-ipv4_cidr": "10.9.0.0/24"}).content.decode()
    assert not Resource.objects.filter(kind="vpc").exists()
    assert "10.9.0.0/24" in page  # typed input kept, now in row 1 (the blank row was dropped)
    row = page[page.index('name="subnets-1-name"') : page.index("Add subnet row")]
    assert "field-error" in row and "192.168.0.0/16" in row


def test_bad_name_is_shown_next_to_the_name(client, conn) -> None:  # type: ignore[no-untyped-def]
    page = vpc_post(client, name="Not A Name!").content.decode()
    name_field = page[page.index('id="id_name"') : page.index('id="id_ipv4_cidr"')]
    assert "field-error" in name_field and 'value="Not A Name!"' in name_field
    assert not Resource.objects.filter(kind="vpc").exists()


def test_add_subnet_row_adds_a_row_without_creating(client, conn) -> None:  # type: ignore[no-untyped-def]
    page = vpc_post(client, intent="more:subnets").content.decode()
    assert 'name="subnets-2-name"' in page and 'name="subnets-3-name"' not in page  # 2 filled + 1 new
    assert 'value="subnet-02"' in page
    assert not Operation.objects.exists()


def test_subnet_added_to_an_existing_vpc(client, api, conn) -> None:  # type: ignore[no-untyped-def]
    vpc_post(client)
    page = client.get("/resources/subnets/new/").content.decode()
    assert '<option value="vpc-01"' in page
    bad = client.post(
        "/resources/subnets/new/",
        {"connection": "web", "vpc": "vpc-01", "name": "subnet-03", "ipv4_cidr": "10.1.0.0/24", "zone": ""},
    ).content.decode()
    assert "field-error" in bad and not Resource.objects.filter(name="subnet-03").exists()
    response = client.post(
        "/resources/subnets/new/",
        {"connection": "web", "vpc": "vpc-01", "name": "subnet-03", "ipv4_cidr": "192.168.3.0/24", "zone": ""},
    )
    assert response.status_code == 302
    assert Resource.objects.get(name="subnet-03").parent.name == "vpc-01"
    names = [s["name"] for s in api.get(url("web", "vpcs/vpc-01/")).json()["subnets"]]
    assert "subnet-03" in names


def test_security_group_rule_rows_are_honoured(client, api, conn) -> None:  # type: ignore[no-untyped-def]
    vpc_post(client)
    page = client.get("/resources/security-groups/new/").content.decode()
    assert '<option value="vpc-01"' in page
    data = {
        "connection": "web",
        "name": "sg-01",
        "vpc": "vpc-01",
        "rules_rows": "3",
        "rules-0-direction": "inbound",
        "rules-0-protocol": "TCP",
        "rules-0-from_port": "22",
        "rules-0-to_port": "22",
        "rules-0-cidr": "0.0.0.0/0",
        "rules-1-direction": "inbound",
        "rules-1-protocol": "TCP",
        "rules-2-direction": "outbound",
        "rules-2-protocol": "UDP",
        "rules-2-from_port": "53",
        "rules-2-to_port": "53",
        "rules-2-cidr": "10.0.0.0/8",
    }
    bad = client.post("/resources/security-groups/new/", {**data, "rules-2-to_port": "40"}).content.decode()
    assert "must not be below from_port" in bad and not Resource.objects.filter(name="sg-01").exists()
    assert client.post("/resources/security-groups/new/", data).status_code == 302
    rules = api.get(url("web", "security-groups/sg-01/")).json()["rules"]
    assert {(r["direction"], r["protocol"], r["from_port"], r["cidr"]) for r in rules} >= {
        ("inbound", "TCP", 22, "0.0.0.0/0"),
        ("outbound", "UDP", 53, "10.0.0.0/8"),
    }


def test_security_group_in_an_unknown_vpc_is_refused_at_the_vpc(client, conn) -> None:  # type: ignore[no-untyped-def]
    page = client.post(
        "/resources/security-groups/new/", {"connection": "web", "name": "sg-01", "vpc": "vpc-09"}
    ).content.decode()
    vpc_field = page[page.index('id="id_vpc"') : page.index("<h2>Rules</h2>")]
    assert "vpc-09" in vpc_field and "field-error" in vpc_field
    assert not Resource.objects.filter(name="sg-01").exists()


def test_key_pair_private_key_is_downloadable_once(client, api, conn, user) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/resources/key-pairs/new/", {"connection": "web", "name": "keypair-01"})
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert "Download private key" in done and "will not be offered again" in done
    assert "PRIVATE KEY" not in done
    operation = Operation.objects.get(action="key_pair.create")
    assert operation.state == "succeeded" and "private_key" not in str(operation.result)
    key_url = f"/resources/key-pairs/new/{operation.pk}/private-key/"
    download = client.post(key_url)
    assert download.status_code == 200 and "PRIVATE KEY" in download.content.decode()
    assert download["Content-Disposition"] == 'attachment; filename="keypair-01.pem"'
    again = client.post(key_url)
    assert again.status_code == 410 and "PRIVATE KEY" not in again.content.decode()
    assert "Download private key" not in client.get(response["Location"]).content.decode()
    assert api.get(url("web", "key-pairs/keypair-01/")).status_code == 200


def test_key_pair_with_a_taken_name_shows_the_error_at_the_name(client, conn) -> None:  # type: ignore[no-untyped-def]
    client.post("/resources/key-pairs/new/", {"connection": "web", "name": "keypair-01"})
    page = client.post("/resources/key-pairs/new/", {"connection": "web", "name": "keypair-01"}).content.decode()
    assert "already exists" in page and Resource.objects.filter(kind="key_pair").count() == 1


def test_an_unknown_connection_is_refused_at_the_picker(client, conn) -> None:  # type: ignore[no-untyped-def]
    page = client.post("/resources/key-pairs/new/", {"connection": "elsewhere", "name": "keypair-01"}).content.decode()
    picker = page[page.index('id="id_connection"') : page.index('id="id_name"')]
    assert "Choose one of the registered connections." in picker
    assert not Resource.objects.filter(kind="key_pair").exists()
