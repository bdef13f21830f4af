"""Encryption at rest of credential values.

Values are a JSON object encrypted with Fernet. Keys come from `SPIDERWEB_CREDENTIAL_KEYS`
(comma-separated, newest first; older keys keep decrypting during a rotation). Without it, the
embedded default generates one key into `var/credential.key` (mode 0600) on first use. No key ever
lives in the code.
"""

from __future__ import annotations

import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from spiderweb.env import private_file


class CredentialKeyError(Exception):
    """The configured keys cannot decrypt a stored credential (wrong or missing key)."""


def _generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def configured_keys() -> list[str]:
    keys = list(settings.SPIDERWEB_CREDENTIAL_KEYS)
    if keys:
        return keys
    return [private_file(settings.SPIDERWEB_CREDENTIAL_KEY_FILE, _generate_key)]


@cache
def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in configured_keys()])
    except ValueError as exc:
        # Fernet's own message is generic and would not name the setting to fix.
        raise CredentialKeyError("SPIDERWEB_CREDENTIAL_KEYS holds a key that is not a valid Fernet key") from exc


@receiver(setting_changed)
def _forget_keys(*, setting: str, **_: object) -> None:
    if setting in {"SPIDERWEB_CREDENTIAL_KEYS", "SPIDERWEB_CREDENTIAL_KEY_FILE"}:
        _fernet.cache_clear()


def encrypt_values(values: dict[str, str]) -> str:
    payload = json.dumps(values, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return _fernet().encrypt(payload).decode("ascii")


def decrypt_values(token: str) -> dict[str, str]:
    try:
        payload = _fernet().decrypt(token.encode("ascii"))
    except InvalidToken as exc:
        raise CredentialKeyError("no configured credential key can decrypt this credential") from exc
    values = json.loads(payload)
    if not isinstance(values, dict):
        raise CredentialKeyError("decrypted credential is not a key/value object")
    return {str(key): str(value) for key, value in values.items()}


def reencrypt(token: str) -> str:
    """Return `token` encrypted under the newest key (MultiFernet.rotate keeps the timestamp)."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise CredentialKeyError("no configured credential key can decrypt this credential") from exc
