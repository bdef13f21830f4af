"""Every error under /api/ is JSON in the one error model, and the schema documents each one."""

from __future__ import annotations

import jsonschema
import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from spiderweb.api import error_body
from spiderweb.schema import ERROR_SCHEMA, error_statuses
from spiderweb.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


# This module doubles as a URLconf: the site's routes plus one that fails as a bug would.
urlpatterns = [path("api/v1/boom/", _boom), path("boom/", _boom), *site_urlpatterns]


def _assert_error(response: HttpResponse, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    jsonschema.validate(body, ERROR_SCHEMA)
    assert body["error"]["code"] == code, body


def test_an_unknown_api_url_is_a_json_404(api, anon) -> None:  # type: ignore[no-untyped-def]
    _assert_error(api.get("/api/v1/no-such-thing/"), 404, "not_found")
    _assert_error(anon.get("/api/nothing/here"), 404, "not_found")
    # Pages keep Django's own answer.
    assert "json" not in Client().get("/no-such-page/").get("Content-Type", "")


@pytest.mark.urls(__name__)
def test_an_unhandled_exception_under_api_is_a_json_500(user) -> None:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.get("/api/v1/boom/")
    _assert_error(response, 500, "server_error")
    assert "a bug" not in response.content.decode()  # no internals leak to the caller
    assert "json" not in client.get("/boom/").get("Content-Type", "")


def test_drf_errors_match_the_error_component(api, anon) -> None:  # type: ignore[no-untyped-def]
    _assert_error(anon.get("/api/v1/connections/"), 401, "not_authenticated")
    _assert_error(api.get("/api/v1/connections/nope/"), 404, "not_found")
    _assert_error(api.post("/api/v1/drivers/", "{", content_type="application/json"), 400, "parse_error")
    _assert_error(api.post("/api/v1/drivers/", {"name": ""}, format="json"), 400, "invalid")
    _assert_error(api.get("/api/v1/connections/?page=99"), 404, "not_found")
    jsonschema.validate(error_body("throttled", "slow down", retry_after=1.5, operation="x"), ERROR_SCHEMA)


def _schema(api):  # type: ignore[no-untyped-def]
    return api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_every_operation_documents_its_errors_with_the_error_component(api) -> None:  # type: ignore[no-untyped-def]
    spec = _schema(api)
    assert spec["components"]["schemas"]["Error"] == ERROR_SCHEMA
    missing = []
    for route, methods in spec["paths"].items():
        for method, operation in methods.items():
            parameters = operation.get("parameters", [])
            expected = {"401", "403", "500"}
            if any(parameter["in"] == "path" for parameter in parameters):
                expected.add("404")
            if "requestBody" in operation or method != "get":
                expected.add("400")
            if method != "get":
                expected.add("409")
            if route.startswith("/api/v1/connections/{conn}/"):
                expected |= {"400", "404", "409", "422", "429", "501", "502", "503", "504"}
            for status in sorted(expected):
                answer = operation["responses"].get(status, {})
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if schema != {"$ref": "#/components/schemas/Error"}:
                    missing.append(f"{method.upper()} {route} {status}")
    assert missing == []


def test_async_mutations_document_prefer_and_the_202_location(api) -> None:  # type: ignore[no-untyped-def]
    spec = _schema(api)
    create = spec["paths"]["/api/v1/connections/{conn}/vms/"]["post"]
    # The view's own declarations are kept: 201 with the VM, 202 with the operation.
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/VMOut"}
    accepted = create["responses"]["202"]
    assert accepted["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/OperationOut"}
    assert accepted["headers"]["Location"]["required"] is True
    assert {"in": "header", "name": "Prefer"}.items() <= next(
        parameter for parameter in create["parameters"] if parameter["name"] == "Prefer"
    ).items()
    for route, methods in spec["paths"].items():
        for method, operation in methods.items():
            if "202" in operation["responses"]:
                assert "Location" in operation["responses"]["202"]["headers"], f"{method} {route}"
    # Every cloud route, including the one outside `connections/{conn}/`, documents the cloud's errors.
    assert "502" in spec["paths"]["/api/v1/connections/{name}/verify/"]["post"]["responses"]
    assert "502" not in spec["paths"]["/api/v1/drivers/"]["get"]["responses"]


def test_statuses_follow_from_what_an_operation_does() -> None:
    read = {"responses": {"200": {}}, "security": [{"tokenAuth": []}], "parameters": [{"in": "query", "name": "page"}]}
    assert error_statuses("/api/v1/drivers/", "get", read) == {400, 401, 403, 404, 500}
    anonymous = {"responses": {"200": {}}, "security": [{"tokenAuth": []}, {}], "requestBody": {}}
    assert error_statuses("/api/v1/auth/token/", "post", anonymous) == {400, 409, 415, 500}
    started = {"responses": {"200": {}, "202": {}}, "security": [{"tokenAuth": []}]}
    assert {422, 429, 501, 502, 503, 504} <= error_statuses("/api/v1/inventory/refresh/", "post", started)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/inventory/security-groups/?search=a%00b", "search"),
        ("/api/v1/regions/a%00b/", "path"),
    ],
)
def test_a_nul_in_the_path_or_query_is_a_400_naming_where(api, path, field) -> None:  # type: ignore[no-untyped-def]
    response = api.get(path)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


@pytest.mark.django_db
def test_a_nul_in_a_json_body_is_a_400_naming_the_field(api) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_connection

    connection = make_connection()
    response = api.post(
        f"/api/v1/connections/{connection.name}/key-pairs/",
        {"name": "keypair-nul", "tags": {"team": "a\x00b"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "tags.team"
