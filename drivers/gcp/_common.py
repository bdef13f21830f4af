"""Helpers shared by the GCP handlers: resource URLs and names, shapes of identifiers."""

from __future__ import annotations

import re

# Compute Engine answers references as URLs (https://www.googleapis.com/compute/v1/projects/p/zones/z);
# requests take them as URLs or as the relative path from "projects/" on.
_URL_PREFIX = re.compile(r"^https?://[^/]+/compute/(?:v1|beta|alpha)/")

PROJECT_ID = re.compile(r"^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")
REGION = re.compile(r"^[a-z]+(?:-[a-z]+)*\d+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Machine families built on Arm processors (Ampere Altra, Google Axion, NVIDIA Grace).
ARM_FAMILIES = frozenset({"t2a", "c4a", "a4x"})


def last_segment(url: str) -> str:
    """The name at the end of a resource URL or path ('' for '')."""
    return url.rstrip("/").rsplit("/", 1)[-1] if url else ""


def relative_path(url: str) -> str:
    """A resource URL as the path from "projects/" on; a path is returned as it is."""
    return _URL_PREFIX.sub("", url.strip()).strip("/")


def zone_in_region(zone: str, region: str) -> bool:
    """Whether `zone` is one of `region`'s zone names (`<region>-<letter>`)."""
    return re.fullmatch(re.escape(region) + r"-[a-z]", zone) is not None


def architecture(value: str, *, name: str = "") -> str:
    """Google's X86_64/ARM64 as x86_64/arm64; when unset, Arm machine families are recognised by name."""
    text = value.upper()
    if text == "ARM64":
        return "arm64"
    if text == "X86_64":
        return "x86_64"
    family = name.split("-", 1)[0]
    return "arm64" if family in ARM_FAMILIES else "x86_64"
