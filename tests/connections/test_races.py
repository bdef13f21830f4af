"""Two requests registering the same name at once: exactly one wins, the other gets 'already exists'."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection as db

from connections import services
from connections.models import CloudDriver
from spiderweb.errors import AlreadyExists


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_name_make_one_row() -> None:
    def create(_: int) -> str:
        try:
            services.driver_create(name="contested", provider="mock")
            return "created"
        except AlreadyExists:
            return "exists"
        finally:
            db.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(create, range(16)))
    assert outcomes.count("created") == 1
    assert outcomes.count("exists") == 15
    assert CloudDriver.objects.filter(name="contested").count() == 1
