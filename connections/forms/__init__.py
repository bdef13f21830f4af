"""Dashboard forms of the connection registry: Django forms built from a provider's field specs.

Forms parse and show; every rule stays in `connections.services`. See `base` for how a provider's
fields become inputs and how a service's refusal finds its input.
"""

from connections.forms.base import RegistryForm, spec_field
from connections.forms.edit import ConnectionEditForm, CredentialEditForm, RegionEditForm
from connections.forms.register import ConnectionRegisterForm, DiscoverForm, PlacesForm, ProviderPartsForm

__all__ = [
    "ConnectionEditForm",
    "ConnectionRegisterForm",
    "CredentialEditForm",
    "DiscoverForm",
    "PlacesForm",
    "ProviderPartsForm",
    "RegionEditForm",
    "RegistryForm",
    "spec_field",
]
