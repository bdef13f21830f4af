"""A person logs in, sees the registered connections, and reads the API docs, all without network."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, django_user_model) -> None:  # type: ignore[no-untyped-def]
    django_user_model.objects.create_user(username="operator", password="op-pass-123!")
    page.goto("/")
    assert "/login/" in page.url
    page.fill("#id_username", "operator")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text().startswith("Your user name and password did not match")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "op-pass-123!")
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_login_then_connections_grouped_by_provider_and_region(page, django_user_model, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    log_in(page, django_user_model)
    assert page.locator("h1").inner_text() == "Every region at a glance"
    page.click("nav >> text=Connections")
    assert page.locator("h1").inner_text() == "Connections"
    assert "24 registered" in page.inner_text(".heading")
    rows = page.locator("table.grid tbody tr:has(code)")
    assert rows.count() == 24
    assert page.locator("tr.group th", has_text="neptune").count() == 1  # one heading row over the region's zones
    page.screenshot(path=str(screenshot_dir / "connections.png"), full_page=True)
    assert page.locator("code", has_text="mock-neptune-z3").count() == 1
    assert page.outside_requests == []


def test_api_docs_render_from_local_assets(page, django_user_model, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    log_in(page, django_user_model)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".opblock-summary-path", has_text="/api/v1/connections/").count() >= 1
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Spiderweb API")
    page.screenshot(path=str(screenshot_dir / "api-docs.png"))
    assert page.outside_requests == []


def test_refresh_all_fills_the_overview_and_shows_a_down_region(
    page, django_user_model, screenshot_dir, mock_tenant
) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_connection

    make_connection(name="mars-ok", tenant=mock_tenant)
    make_connection(name="venus-down", tenant=mock_tenant, region="venus", zone="venus-z1", options={"down": True})
    log_in(page, django_user_model)
    assert page.locator("td.cell.never").count() > 0
    page.click("text=Refresh all")
    page.wait_for_selector("#progress:has-text('Refreshed')", timeout=20_000)
    assert page.locator("td.cell.failed").count() > 0
    assert "cannot be reached" in page.locator("td.cell.failed").first.get_attribute("title")
    assert page.locator("tr:has(code:text('mars-ok')) td.cell.ok").count() > 0
    assert page.locator("td.cell.never").count() == 0
    page.screenshot(path=str(screenshot_dir / "overview.png"), full_page=True)
    assert page.outside_requests == []
