"""Forms of the register and discover pages: a provider's credential (and region), existing or new."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms

from connections import services
from connections.forms.base import (
    BLANK,
    CRED,
    OPTION,
    PICK_PROVIDER,
    PLACE,
    RegistryForm,
    Spec,
    name_input,
    place_label,
)
from connections.models import Credential, Region
from connections.services import Place


class ProviderPartsForm(RegistryForm):
    """A provider pick that swaps in the provider's inputs, and a credential: an existing one or a new one."""

    error_fields: ClassVar[dict[str, str]] = {
        "name": "name",
        "provider": "provider",
        "driver": "provider",
        "credential": "credential",
        "credential.name": "credential_name",
        "credential.provider": "provider",
        "credential.values": CRED,
    }

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        catalogue: list[Spec],
        provider: Spec | None,
        swap_url: str,
        swap_select: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.provider = provider
        self.credential_names: list[str] = []
        swap = {
            "hx-get": swap_url,
            "hx-target": "#provider-fields",
            "hx-swap": "outerHTML",
            "hx-trigger": "change",
            **({"hx-select": swap_select} if swap_select else {}),
        }
        self.fields["provider"] = forms.ChoiceField(
            label="Provider",
            choices=[("", "— pick a provider —")]
            + [(entry["name"], f"{entry['label']} ({entry['name']})") for entry in catalogue],
            error_messages={"required": PICK_PROVIDER, "invalid_choice": PICK_PROVIDER},
            widget=forms.Select(attrs=swap),
        )
        if provider is not None:
            self.initial.setdefault("provider", provider["name"])
            self._add_credential_fields(provider)

    def _add_credential_fields(self, provider: Spec) -> None:
        existing = Credential.objects.filter(provider=provider["name"]).order_by("name").values_list("name", flat=True)
        self.fields["credential"] = forms.ChoiceField(
            label="Existing credential",
            required=False,
            choices=[("", "— none: register a new credential below —")] + [(name, name) for name in existing],
            error_messages={"invalid_choice": f"no {provider['name']} credential named '%(value)s'"},
        )
        self.fields["credential_name"] = name_input(label="Credential name", required=False)
        self.credential_names = self.add_spec_fields(CRED, provider["credential_fields"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            self.provider is not None
            and not self.data.get("credential")
            and not cleaned.get("credential_name")
            and "credential_name" not in self.errors
        ):
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
        return services.NewCredential(
            name=self.cleaned_data["credential_name"], values=self.values(self.credential_names, keep_empty=True)
        )


class ConnectionRegisterForm(ProviderPartsForm):
    """A connection with an existing or new credential and region, registered in one step."""

    error_fields: ClassVar[dict[str, str]] = {
        **ProviderPartsForm.error_fields,
        "region": "region",
        "region.name": "region_name",
        "region.provider": "provider",
        "region.region": PLACE + "region",
        "region.zone": PLACE + "zone",
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
                label="Existing region",
                required=False,
                choices=[("", "— none: register a new region below —")] + [(r.name, place_label(r)) for r in regions],
                error_messages={"invalid_choice": f"no {self.provider['name']} region named '%(value)s'"},
            )
            self.fields["region_name"] = name_input(label="Region name", required=False)
            self.place_names = self.add_spec_fields(PLACE, self.provider["region_fields"])
            self.option_names = self.add_spec_fields(OPTION, self.provider["region_options"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            self.provider is not None
            and not self.data.get("region")
            and not cleaned.get("region_name")
            and "region_name" not in self.errors
        ):
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
            region = services.NewRegion(
                name=self.cleaned_data["region_name"],
                region=place.get("region", ""),
                zone=place.get("zone", ""),
                options=self.values(self.option_names, keep_empty=False),
            )
        assert self.provider is not None
        return {
            "name": self.cleaned_data["name"],
            "provider": self.provider["name"],
            "credential": self.credential(),
            "region": region,
        }


class DiscoverForm(ProviderPartsForm):
    """A credential (existing or new) and the region to ask the cloud through."""

    error_fields: ClassVar[dict[str, str]] = {**ProviderPartsForm.error_fields, "bootstrap": "bootstrap"}

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["bootstrap"] = forms.CharField(
            label="Ask through region",
            error_messages={"required": "Name a region to ask the cloud through."},
            help_text="Any region the credential can reach; the cloud's region list is asked there.",
            widget=forms.TextInput(attrs={"placeholder": "e.g. default"}),
        )

    def discovery(self) -> dict[str, Any]:
        """The arguments of `services.places_discover`."""
        assert self.provider is not None
        return {
            "provider": self.provider["name"],
            "credential": self.credential(),
            "bootstrap": self.cleaned_data["bootstrap"],
        }


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
            queryset=Credential.objects.filter(provider=provider),
            to_field_name="name",
            error_messages={
                "required": "Discover again: that credential is gone.",
                "invalid_choice": "Discover again: that credential is gone.",
            },
        )
        self.fields["bootstrap"] = forms.CharField(required=False)
        self.fields["place"] = PlacesField(error_messages={"required": "Pick at least one region or zone."})
