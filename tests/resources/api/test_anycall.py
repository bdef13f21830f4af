"""AnyCall through the API: a driver function by id."""

from __future__ import annotations

import pytest

from tests.factories import make_connection
from tests.resources.helpers import build_network, error_of, post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conn(api, mock_tenant) -> str:  # type: ignore[no-untyped-def]
    name = make_connection(tenant=mock_tenant).name
    build_network(api, name, with_vm=True)
    return name


def test_anycall_runs_a_function_by_id_and_lists_the_known_on_a_typo(api, conn) -> None:  # type: ignore[no-untyped-def]
    counted = post(api, conn, "anycall/", {"fid": "countAll", "params": {"rsType": "vpc"}})
    assert counted.status_code == 200, counted.json()
    assert counted.json()["fid"] == "countAll" and counted.json()["params"] == {"rsType": "vpc"}
    assert "1" in counted.json()["result"].values()
    unknown = post(api, conn, "anycall/", {"fid": "makeCoffee"})
    assert unknown.status_code == 400 and error_of(unknown)["field"] == "fid"
    assert "countAll" in error_of(unknown)["message"]
    fids = api.get("/api/v1/providers/mock/").json()["capabilities"]["anycall_fids"]
    assert "countAll" in fids
