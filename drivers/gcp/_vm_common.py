"""Shared by the GCP compute families (VMs, disks, machine images): names, labels, zones, lookups by id."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from drivers.errors import InvalidRequestError

# Compute Engine resource names: RFC 1035 labels, lowercase, 1-63 characters.
NAME = re.compile(r"^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$")
# Label keys start with a lowercase letter; keys and values use lowercase letters, digits, _ and -.
LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
MAX_LABELS = 64


def check_name(name: str, *, what: str, field: str = "name") -> str:
    if not isinstance(name, str) or not NAME.match(name):
        raise InvalidRequestError(
            f"{what} name {name!r} is invalid on Google Cloud: 1-63 lowercase letters, digits and hyphens, "
            "starting with a letter and not ending with a hyphen.",
            field=field,
        )
    return name


def check_labels(tags: Mapping[str, str], *, field: str = "tags") -> dict[str, str]:
    """Tags as Google Cloud labels. Labels are stricter than tags; a tag that is not a valid label is
    refused rather than rewritten, so that reading the resource back gives the tags that were asked for."""
    if len(tags) > MAX_LABELS:
        raise InvalidRequestError(f"Google Cloud allows at most {MAX_LABELS} labels.", field=field)
    labels: dict[str, str] = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not LABEL_KEY.match(key):
            raise InvalidRequestError(
                f"Tag key {key!r} is not a Google Cloud label key: 1-63 lowercase letters, digits, '_' and '-', "
                "starting with a letter.",
                field=field,
            )
        if not isinstance(value, str) or not LABEL_VALUE.match(value):
            raise InvalidRequestError(
                f"Tag '{key}' value {value!r} is not a Google Cloud label value: up to 63 lowercase letters, "
                "digits, '_' and '-'.",
                field=field,
            )
        labels[key] = value
    return labels


def timestamp(value: str) -> datetime | None:
    """An RFC 3339 stamp of Compute Engine (2024-01-10T08:15:30.123-08:00) as a datetime."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def id_filter(system_id: str) -> str:
    """A list filter matching one numeric id (a non-numeric id can match nothing)."""
    return f"id = {system_id}" if system_id.isdigit() else "id = 0"
