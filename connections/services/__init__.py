"""Use cases of the connection registry, and the one bridge from Django to the drivers.

Typed, keyword-only, named `<entity>_<action>`; one module per entity, re-exported here so callers
write `from connections import services; services.credential_create(...)`. Every write validates
against the installed driver's declaration (credential keys, region fields and options), refuses
duplicate names and in-use deletes, and never lets a credential value out: errors name keys, never
values.
"""

from connections.services.common import Refusals, cloud_failures, free_name, provider_get, registration_get
from connections.services.connection import (
    VerifyResult,
    connection_call,
    connection_check,
    connection_create,
    connection_delete,
    connection_info,
    connection_open,
    connection_register,
    connection_update,
    connection_verify,
)
from connections.services.credential import (
    NewCredential,
    credential_create,
    credential_delete,
    credential_resolve,
    credential_update,
    credential_values,
    credentials_reencrypt,
)
from connections.services.driver import driver_create, driver_delete, driver_for_provider, driver_update
from connections.services.places import (
    Place,
    PlacesReport,
    places_discover,
    places_offered,
    places_register,
    region_zones_discover,
)
from connections.services.region import NewRegion, region_create, region_delete, region_resolve, region_update

__all__ = [
    "NewCredential",
    "NewRegion",
    "Place",
    "PlacesReport",
    "Refusals",
    "VerifyResult",
    "cloud_failures",
    "connection_call",
    "connection_check",
    "connection_create",
    "connection_delete",
    "connection_info",
    "connection_open",
    "connection_register",
    "connection_update",
    "connection_verify",
    "credential_create",
    "credential_delete",
    "credential_resolve",
    "credential_update",
    "credential_values",
    "credentials_reencrypt",
    "driver_create",
    "driver_delete",
    "driver_for_provider",
    "driver_update",
    "free_name",
    "places_discover",
    "places_offered",
    "places_register",
    "provider_get",
    "region_create",
    "region_delete",
    "region_resolve",
    "region_update",
    "region_zones_discover",
    "registration_get",
]
