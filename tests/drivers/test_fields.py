"""validate_values: the checks behind every credential, region and option form."""

from __future__ import annotations

from typing import Any

import pytest

from drivers.errors import FieldError
from drivers.fields import validate_values
from drivers.types import FieldSpec

SPECS = (
    FieldSpec(name="ClientId", label="Client id"),
    FieldSpec(name="ClientSecret", label="Client secret", secret=True),
    FieldSpec(name="latency_ms", label="Latency", required=False, kind="integer", minimum=0, maximum=1000),
    FieldSpec(name="rate", label="Rate", required=False, kind="number", minimum=0, maximum=1),
    FieldSpec(name="down", label="Down", required=False, kind="boolean"),
)
GOOD = {"ClientId": "abc", "ClientSecret": "hunter2-very-secret"}


def _fail(values: Any) -> FieldError:
    with pytest.raises(FieldError) as caught:
        validate_values(SPECS, values, what="Acme credential")
    return caught.value


def test_valid_values_come_back_coerced() -> None:
    values = {**GOOD, "latency_ms": "200", "rate": "0.5", "down": "true"}
    assert validate_values(SPECS, values, what="x") == {**GOOD, "latency_ms": 200, "rate": 0.5, "down": True}
    typed = {**GOOD, "latency_ms": 20.0, "rate": 1, "down": False}
    assert validate_values(SPECS, typed, what="x") == {**GOOD, "latency_ms": 20, "rate": 1.0, "down": False}


def test_optional_fields_left_empty_are_omitted() -> None:
    assert validate_values(SPECS, {**GOOD, "latency_ms": "", "rate": None}, what="x") == GOOD


def test_not_a_mapping() -> None:
    assert "mapping" in str(_fail(["ClientId"]))


def test_unknown_key_is_named_with_the_allowed_ones() -> None:
    error = _fail({**GOOD, "Region": "x"})
    assert error.field == "Region"
    assert "Region" in str(error) and "ClientId, ClientSecret, latency_ms, rate, down" in str(error)


def test_missing_required_key_is_named() -> None:
    error = _fail({"ClientId": "abc"})
    assert error.field == "ClientSecret"
    assert "ClientSecret" in str(error) and "required" in str(error)


def test_empty_required_string_is_refused() -> None:
    error = _fail({**GOOD, "ClientId": "  "})
    assert error.field == "ClientId"
    assert "empty" in str(error)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("latency_ms", "fast", "an integer"),
        ("latency_ms", 1.5, "an integer"),
        ("latency_ms", True, "an integer"),
        ("latency_ms", -1, "at least 0"),
        ("latency_ms", "1001", "at most 1000"),
        ("rate", "lots", "a number"),
        ("rate", "nan", "a number"),
        ("rate", float("inf"), "a number"),
        ("rate", 1.5, "at most 1"),
        ("down", "maybe", "true or false"),
        ("down", 2, "true or false"),
        ("ClientId", 42, "a string"),
    ],
)
def test_kinds_and_bounds(field: str, value: Any, words: str) -> None:
    error = _fail({**GOOD, field: value})
    assert error.field == field
    assert words in str(error)
    assert "Acme credential" in str(error)


def test_secret_values_never_appear_in_messages() -> None:
    specs = (FieldSpec(name="Pin", label="PIN", secret=True, kind="integer", maximum=9999),)
    for value in ("12345678", "not-a-pin-s3cr3t"):
        with pytest.raises(FieldError) as caught:
            validate_values(specs, {"Pin": value}, what="x")
        assert value not in str(caught.value)
    with pytest.raises(FieldError) as caught:
        validate_values(SPECS, {**GOOD, "ClientSecret": 1234567}, what="x")
    assert "1234567" not in str(caught.value)
