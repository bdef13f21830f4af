"""Dashboard forms of the connection registry: a provider's credential and region fields as Django form fields.

Forms parse and show; every rule stays in `connections.services`, so a page and the API refuse the
same input with the same words. Values of a provider's fields are passed to the service as typed
and checked there; a service's refusal names the input (`credential.values.MockName`) and
`add_service_error` puts its message beside that field. Secret inputs are password inputs that
never render their value: a secret never goes back to the page.

Input names are the pages' posted names (`name`, `cred.MockName`, `place.region`, `option.down`),
ids are `id-<name>`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from django import forms

from connections import services
from connections.models import Connection, Credential, Region, name_validator
from connections.services import Place
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
    return forms.CharField(label=label, required=required, max_length=100, validators=[name_validator],
                           error_messages={"required": BLANK}, widget=forms.TextInput(attrs=attrs))


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


# --- register and discover ----------------------------------------------------------------------------


class ProviderPartsForm(RegistryForm):
    """A provider pick that swaps in the provider's inputs, and a credential: an existing one or a new one."""

    error_fields: ClassVar[dict[str, str]] = {
        "name": "name", "provider": "provider", "driver": "provider", "credential": "credential",
        "credential.name": "credential_name", "credential.provider": "provider", "credential.values": CRED,
    }

    def __init__(self, data: Mapping[str, Any] | None = None, *, catalogue: list[Spec], provider: Spec | None,
                 swap_url: str, swap_select: str = "", **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.provider = provider
        self.credential_names: list[str] = []
        swap = {"hx-get": swap_url, "hx-target": "#provider-fields", "hx-swap": "outerHTML", "hx-trigger": "change",
                **({"hx-select": swap_select} if swap_select else {})}
        self.fields["provider"] = forms.ChoiceField(
            label="Provider", choices=[("", "— pick a provider —")] + [
                (entry["name"], f"{entry['label']} ({entry['name']})") for entry in catalogue],
            error_messages={"required": PICK_PROVIDER, "invalid_choice": PICK_PROVIDER},
            widget=forms.Select(attrs=swap))
        if provider is not None:
            self.initial.setdefault("provider", provider["name"])
            self._add_credential_fields(provider)

    def _add_credential_fields(self, provider: Spec) -> None:
        existing = Credential.objects.filter(provider=provider["name"]).order_by("name").values_list("name", flat=True)
        self.fields["credential"] = forms.ChoiceField(
            label="Existing credential", required=False,
            choices=[("", "— none: register a new credential below —")] + [(name, name) for name in existing],
            error_messages={"invalid_choice": f"no {provider['name']} credential named '%(value)s'"})
        self.fields["credential_name"] = name_input(label="Credential name", required=False)
        self.credential_names = self.add_spec_fields(CRED, provider["credential_fields"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.provider is not None and not self.data.get("credential") and not cleaned.get("credential_name") \
                and "credential_name" not in self.errors:
            self.add_error("credential_name", BLANK)
        return cleaned

    @property
    def credential_inputs(self) -> list[forms.BoundField]:
        return self.inputs(self.credential_names)

    @property
    def secret_note(self) -> bool:
        """Whether to say that secrets must be typed again: they were posted, refused, and not sent back."""
        secrets = self.provider is not None and any(spec["secret"] for spec in self.provider["credential_fields"])
        return self.is_bound and bool(self.errors) and secrets and not self.data.get("credential")

    def credential(self) -> str | services.NewCredential:
        chosen: str = self.cleaned_data.get("credential", "")
        if chosen:
            return chosen
        return services.NewCredential(name=self.cleaned_data["credential_name"],
                                      values=self.values(self.credential_names, keep_empty=True))


class ConnectionRegisterForm(ProviderPartsForm):
    """A connection with an existing or new credential and region, registered in one step."""

    error_fields: ClassVar[dict[str, str]] = {
        **ProviderPartsForm.error_fields, "region": "region", "region.name": "region_name",
        "region.provider": "provider", "region.region": PLACE + "region", "region.zone": PLACE + "zone",
        "region.options": OPTION,
    }

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["name"] = name_input(label="Name", placeholder="e.g. mock-mars-z1")
        self.fields["name"].help_text = "The handle every resource call names: letters, digits, '.', '_' or '-'."
        self.order_fields(["provider", "name"])
        self.place_names: list[str] = []
        self.option_names: list[str] = []
        if self.provider is not None:
            regions = Region.objects.filter(provider=self.provider["name"]).order_by("name")
            self.fields["region"] = forms.ChoiceField(
                label="Existing region", required=False,
                choices=[("", "— none: register a new region below —")] + [(r.name, place_label(r)) for r in regions],
                error_messages={"invalid_choice": f"no {self.provider['name']} region named '%(value)s'"})
            self.fields["region_name"] = name_input(label="Region name", required=False)
            self.place_names = self.add_spec_fields(PLACE, self.provider["region_fields"])
            self.option_names = self.add_spec_fields(OPTION, self.provider["region_options"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.provider is not None and not self.data.get("region") and not cleaned.get("region_name") \
                and "region_name" not in self.errors:
            self.add_error("region_name", BLANK)
        return cleaned

    @property
    def place_inputs(self) -> list[forms.BoundField]:
        return self.inputs(self.place_names)

    @property
    def option_inputs(self) -> list[forms.BoundField]:
        return self.inputs(self.option_names)

    @property
    def options_open(self) -> bool:
        """Open the options when one is set or refused, so nothing typed is hidden."""
        return any(self[name].value() or self[name].errors for name in self.option_names)

    def registration(self) -> dict[str, Any]:
        """The arguments of `services.connection_register`."""
        region: str | services.NewRegion = self.cleaned_data.get("region", "")
        if not region:
            place = self.values(self.place_names, keep_empty=True)
            region = services.NewRegion(name=self.cleaned_data["region_name"], region=place.get("region", ""),
                                        zone=place.get("zone", ""),
                                        options=self.values(self.option_names, keep_empty=False))
        assert self.provider is not None
        return {"name": self.cleaned_data["name"], "provider": self.provider["name"],
                "credential": self.credential(), "region": region}


class DiscoverForm(ProviderPartsForm):
    """A credential (existing or new) and the region to ask the cloud through."""

    error_fields: ClassVar[dict[str, str]] = {**ProviderPartsForm.error_fields, "bootstrap": "bootstrap"}

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["bootstrap"] = forms.CharField(
            label="Ask through region", error_messages={"required": "Name a region to ask the cloud through."},
            help_text="Any region the credential can reach; the cloud's region list is asked there.",
            widget=forms.TextInput(attrs={"placeholder": "e.g. default"}))

    def discovery(self) -> dict[str, Any]:
        """The arguments of `services.places_discover`."""
        assert self.provider is not None
        return {"provider": self.provider["name"], "credential": self.credential(),
                "bootstrap": self.cleaned_data["bootstrap"]}


class PlacesField(forms.Field):
    """The places ticked in the discover page's table, posted as `region|zone` values of one name."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: Any) -> list[Place]:
        return [Place(*item.split("|", 1)) for item in value or [] if isinstance(item, str) and "|" in item]


class PlacesForm(RegistryForm):
    """The places picked from what the cloud offered a credential, to register in one go.

    One multiple-choice input rather than a formset: each row is a pick, not a record to edit, and
    the cloud is asked again on submit, so a row needs no fields of its own.
    """

    def __init__(self, data: Mapping[str, Any] | None = None, *, provider: str, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["credential"] = forms.ModelChoiceField(
            queryset=Credential.objects.filter(provider=provider), to_field_name="name",
            error_messages={"required": "Discover again: that credential is gone.",
                            "invalid_choice": "Discover again: that credential is gone."})
        self.fields["bootstrap"] = forms.CharField(required=False)
        self.fields["place"] = PlacesField(error_messages={"required": "Pick at least one region or zone."})


# --- edit pages ----------------------------------------------------------------------------------------


class ConnectionEditForm(RegistryForm):
    """A connection's name and the credential and region it uses (of its own provider)."""

    error_fields: ClassVar[dict[str, str]] = {"name": "name", "credential": "credential", "region": "region"}

    def __init__(self, data: Mapping[str, Any] | None = None, *, connection: Connection, **kwargs: Any) -> None:
        initial = {"name": connection.name, "credential": connection.credential.name,
                   "region": connection.region.name}
        super().__init__(data, initial=initial, **kwargs)
        credentials = Credential.objects.filter(provider=connection.provider).order_by("name")
        regions = Region.objects.filter(provider=connection.provider).order_by("name")
        self.fields["name"] = name_input(label="Name")
        self.fields["credential"] = forms.ChoiceField(
            label="Credential", choices=[(c.name, c.name) for c in credentials],
            error_messages={"invalid_choice": "no credential named '%(value)s'"})
        self.fields["region"] = forms.ChoiceField(
            label="Region", choices=[(r.name, place_label(r)) for r in regions],
            error_messages={"invalid_choice": "no region named '%(value)s'"})

    def change(self) -> dict[str, Any]:
        """The arguments of `services.connection_update` besides the connection."""
        return {"name": self.cleaned_data["name"], "credential": self.cleaned_data["credential"],
                "region": self.cleaned_data["region"]}


class CredentialEditForm(RegistryForm):
    """A credential's name and new values; every value input starts empty and an empty one keeps the stored value."""

    error_fields: ClassVar[dict[str, str]] = {"name": "name", "values": CRED}

    def __init__(self, data: Mapping[str, Any] | None = None, *, credential: Credential, specs: list[Spec],
                 **kwargs: Any) -> None:
        super().__init__(data, initial={"name": credential.name}, **kwargs)
        self.fields["name"] = name_input(label="Name")
        # Stored values are never put into the page, secret or not: only their keys are readable.
        self.value_names = self.add_spec_fields(CRED, specs, keep_hint=True)

    @property
    def value_inputs(self) -> list[forms.BoundField]:
        return self.inputs(self.value_names)

    def change(self) -> dict[str, Any]:
        """The arguments of `services.credential_update` besides the credential."""
        values = self.values(self.value_names, keep_empty=False)
        return {"name": self.cleaned_data["name"], "values": values or None, "merge_values": True}


class RegionEditForm(RegistryForm):
    """A region's name, place and options; its connections follow, as the API's update does."""

    error_fields: ClassVar[dict[str, str]] = {"name": "name", "region": PLACE + "region", "zone": PLACE + "zone",
                                              "options": OPTION}

    def __init__(self, data: Mapping[str, Any] | None = None, *, region: Region, provider: Spec | None,
                 **kwargs: Any) -> None:
        initial: dict[str, Any] = {"name": region.name, PLACE + "region": region.region, PLACE + "zone": region.zone}
        initial.update({OPTION + key: value for key, value in region.options.items()})
        super().__init__(data, initial=initial, **kwargs)
        self.fields["name"] = name_input(label="Name")
        self.place_names = self.add_spec_fields(PLACE, provider["region_fields"] if provider else [])
        self.option_names = self.add_spec_fields(OPTION, provider["region_options"] if provider else [])

    @property
    def place_inputs(self) -> list[forms.BoundField]:
        return self.inputs(self.place_names)

    @property
    def option_inputs(self) -> list[forms.BoundField]:
        return self.inputs(self.option_names)

    def change(self) -> dict[str, Any]:
        """The arguments of `services.region_update` besides the region."""
        place = self.values(self.place_names, keep_empty=True)
        return {"name": self.cleaned_data["name"], "region_name": place.get("region", ""),
                "zone": place.get("zone", ""), "options": self.values(self.option_names, keep_empty=False)}
