"""Octavia (placeholder until load balancers are offered)."""

from __future__ import annotations

from tests.drivers.openstack.fake.server import FakeOpenStack


def register(fake: FakeOpenStack) -> None:
    return None
