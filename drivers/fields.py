"""Validation of credential, region and option values against a driver's `FieldSpec`s.

Values arrive from forms (all strings), from JSON (typed) or from settings; each is checked and
coerced to its declared kind. Messages never contain the value of a secret field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from drivers.errors import FieldError
from drivers.types import FieldSpec

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


def validate_values(specs: Sequence[FieldSpec], values: Mapping[str, Any], *, what: str) -> dict[str, Any]:
    """Check `values` against `specs` and return them coerced to each field's kind.

    `what` names the whole set in messages ("Mock cloud credential"). Unknown keys, missing
    required keys and values of the wrong kind or out of bounds raise `FieldError` with
    `field` set. Optional fields left out (or given as None or "") are omitted from the result.
    """
    if not isinstance(values, Mapping):
        raise FieldError(f"{what} must be a mapping of field names to values, not {type(values).__name__}")
    by_name = {spec.name: spec for spec in specs}
    unknown = sorted(str(key) for key in values if key not in by_name)
    if unknown:
        allowed = ", ".join(by_name) or "none"
        raise FieldError(f"{what}: unknown field '{unknown[0]}' (allowed: {allowed})", field=unknown[0])
    result: dict[str, Any] = {}
    for spec in specs:
        raw = values.get(spec.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.required:
                problem = "must not be empty" if isinstance(raw, str) else "is required"
                raise FieldError(f"{what}: {_title(spec)} {problem}", field=spec.name)
            continue
        result[spec.name] = _coerce(spec, raw, what)
    return result


def _title(spec: FieldSpec) -> str:
    return f"'{spec.name}'" if spec.label in ("", spec.name) else f"'{spec.name}' ({spec.label})"


def _coerce(spec: FieldSpec, raw: Any, what: str) -> Any:
    def fail(expected: str) -> FieldError:
        shown = "" if spec.secret else f", got {raw!r}"
        return FieldError(f"{what}: {_title(spec)} must be {expected}{shown}", field=spec.name)

    if spec.kind == "string":
        if not isinstance(raw, str):
            raise fail("a string")
        return raw
    if spec.kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise fail("true or false")
    number: int | float
    if spec.kind == "integer":
        number = _as_integer(raw)
        expected = "an integer"
    else:
        number = _as_number(raw)
        expected = "a number"
    if math.isnan(number):
        raise fail(expected)
    if spec.minimum is not None and number < spec.minimum:
        raise fail(f"at least {_fmt(spec.minimum)}")
    if spec.maximum is not None and number > spec.maximum:
        raise fail(f"at most {_fmt(spec.maximum)}")
    return number


def _as_integer(raw: Any) -> int | float:
    """The integer `raw` stands for, or NaN when it stands for none."""
    if isinstance(raw, bool):
        return math.nan
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else math.nan
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            return math.nan
    return math.nan


def _as_number(raw: Any) -> float:
    """The finite number `raw` stands for, or NaN when it stands for none."""
    if isinstance(raw, bool):
        return math.nan
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            return math.nan
    else:
        return math.nan
    return value if math.isfinite(value) else math.nan


def _fmt(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)
