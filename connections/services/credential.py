"""Credentials: a cloud account's keys, encrypted at rest; only the key names are ever readable."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from connections import crypto
from connections.models import Credential
from connections.services.common import (
    check_values,
    clean_name,
    provider_get,
    refuse_if_used,
    refuse_provider_change,
    save,
    under,
    unique_name,
)
from spiderweb.errors import InvalidInput, ServiceError

logger = logging.getLogger(__name__)


def credential_create(*, name: str, provider: str, values: Mapping[str, Any]) -> Credential:
    plugin = provider_get(name=provider)
    clean = check_values(plugin.credential_fields, values, what="credential", field_prefix="values")
    with unique_name(Credential, clean_name(name)):
        credential = Credential(
            name=name,
            provider=provider,
            keys=sorted(clean),
            encrypted_values=crypto.encrypt_values({key: str(value) for key, value in clean.items()}),
        )
        save(credential)
    logger.info("credential %s registered for provider %s with keys %s", name, provider, sorted(clean))
    return credential


def credential_update(
    *,
    credential: Credential,
    name: str | None = None,
    provider: str | None = None,
    values: Mapping[str, Any] | None = None,
    merge_values: bool = False,
) -> Credential:
    """Rename and/or replace the values; with `merge_values` the given keys update the stored ones."""
    refuse_provider_change(credential, provider)
    new_name = clean_name(name) if name is not None else credential.name
    with unique_name(Credential, new_name, exclude_pk=credential.pk):
        credential.name = new_name
        if values is not None:
            plugin = provider_get(name=credential.provider)
            combined = {**credential_values(credential=credential), **values} if merge_values else dict(values)
            clean = check_values(plugin.credential_fields, combined, what="credential", field_prefix="values")
            credential.keys = sorted(clean)
            credential.encrypted_values = crypto.encrypt_values({key: str(value) for key, value in clean.items()})
        save(credential)
    return credential


def credential_delete(*, credential: Credential) -> None:
    refuse_if_used(credential)
    credential.delete()


def credential_values(*, credential: Credential) -> dict[str, str]:
    """The decrypted values. Only for handing to a driver; never for an answer, a page or a log."""
    return crypto.decrypt_values(credential.encrypted_values)


def credentials_reencrypt() -> int:
    """Re-encrypt every credential under the newest configured key; returns how many were rewritten."""
    count = 0
    with transaction.atomic():
        for credential in Credential.objects.select_for_update().order_by("pk"):
            credential.encrypted_values = crypto.reencrypt(credential.encrypted_values)
            credential.save(update_fields=["encrypted_values", "updated_at"])
            count += 1
    return count


@dataclass(frozen=True, slots=True, kw_only=True)
class NewCredential:
    """A credential to register as part of a bigger registration."""

    name: str
    values: Mapping[str, Any]


def credential_resolve(*, provider: str, credential: str | NewCredential) -> Credential:
    """`provider`'s credential named `credential`, or a new one registered from a `NewCredential`.

    Errors name `credential` (no such credential) or `credential.<field>` (the new one was refused).
    """
    if isinstance(credential, str):
        found = Credential.objects.filter(name=credential, provider=provider).first()
        if found is None:
            raise InvalidInput(f"no {provider} credential named {credential!r}", field="credential")
        return found
    try:
        return credential_create(name=credential.name, provider=provider, values=credential.values)
    except ServiceError as exc:
        raise under("credential", exc) from None
