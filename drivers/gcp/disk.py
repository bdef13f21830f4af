"""disk family of the GCP driver (not offered yet)."""

from __future__ import annotations

from collections.abc import Mapping

from drivers.gcp._session import GCPClients

OFFERED = False
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {}


class GCPDiskHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients
