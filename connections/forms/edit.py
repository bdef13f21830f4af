"""Forms of the edit pages: a connection's parts, a credential's values, a region's place and options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms

from connections.forms.base import CRED, OPTION, PLACE, RegistryForm, Spec, name_input, place_label
from connections.models import Connection, Credential, Region


class ConnectionEditForm(RegistryForm):
    """A connection's name and the credential and region it uses (of its own provider)."""

    error_fields: ClassVar[dict[str, str]] = {"name": "name", "credential": "credential", "region": "region"}

    def __init__(self, data: Mapping[str, Any] | None = None, *, connection: Connection, **kwargs: Any) -> None:
        initial = {"name": connection.name, "credential": connection.credential.name, "region": connection.region.name}
        super().__init__(data, initial=initial, **kwargs)
        credentials = Credential.objects.filter(provider=connection.provider).order_by("name")
        regions = Region.objects.filter(provider=connection.provider).order_by("name")
        self.fields["name"] = name_input(label="Name")
        self.fields["credential"] = forms.ChoiceField(
            label="Credential",
            choices=[(c.name, c.name) for c in credentials],
            error_messages={"invalid_choice": "no credential named '%(value)s'"},
        )
        self.fields["region"] = forms.ChoiceField(
            label="Region",
            choices=[(r.name, place_label(r)) for r in regions],
            error_messages={"invalid_choice": "no region named '%(value)s'"},
        )

    def change(self) -> dict[str, Any]:
        """The arguments of `services.connection_update` besides the connection."""
        return {
            "name": self.cleaned_data["name"],
            "credential": self.cleaned_data["credential"],
            "region": self.cleaned_data["region"],
        }


class CredentialEditForm(RegistryForm):
    """A credential's name and new values; every value input starts empty and an empty one keeps the stored value."""

    error_fields: ClassVar[dict[str, str]] = {"name": "name", "values": CRED}

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, credential: Credential, specs: list[Spec], **kwargs: Any
    ) -> None:
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

    error_fields: ClassVar[dict[str, str]] = {
        "name": "name",
        "region": PLACE + "region",
        "zone": PLACE + "zone",
        "options": OPTION,
    }

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, region: Region, provider: Spec | None, **kwargs: Any
    ) -> None:
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
        return {
            "name": self.cleaned_data["name"],
            "region_name": place.get("region", ""),
            "zone": place.get("zone", ""),
            "options": self.values(self.option_names, keep_empty=False),
        }
