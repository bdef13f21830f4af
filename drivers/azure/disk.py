"""disk family of the Azure driver (not offered yet)."""

from __future__ import annotations

from collections.abc import Mapping

from drivers.azure._session import AzureSession

OFFERED = False
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {}


class AzureDiskHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session
