"""Fixtures of the connection pages' tests."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def staff(client, django_user_model):  # type: ignore[no-untyped-def]
    """A staff user logged in on `client`: only staff register and change connections."""
    user = django_user_model.objects.create_user(
        username=f"ops-{uuid.uuid4().hex[:6]}", password="pw-1-x!", is_staff=True
    )
    client.force_login(user)
    return user
