"""Create the admin user once: password from SPIDERWEB_ADMIN_PASSWORD, or generated and printed once."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the admin superuser if it does not exist yet."

    def handle(self, *args: Any, **options: Any) -> None:
        username = os.environ.get("SPIDERWEB_ADMIN_USER", "admin")
        email = os.environ.get("SPIDERWEB_ADMIN_EMAIL", "")
        users = get_user_model().objects
        if users.filter(username=username).exists():
            self.stdout.write(
                f"admin user '{username}' exists; its password is unchanged "
                f"(reset it with: manage.py changepassword {username})"
            )
            return
        password = os.environ.get("SPIDERWEB_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        users.create_superuser(username=username, email=email, password=password)
        if os.environ.get("SPIDERWEB_ADMIN_PASSWORD"):
            self.stdout.write(f"created admin user '{username}' with the password from SPIDERWEB_ADMIN_PASSWORD")
        else:
            self.stdout.write(
                f"created admin user '{username}' with password: {password}\n"
                "  (shown only this once; set SPIDERWEB_ADMIN_PASSWORD to choose it)"
            )
