"""List what every connection's cloud holds, so the dashboard opens on fresh counts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from resources.inventory.refresh import inventory_refresh
from resources.operations import operation_wait


class Command(BaseCommand):
    help = "Refresh the inventory of every connection (or of those named)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("connections", nargs="*", help="connection names; all when none is given")
        parser.add_argument(
            "--timeout", type=float, default=60.0, help="seconds to wait for the refresh when it runs in this process"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        operation = inventory_refresh(user=None, connections=options["connections"])
        if settings.SPIDERWEB_BROKER_URL:
            # A worker runs it; it may not be started yet, so do not wait for it here.
            self.stdout.write(
                f"inventory refresh {operation.pk} queued for the worker ({operation.progress_total} listings)"
            )
            return
        # Without a broker the listings run on this process's threads: they end when it exits.
        operation = operation_wait(operation=operation, timeout=options["timeout"])
        self.stdout.write(
            f"inventory refresh {operation.state}: {operation.progress_done} of "
            f"{operation.progress_total} listings, {operation.progress_failed} failed"
        )
