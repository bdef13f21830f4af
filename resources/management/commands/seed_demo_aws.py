"""Register the AWS emulator as a demo cloud and put the demo's standing infrastructure in it.

Run by `make run AWS_EMULATOR=1` once moto's server answers on `--endpoint`. Safe to run again:
existing registrations are kept, and a region whose cloud already has a VPC gets nothing new (the
emulator forgets everything when it stops, so a new emulator is seeded afresh).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from connections import services
from connections.models import CloudDriver, Connection, Credential, Region
from resources.services.demo import demo_cloud_seed

DRIVER = "aws-driver"
CREDENTIAL = "aws-emulator-credential"
# A few regions on three continents; infrastructure stands in the first zone of the first two.
ZONES = ("us-east-1a", "us-east-1b", "eu-central-1a", "ap-northeast-2a")
SEEDED = ("us-east-1a", "eu-central-1a")
# moto accepts any key; these only have to look like AWS's.
ACCESS_KEY = "AKIAEMULATORDEMO0001"
SECRET_KEY = "emulator-demo-secret"  # noqa: S105  (an emulator ignores it)


class Command(BaseCommand):
    help = "Register AWS connections to a local AWS emulator (moto) and seed a network with VMs in it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--endpoint", required=True, help="The emulator's URL, e.g. http://127.0.0.1:5000")

    def handle(self, *args: Any, endpoint: str, **options: Any) -> None:
        if not CloudDriver.objects.filter(name=DRIVER).exists():
            services.driver_create(name=DRIVER, provider="aws")
        values = {"ClientId": ACCESS_KEY, "ClientSecret": SECRET_KEY, "EndpointURL": endpoint}
        credential = Credential.objects.filter(name=CREDENTIAL).first()
        if credential is None:
            services.credential_create(name=CREDENTIAL, provider="aws", values=values)
        else:
            # The emulator may listen on another port this time.
            services.credential_update(credential=credential, values=values)
        connections = []
        for zone in ZONES:
            name = f"aws-{zone}"
            if not Region.objects.filter(name=name).exists():
                services.region_create(name=name, provider="aws", region=zone[:-1], zone=zone)
            if not Connection.objects.filter(name=name).exists():
                services.connection_create(name=name, driver=DRIVER, credential=CREDENTIAL, region=name)
            connections.append(Connection.objects.select_related("region").get(name=name))
        made = demo_cloud_seed(connections=[c for c in connections if c.region.zone in SEEDED])
        self.stdout.write(
            f"AWS emulator at {endpoint}: {len(connections)} connections ({', '.join(ZONES)}); "
            + (f"{made} object(s) made" if made else "infrastructure already standing")
        )
