"""Cloud driver records: which provider's software a connection loads."""

from __future__ import annotations

from connections.models import CloudDriver
from connections.services.common import (
    clean_name,
    free_name,
    provider_get,
    refuse_if_used,
    refuse_provider_change,
    save,
    unique_name,
)


def driver_create(*, name: str, provider: str) -> CloudDriver:
    provider_get(name=provider)
    with unique_name(CloudDriver, clean_name(name)):
        driver = CloudDriver(name=name, provider=provider)
        save(driver)
    return driver


def driver_update(*, driver: CloudDriver, name: str | None = None, provider: str | None = None) -> CloudDriver:
    refuse_provider_change(driver, provider)
    if name is not None and name != driver.name:
        with unique_name(CloudDriver, clean_name(name), exclude_pk=driver.pk):
            driver.name = name
            save(driver)
    return driver


def driver_delete(*, driver: CloudDriver) -> None:
    refuse_if_used(driver)
    driver.delete()


def driver_for_provider(*, provider: str) -> CloudDriver:
    """The provider's first driver record, registered on first use: a person registering thinks in providers."""
    driver = CloudDriver.objects.filter(provider=provider).order_by("created_at", "pk").first()
    if driver is None:
        driver = driver_create(name=free_name(CloudDriver, f"{provider}-driver"), provider=provider)
    return driver
