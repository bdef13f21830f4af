"""Re-encrypt every stored credential under the newest key of SPIDERWEB_CREDENTIAL_KEYS.

Rotation: put the new key first in SPIDERWEB_CREDENTIAL_KEYS (keep the old ones after it), run
this command, then drop the old keys.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from connections import services
from connections.crypto import CredentialKeyError


class Command(BaseCommand):
    help = "Re-encrypt every stored credential under the newest credential key."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = services.credentials_reencrypt()
        except CredentialKeyError as exc:
            raise CommandError(f"{exc}; nothing was changed") from exc
        self.stdout.write(f"re-encrypted {count} credential(s) under the newest key")
