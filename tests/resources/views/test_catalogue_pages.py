"""Catalogue pages: navigation, regions and zones, images and specs across connections."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from resources.models import Freshness, RefreshOutcome
from tests.factories import make_connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def rows_of(page: str) -> list[str]:
    """The table rows of the results, without the header."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return [row for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S) if 'class="empty"' not in row]


def test_navigation_names_every_kind_and_catalogue_page(logged_in) -> None:  # type: ignore[no-untyped-def]
    page = logged_in.get("/catalogue/specs/").content.decode()
    nav = page.split('<nav class="nav"')[1].split("</nav>")[0]
    for segment in ("vpcs", "subnets", "security-groups", "key-pairs", "vms", "disks", "my-images", "nlbs", "clusters"):
        assert f'href="/resources/{segment}/"' in nav
    for path in ("regions", "images", "specs", "prices"):
        assert f'href="/catalogue/{path}/"' in nav
    assert '<div class="menu current">' in nav and nav.count('class="menu current"') == 1  # Catalogue, this section
    assert 'href="/operations/"' in nav and "/admin/" not in nav  # Admin for superusers only


def test_regions_show_each_connection_s_zones_and_a_failing_one_s_error(logged_in, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    mars = make_connection(name="on-mars", tenant=mock_tenant, region="mars", zone="mars-z1")
    make_connection(name="on-saturn", tenant=mock_tenant, region="saturn", zone="saturn-z1")
    make_connection(name="gone", tenant=mock_tenant, region="venus", zone="venus-z1", options={"down": True})
    Freshness.objects.create(
        connection=mars,
        kind="vm",
        outcome=RefreshOutcome.FAILED,
        last_attempt_at=timezone.now(),
        error_message="listing VMs timed out",
    )
    page = logged_in.get("/catalogue/regions/").content.decode()
    rows = rows_of(page)
    assert len(rows) == 2
    mars_row = next(row for row in rows if "on-mars" in row)
    assert re.search(r"mars-z1</code> <span class=\"badge [^\"]*\">Available", mars_row)
    assert re.search(r"mars-z3</code> <span class=\"badge [^\"]*\">Unavailable", mars_row)
    assert "listing VMs timed out" in mars_row
    saturn_row = next(row for row in rows if "on-saturn" in row)
    assert re.search(r"saturn-z2</code> <span class=\"badge [^\"]*\">Unavailable", saturn_row)
    assert "gone:" in page and "cannot be reached" in page
    only = logged_in.get("/catalogue/regions/?provider=mock&region=saturn", HTTP_HX_REQUEST="true").content.decode()
    assert only.lstrip().startswith('<div id="results">')
    assert [row for row in rows_of(only)] and all("on-saturn" in row for row in rows_of(only))


def test_image_filters_narrow_and_pages_split_the_results(logged_in, mock_tenant, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="on-mars", tenant=mock_tenant)
    make_connection(name="on-venus", tenant=mock_tenant, region="venus", zone="venus-z1")
    assert len(rows_of(logged_in.get("/catalogue/images/").content.decode())) == 10  # five images, two clouds
    ubuntu = rows_of(logged_in.get("/catalogue/images/?os=ubuntu").content.decode())
    assert len(ubuntu) == 4 and all("Ubuntu" in row for row in ubuntu)
    one = rows_of(logged_in.get("/catalogue/images/?os=ubuntu&connection=on-venus").content.decode())
    assert len(one) == 2 and all("on-venus" in row for row in one)
    assert len(rows_of(logged_in.get("/catalogue/images/?search=vmimage-03").content.decode())) == 2
    assert rows_of(logged_in.get("/catalogue/images/?search=nomatch").content.decode()) == []
    monkeypatch.setattr("resources.views.catalogue.PAGE_SIZE", 4)
    first = logged_in.get("/catalogue/images/?os=linux").content.decode()
    assert len(rows_of(first)) == 4 and "page 1 of 2" in first and "?os=linux&page=2" in first
    second = rows_of(logged_in.get("/catalogue/images/?os=linux&page=2").content.decode())
    assert len(second) == 4 and not set(second) & set(rows_of(first))


def test_spec_requirements_narrow_and_each_spec_has_its_price(logged_in, mock_tenant, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="on-mars", tenant=mock_tenant)
    make_connection(name="on-venus", tenant=mock_tenant, region="venus", zone="venus-z1")
    everything = rows_of(logged_in.get("/catalogue/specs/").content.decode())
    assert len(everything) == 8
    assert all(re.search(r'<strong class="price">[0-9.]+</strong> USD', row) for row in everything)
    with_gpu = rows_of(logged_in.get("/catalogue/specs/?gpu=yes").content.decode())
    assert len(with_gpu) == 4 and all("1x T4" in row or "2x A10G" in row for row in with_gpu)
    big = rows_of(logged_in.get("/catalogue/specs/?min_vcpu=8&min_memory_gib=64&provider=mock").content.decode())
    assert len(big) == 2 and all("mock-vmspec-03" in row for row in big)
    bad = logged_in.get("/catalogue/specs/?min_memory_gib=lots").content.decode()
    assert "min_memory_gib: &#x27;lots&#x27; is not a number" in bad
    monkeypatch.setattr("resources.views.catalogue.PAGE_SIZE", 5)
    second = logged_in.get("/catalogue/specs/?page=2", HTTP_HX_REQUEST="true").content.decode()
    assert len(rows_of(second)) == 3 and "page 2 of 2" in second


def test_catalogue_pages_cost_the_same_queries_whatever_the_number_of_connections(
    logged_in, mock_tenant, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="c-0", tenant=mock_tenant)
    for path in ("regions", "images", "specs", "prices"):
        logged_in.get(f"/catalogue/{path}/")  # fills the meta cache
    counts = {}
    for path in ("regions", "images", "specs", "prices"):
        with django_assert_max_num_queries(20) as captured:
            logged_in.get(f"/catalogue/{path}/")
        counts[path] = len(captured.captured_queries)  # read now: the next capture reuses the query log
    for n in range(1, 4):
        make_connection(name=f"c-{n}", tenant=mock_tenant, region="venus", zone="venus-z1")
    for path in ("regions", "images", "specs", "prices"):
        logged_in.get(f"/catalogue/{path}/")
        with django_assert_max_num_queries(counts[path]):
            assert "c-3" in logged_in.get(f"/catalogue/{path}/").content.decode()
