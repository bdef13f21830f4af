"""Network load balancers through the API."""

from __future__ import annotations

import pytest

from resources.models import Kind, Resource
from tests.factories import make_connection
from tests.resources.helpers import VM_BODY, build_network, delete, error_of, post, settle, url

pytestmark = pytest.mark.django_db(transaction=True)

NLB_BODY = {
    "name": "nlb-01",
    "vpc": "vpc-01",
    "listener": {"protocol": "TCP", "port": 80},
    "vm_group": {"protocol": "TCP", "port": 8080, "vms": ["vm-01"]},
    "health_checker": {"protocol": "TCP", "port": 8080},
}


@pytest.fixture
def conn(api, mock_tenant) -> str:  # type: ignore[no-untyped-def]
    name = make_connection(tenant=mock_tenant).name
    build_network(api, name, with_vm=True)
    assert post(api, name, "vms/", {**VM_BODY, "name": "vm-02"}).status_code == 201
    settle()
    return name


def test_nlb_lifecycle(api, conn) -> None:  # type: ignore[no-untyped-def]
    created = post(api, conn, "nlbs/", NLB_BODY)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["system_id"] and body["vpc"] == "vpc-01"
    assert body["listener"]["port"] == 80 and body["vm_group"]["vms"] == ["vm-01"]
    assert body["health_checker"]["protocol"] == "TCP"

    added = post(api, conn, "nlbs/nlb-01/vms/", {"vms": ["vm-02"]})
    assert added.status_code == 200 and sorted(added.json()["vm_group"]["vms"]) == ["vm-01", "vm-02"]
    health = api.get(url(conn, "nlbs/nlb-01/health/")).json()
    assert sorted(health["all"]) == ["vm-01", "vm-02"]
    assert sorted(health["healthy"] + health["unhealthy"]) == ["vm-01", "vm-02"]

    changed = api.put(url(conn, "nlbs/nlb-01/listener/"), {"protocol": "TCP", "port": 443}, format="json")
    assert changed.status_code == 200 and changed.json()["listener"]["port"] == 443
    checker = api.put(
        url(conn, "nlbs/nlb-01/health-checker/"),
        {"protocol": "HTTP", "port": 8080, "interval_s": 30, "timeout_s": 5, "threshold": 2},
        format="json",
    )
    assert checker.status_code == 200 and checker.json()["health_checker"]["interval_s"] == 30
    group = api.put(url(conn, "nlbs/nlb-01/vm-group/"), {"protocol": "TCP", "port": 9090}, format="json")
    assert group.status_code == 200 and group.json()["vm_group"]["port"] == 9090

    removed = api.delete(url(conn, "nlbs/nlb-01/vms/"), {"vms": ["vm-01"]}, format="json")
    assert removed.status_code == 200 and removed.json()["vm_group"]["vms"] == ["vm-02"]
    busy = delete(api, conn, "vpcs/vpc-01/")
    assert busy.status_code == 409  # the balancer still lives in it
    assert delete(api, conn, "nlbs/nlb-01/").json()["deleted"] is True
    assert not Resource.objects.filter(kind=Kind.NLB).exists()


def test_nlb_with_an_unknown_vm_is_404_naming_it(api, conn) -> None:  # type: ignore[no-untyped-def]
    body = {**NLB_BODY, "vm_group": {"protocol": "TCP", "port": 8080, "vms": ["vm-01", "nope"]}}
    response = post(api, conn, "nlbs/", body)
    assert response.status_code == 404
    assert error_of(response)["field"] == "vm_group.vms[1]"
    assert not Resource.objects.filter(kind=Kind.NLB).exists()


def test_nlb_bad_port_is_400(api, conn) -> None:  # type: ignore[no-untyped-def]
    response = post(api, conn, "nlbs/", {**NLB_BODY, "listener": {"protocol": "TCP", "port": 70000}})
    assert response.status_code == 400
    assert error_of(response)["field"] == "listener.port"
