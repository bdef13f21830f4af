"""Register the mock cloud with one connection per region and zone, so a new install shows many regions.

Safe to run again: records that already exist are kept as they are, nothing is duplicated.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from connections import services
from connections.models import CloudDriver, Connection, Credential, Region

DRIVER = "mock-driver"
CREDENTIAL = "mock-credential"
TENANT = "spiderweb-demo"


class Command(BaseCommand):
    help = "Seed the demo: the mock provider with a connection for each of its regions and zones."

    def handle(self, *args: Any, **options: Any) -> None:
        created = 0
        if not CloudDriver.objects.filter(name=DRIVER).exists():
            services.driver_create(name=DRIVER, provider="mock")
            created += 1
        credential = Credential.objects.filter(name=CREDENTIAL).first()
        if credential is None:
            credential = services.credential_create(name=CREDENTIAL, provider="mock", values={"MockName": TENANT})
            created += 1
        regions = services.region_zones_discover(credential=credential, region="default")
        for region in regions:
            for zone in region.zones:
                name = f"mock-{zone.name}"
                if not Region.objects.filter(name=name).exists():
                    services.region_create(name=name, provider="mock", region=region.name, zone=zone.name)
                    created += 1
                if not Connection.objects.filter(name=name).exists():
                    services.connection_create(name=name, driver=DRIVER, credential=CREDENTIAL, region=name)
                    created += 1
        total = Connection.objects.filter(driver__name=DRIVER).count()
        zones = sum(len(region.zones) for region in regions)
        self.stdout.write(
            f"demo: {total} mock connections across {len(regions)} regions and {zones} zones "
            f"({created} record(s) created now)"
        )
