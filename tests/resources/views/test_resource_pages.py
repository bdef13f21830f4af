"""Resource pages: one kind across every connection, with filters, sorting and pagination."""

from __future__ import annotations

import pytest

from tests.factories import make_connection
from tests.resources.helpers import build_network

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def logged_in(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def test_vms_of_every_connection_with_filters(logged_in, api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    mars = make_connection(name="on-mars", tenant=mock_tenant).name
    venus = make_connection(name="on-venus", tenant=f"{mock_tenant}-v", region="venus", zone="venus-z1").name
    build_network(api, mars, with_vm=True)
    page = logged_in.get("/resources/vms/").content.decode()
    assert "vm-01" in page and "on-mars" in page and "mock-vmspec-01" in page
    assert "on-venus" not in page  # it has no VM
    assert "on-mars" not in logged_in.get("/resources/vms/?connection=" + venus).content.decode().split("<tbody>")[1]
    assert "vm-01" not in logged_in.get("/resources/vms/?search=nomatch").content.decode().split("<tbody>")[1]
    assert "vpc-01" in logged_in.get("/resources/vpcs/").content.decode()
    assert "vm-01" in logged_in.get("/resources/vms/?provider=mock").content.decode().split("<tbody>")[1]
    assert "provider" in logged_in.get("/resources/vms/?provider=nope").content.decode().split('role="alert"')[1][:200]
    partial = logged_in.get("/resources/vms/?search=vm", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="results">') and "vm-01" in partial


def test_bad_filters_and_unknown_kinds(logged_in) -> None:  # type: ignore[no-untyped-def]
    bad = logged_in.get("/resources/vms/?managed=perhaps").content.decode()
    assert "managed must be true or false" in bad
    assert logged_in.get("/resources/teapots/").status_code == 404
