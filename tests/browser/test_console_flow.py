"""A person runs the whole console without the API: registers a connection, refreshes, creates a network and a
VM through the forms, suspends it, and sees a broken region's error beside the others' counts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import make_connection

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "op-pass-123!"


def log_in_as_staff(page, django_user_model) -> None:  # type: ignore[no-untyped-def]
    django_user_model.objects.create_user(username="operator", password=PASSWORD, is_staff=True)
    page.goto("/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def shot(page, folder: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def register_through_the_form(page, tenant: str, folder: Path) -> None:  # type: ignore[no-untyped-def]
    page.click("nav >> text=Connections")
    page.click("text=Register a connection")
    page.wait_for_url("**/connections/new/")
    page.wait_for_function("window.htmx !== undefined")  # a choice made before htmx starts would go unheard
    page.select_option("#id-provider", "mock")
    page.wait_for_selector("[name='cred.MockName']")
    page.fill("#id-name", "web-mars")
    page.fill("#id-credential_name", "team-account")
    page.fill("[name='cred.MockName']", tenant)
    page.fill("#id-region_name", "mars-z1")
    page.fill("[name='place.region']", "mars")
    page.fill("[name='place.zone']", "mars-z1")
    shot(page, folder, "connection-register")
    page.click("text=Register connection")
    page.wait_for_url(re.compile(r".*/connections/(\?.*)?$"))
    row = page.locator("tr:has(code:text-is('web-mars'))")
    assert row.count() == 1
    assert tenant not in page.content()  # the credential's value is never sent back
    row.locator("text=Test connection").click()
    page.wait_for_selector("tr:has(code:text-is('web-mars')) >> text=/OK/")
    shot(page, folder, "connections")


def refilled(page, select: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Choose in a select whose change makes htmx refill the form's choices, and wait for the refill."""
    with page.expect_response(lambda response: response.request.method == "POST" and "/new/" in response.url):
        page.select_option(select, value)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(100)  # htmx settles the swapped fields


def create(page, segment: str, fill, folder: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/resources/{segment}/new/")
    refilled(page, "#id_connection", "web-mars")
    fill()
    shot(page, folder, f"create-{segment}")
    page.click(".form-actions button.primary")
    page.wait_for_selector(".badge.state-succeeded", timeout=20_000)


def test_register_refresh_create_and_suspend_through_the_console(
    page, django_user_model, mock_tenant, screenshot_dir
) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="venus-down", tenant=mock_tenant, region="venus", zone="venus-z1", options={"down": True})
    log_in_as_staff(page, django_user_model)
    register_through_the_form(page, mock_tenant, screenshot_dir)

    def vpc() -> None:
        page.fill("#id_name", "vpc-01")
        page.fill("#id_ipv4_cidr", "10.0.0.0/16")
        page.fill("[name='subnets-0-name']", "subnet-01")
        page.fill("[name='subnets-0-ipv4_cidr']", "10.0.1.0/24")

    def security_group() -> None:
        page.fill("#id_name", "sg-01")
        page.select_option("#id_vpc", "vpc-01")
        page.fill("[name='rules-0-from_port']", "22")
        page.fill("[name='rules-0-to_port']", "22")

    def key_pair() -> None:
        page.fill("#id_name", "key-01")

    create(page, "vpcs", vpc, screenshot_dir)
    create(page, "security-groups", security_group, screenshot_dir)
    create(page, "key-pairs", key_pair, screenshot_dir)
    with page.expect_download() as download:
        page.click("text=Download private key")
    assert "BEGIN" in Path(download.value.path()).read_text()
    shot(page, screenshot_dir, "key-pair-created")

    page.goto("/resources/vms/new/")
    refilled(page, "#id_connection", "web-mars")
    page.fill("#id_name", "vm-01")
    refilled(page, "#id_vpc", "vpc-01")
    page.select_option("#id_subnet", "subnet-01")
    page.select_option("#id_key_pair", "key-01")
    page.fill("#id_vm_user_password", "a-long-password-1")
    page.select_option("#id_image", "mock-vmimage-01")  # an x86_64 image
    x86 = page.locator("#id_spec option", has_text="x86_64").first
    assert re.search(r"\d USD/h", x86.inner_text())  # each spec shows its hourly price
    page.select_option("#id_spec", x86.get_attribute("value"))
    page.check("input[name=security_groups][value=sg-01]")
    page.click("text=Review")
    page.wait_for_selector("#review >> text=Create")
    shot(page, screenshot_dir, "create-vm-review")
    page.click("#review button.primary")
    page.wait_for_selector(".badge.state-succeeded", timeout=20_000)

    page.click("text=Open vm-01")
    page.wait_for_load_state("load")
    for _ in range(20):  # the VM boots before it can be suspended
        if "Running" in page.inner_text(".heading"):
            break
        page.wait_for_timeout(300)
        page.reload()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:text-is('Suspend')")
    page.wait_for_selector("#action-result .badge.state-succeeded", timeout=20_000)
    page.wait_for_selector(".heading .status:text-is('Suspended')", timeout=15_000)
    shot(page, screenshot_dir, "vm-detail")

    page.click("nav >> text=Overview")
    page.click("text=Refresh all")
    page.wait_for_selector("#progress:has-text('Refreshed')", timeout=20_000)
    down = page.locator("tr:has(code:text-is('venus-down')) td.cell.failed")
    assert down.count() > 0 and "cannot be reached" in (down.first.get_attribute("title") or "")
    counts = page.locator("tr:has(code:text-is('web-mars')) td.cell.ok")
    assert counts.count() > 0
    assert page.locator("tr:has(code:text-is('web-mars')) td:last-child").inner_text().strip() == "5"
    shot(page, screenshot_dir, "overview-after-the-flow")

    page.click("nav >> text=Operations")
    done = page.locator("tr:has(code:text-is('vm.control')) .badge.state-succeeded")
    assert done.count() == 1 and page.locator("tr:has(code:text-is('vm.create')) .badge.state-succeeded").count() == 1
    assert "8 failed" in page.inner_text("tr:has(code:text-is('inventory.refresh'))")  # venus-down's listings
    shot(page, screenshot_dir, "operations-after-the-flow")
    assert page.outside_requests == []


def test_every_main_page_renders(page, django_user_model, mock_tenant, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="mars-1", tenant=mock_tenant)
    log_in_as_staff(page, django_user_model)
    pages = {
        "resources-vms": "/resources/vms/",
        "catalogue-regions": "/catalogue/regions/",
        "catalogue-images": "/catalogue/images/",
        "catalogue-specs": "/catalogue/specs/",
        "catalogue-prices": "/catalogue/prices/?min_vcpu=2",
        "connections-discover": "/connections/discover/",
        "create-cluster": "/resources/clusters/new/",
    }
    for name, path in pages.items():
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        shot(page, screenshot_dir, name)
    assert page.outside_requests == []
