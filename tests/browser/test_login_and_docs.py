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
    assert page.locator("h1").inner_text() == "Connections"
    assert "24 registered" in page.inner_text(".heading")
    rows = page.locator("table.grid tbody tr")
    assert rows.count() == 24
    assert page.get_by_role("cell", name="neptune", exact=True).count() == 1  # one cell spans the region's zones
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
