"""Registry answers are rendered by the serializers the schema declares, so nothing the schema lacks gets out."""

from __future__ import annotations

import pytest

from drivers.registry import all_drivers

pytestmark = pytest.mark.django_db


def schema_fields(spec: dict, name: str) -> set[str]:
    component = spec["components"]["schemas"][name]
    fields = set(component.get("properties", {}))
    for part in component.get("allOf", []):
        fields |= schema_fields(spec, part["$ref"].rsplit("/", 1)[1])
    return fields


def test_provider_answers_carry_every_capability_and_only_declared_keys(api) -> None:  # type: ignore[no-untyped-def]
    spec = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    providers = {entry["name"]: entry for entry in api.get("/api/v1/providers/").json()}
    declared = schema_fields(spec, "DriverCapabilitiesOut")
    for plugin in all_drivers():
        answer = providers[plugin.name]
        assert set(answer) == schema_fields(spec, "ProviderOut")
        assert answer["capabilities"] == plugin.capabilities.to_dict()
        assert set(answer["capabilities"]) == declared


def test_capabilities_answer_matches_its_schema(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_connection

    make_connection(name="caps", tenant=mock_tenant)
    spec = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    answer = api.get("/api/v1/connections/caps/capabilities/").json()
    assert set(answer) == schema_fields(spec, "CapabilitiesOut")
