"""Put some standing infrastructure in the demo's mock cloud, one network per region, for discovery to find."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from connections.models import Connection
from resources.services.demo import demo_cloud_seed


class Command(BaseCommand):
    help = "Create a small network with VMs at the mock cloud in the first zone of each demo region."

    def handle(self, *args: Any, **options: Any) -> None:
        demo = Connection.objects.filter(provider="mock", name__startswith="mock-").select_related("region")
        firsts = [
            connection
            for connection in demo.order_by("region__region", "region__zone")
            if connection.region.zone.endswith("-z1")
        ]
        made = demo_cloud_seed(connections=firsts)
        self.stdout.write(
            f"demo cloud: {made} object(s) made in {len(firsts)} region(s)"
            if made
            else "demo cloud: already standing, nothing made"
        )
