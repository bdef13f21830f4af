"""What every registry form shares: a provider's field specs as inputs, names checked as the API checks them,
and service refusals shown beside the input they name.

Values of a provider's fields are passed to the service as typed and checked there, so a page and
the API refuse the same input with the same words. Secret inputs are password inputs that never
render their value: a secret never goes back to the page. Input names are the pages' posted names
(`name`, `cred.MockName`, `place.region`, `option.down`), ids are `id-<name>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django import forms

from connections import services
from connections.models import Region, name_validator
from spiderweb.errors import ServiceError

AUTO_ID = "id-%s"
CRED = "cred."
PLACE = "place."
OPTION = "option."
BLANK = "This field may not be blank."
PICK_PROVIDER = "Pick one of the installed providers."

Spec = dict[str, Any]


class SpecText(forms.CharField):
    """A driver field (credential key, region key, region option); `spec` is its catalogue entry."""

    def __init__(self, spec: Spec, **kwargs: Any) -> None:
        self.spec = spec
        super().__init__(**kwargs)


class SpecFlag(forms.BooleanField):
    """A driver field of kind boolean, as a checkbox."""

    def __init__(self, spec: Spec, **kwargs: Any) -> None:
        self.spec = spec
        super().__init__(**kwargs)


def spec_field(spec: Spec, *, keep_hint: bool = False) -> forms.Field:
    """The input for one driver field. Never required here: the service names a missing value itself."""
    label, help_text = spec["label"] or spec["name"], spec["help"]
    if spec["kind"] == "boolean" and not spec["secret"]:
        return SpecFlag(spec, required=False, label=label, help_text=help_text)
    attrs: dict[str, str] = {"placeholder": "empty keeps the stored value"} if keep_hint else {}
    widget: forms.Widget
    if spec["secret"]:
        widget = forms.PasswordInput(attrs={**attrs, "autocomplete": "new-password"})  # never renders its value
    elif spec["kind"] in ("integer", "number"):
        widget = forms.NumberInput(attrs={**attrs, "step": "any" if spec["kind"] == "number" else "1"})
    else:
        widget = forms.TextInput(attrs=attrs)
    return SpecText(spec, required=False, strip=False, label=label, help_text=help_text, widget=widget)


def name_input(*, label: str, required: bool = True, placeholder: str = "") -> forms.CharField:
    """A registration's name, checked as the API checks it (same pattern, same messages)."""
    attrs = {"maxlength": "100", **({"placeholder": placeholder} if placeholder else {})}
    return forms.CharField(
        label=label,
        required=required,
        max_length=100,
        validators=[name_validator],
        error_messages={"required": BLANK},
        widget=forms.TextInput(attrs=attrs),
    )


def place_label(region: Region) -> str:
    return f"{region.name} ({region.region}{f' / {region.zone}' if region.zone else ''})"


class RegistryForm(forms.Form):
    """Ids as the pages use them, and service refusals shown beside the input they name."""

    # A service error's field (or its dotted head) → the input it belongs to; a value ending in "."
    # takes the rest of the field (`values.MockName` → `cred.MockName`). Unmapped: shown above the form.
    error_fields: ClassVar[dict[str, str]] = {"name": "name"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", AUTO_ID)
        super().__init__(*args, **kwargs)

    def add_spec_fields(self, prefix: str, specs: Iterable[Spec], *, keep_hint: bool = False) -> list[str]:
        names = []
        for spec in specs:
            self.fields[prefix + spec["name"]] = spec_field(spec, keep_hint=keep_hint)
            names.append(prefix + spec["name"])
        return names

    def inputs(self, names: Iterable[str]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    def values(self, names: Iterable[str], *, keep_empty: bool) -> dict[str, Any]:
        """The typed values of driver fields, by the driver's key; empty ones only when `keep_empty`."""
        result: dict[str, Any] = {}
        for name in names:
            value = self.cleaned_data.get(name)
            if isinstance(value, bool):
                value = "true" if value else ""
            if (value or "").strip() or keep_empty:
                result[name.split(".", 1)[1]] = value or ""
        return result

    def input_for(self, field: str) -> str | None:
        parts = field.split(".") if field else []
        for cut in range(len(parts), 0, -1):
            target = self.error_fields.get(".".join(parts[:cut]))
            if target is not None:
                name = target + ".".join(parts[cut:]) if target.endswith(".") else target
                return name if name in self.fields else None
        return None

    def add_service_error(self, error: ServiceError) -> None:
        for problem in error.errors if isinstance(error, services.Refusals) else [error]:
            name = self.input_for(problem.field)
            if name is None or name not in self.errors:
                self.add_error(name, problem.message)
