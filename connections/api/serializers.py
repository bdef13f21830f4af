"""Input and output shapes of the registry API (snake_case; extend, don't rename)."""

from __future__ import annotations

from rest_framework import serializers

from connections import selectors
from connections.models import NAME_PATTERN, CloudDriver, Connection, Credential, Region

NAME_HELP = "The user's handle: 1-100 letters, digits, '.', '_' or '-'."


def name_field(*, required: bool = True) -> serializers.RegexField:
    return serializers.RegexField(
        NAME_PATTERN,
        max_length=100,
        required=required,
        help_text=NAME_HELP,
        error_messages={"invalid": "Use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit."},
    )


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo is a 400 instead of silently ignored."""

    def to_internal_value(self, data: object) -> object:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({unknown[0]: ["Unknown field."]})
        return super().to_internal_value(data)


# --- inputs -----------------------------------------------------------------------------------------


class DriverIn(StrictSerializer):
    name = name_field()
    provider = serializers.CharField(max_length=50, help_text="Lower-case provider name, e.g. `mock`, `aws`.")


class CredentialIn(StrictSerializer):
    name = name_field()
    provider = serializers.CharField(max_length=50)
    values = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        help_text="The provider's credential keys and their values (see `providers/`). Never shown again.",
    )


class RegionIn(StrictSerializer):
    name = name_field()
    provider = serializers.CharField(max_length=50)
    region = serializers.CharField(max_length=100)
    zone = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    options = serializers.DictField(required=False, default=dict, help_text="The driver's optional region fields.")


class ConnectionIn(StrictSerializer):
    name = name_field()
    driver = serializers.CharField(max_length=100)
    credential = serializers.CharField(max_length=100)
    region = serializers.CharField(max_length=100)


# --- outputs ----------------------------------------------------------------------------------------


class DriverOut(serializers.ModelSerializer):
    class Meta:
        model = CloudDriver
        fields = ["name", "provider", "created_at", "updated_at"]


class CredentialOut(serializers.ModelSerializer):
    class Meta:
        model = Credential
        fields = ["name", "provider", "keys", "created_at", "updated_at"]


class RegionOut(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["name", "provider", "region", "zone", "options", "created_at", "updated_at"]


class ConnectionOut(serializers.ModelSerializer):
    driver = serializers.CharField(source="driver.name")
    credential = serializers.CharField(source="credential.name")
    region = serializers.CharField(source="region.name")
    region_name = serializers.CharField(source="region.region", help_text="The cloud's region.")
    zone = serializers.CharField(source="region.zone")

    class Meta:
        model = Connection
        fields = [
            "name",
            "provider",
            "driver",
            "credential",
            "region",
            "region_name",
            "zone",
            "created_at",
            "updated_at",
        ]


class FieldSpecOut(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # named like a Field attribute
    secret = serializers.BooleanField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # named like a Field attribute
    kind = serializers.CharField()
    minimum = serializers.FloatField(allow_null=True)
    maximum = serializers.FloatField(allow_null=True)
    help = serializers.CharField()


# One flag per handler family, declared from the drivers' own list so a new family cannot be left out.
DriverCapabilitiesOut = type(
    "DriverCapabilitiesOut",
    (serializers.Serializer,),
    {
        "__doc__": "What a driver can do: one flag per handler family, and what a supported family still cannot.",
        "__module__": __name__,
        **{
            family: serializers.BooleanField(help_text=f"Whether the driver manages {what}.")
            for family, what in selectors.capability_families().items()
        },
        "unsupported": serializers.ListField(
            child=serializers.CharField(), help_text="Operations a supported family still cannot do, e.g. vm.suspend."
        ),
        "tag_kinds": serializers.ListField(child=serializers.CharField(), help_text="The kinds that take tags."),
        "anycall_fids": serializers.ListField(
            child=serializers.CharField(), help_text="The AnyCall function ids the driver offers."
        ),
        "notes": serializers.DictField(
            child=serializers.CharField(), help_text="The driver's remarks per family or operation."
        ),
    },
)


class ProviderOut(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # named like a Field attribute
    credential_fields = FieldSpecOut(many=True)
    region_fields = FieldSpecOut(many=True)
    region_options = FieldSpecOut(many=True)
    capabilities = DriverCapabilitiesOut()


class VerifyOut(serializers.Serializer):
    ok = serializers.BooleanField()
    connection = serializers.CharField()
    provider = serializers.CharField()
    region = serializers.CharField()
    zone = serializers.CharField()
    elapsed_ms = serializers.IntegerField()


class CapabilitiesOut(DriverCapabilitiesOut):  # type: ignore[valid-type,misc]
    """A connection's capabilities: its driver's, under the connection's name."""

    connection = serializers.CharField()
    provider = serializers.CharField()
