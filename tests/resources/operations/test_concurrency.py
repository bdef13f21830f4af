"""Simultaneous requests: one name is created once; different names go ahead side by side."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection as db
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from connections.models import Connection
from connections.services import connection_info
from drivers.registry import get_driver
from resources.models import Kind, Resource
from tests.factories import make_connection
from tests.resources.helpers import VM_BODY, build_network, post

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def in_parallel(count: int, request) -> list:  # type: ignore[no-untyped-def]
    def run(index: int):  # type: ignore[no-untyped-def]
        try:
            return request(index)
        finally:
            db.close()  # each thread has its own database connection

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_twenty_simultaneous_creates_of_one_vm_make_exactly_one(api, user, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant, options={"latency_ms": 50})
    build_network(api, conn.name)
    clients = [client_for(user) for _ in range(20)]
    responses = in_parallel(20, lambda i: post(clients[i], conn.name, "vms/", VM_BODY))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 19, statuses
    assert all(r.json()["error"]["code"] == "already_exists" for r in responses if r.status_code == 409)
    assert Resource.objects.filter(connection=conn, kind=Kind.VM).count() == 1
    cloud = get_driver("mock").connect(connection_info(connection=Connection.objects.get(pk=conn.pk)))
    assert len(cloud.vm().list_vms()) == 1


def test_different_names_proceed_in_parallel(api, user, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    # Long enough that the requests' own work (slow on a busy machine) cannot pass for waiting.
    latency = 1.0
    conn = make_connection(tenant=mock_tenant, options={"latency_ms": int(latency * 1000)})
    build_network(api, conn.name)
    clients = [client_for(user) for _ in range(5)]
    started = time.monotonic()
    responses = in_parallel(5, lambda i: post(clients[i], conn.name, "vms/", {**VM_BODY, "name": f"vm-{i}"}))
    elapsed = time.monotonic() - started
    assert [r.status_code for r in responses] == [201] * 5
    # Each create makes one slowed cloud call; one after another they would take 5 x latency.
    assert elapsed < 3.5 * latency, f"5 creates took {elapsed:.2f}s"
    assert Resource.objects.filter(connection=conn, kind=Kind.VM, lifecycle="ready").count() == 5
