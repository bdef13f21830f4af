"""Django admin for superusers. Credential values are neither shown nor editable here."""

from __future__ import annotations

from django.contrib import admin

from connections.models import CloudDriver, Connection, Credential, Region


@admin.register(CloudDriver)
class CloudDriverAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "updated_at"]
    search_fields = ["name"]
    list_filter = ["provider"]


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "keys", "updated_at"]
    search_fields = ["name"]
    list_filter = ["provider"]
    # The encrypted blob is left out entirely; values change through the API or the dashboard,
    # which validate them against the provider's declared keys.
    fields = ["name", "provider", "keys", "created_at", "updated_at"]
    readonly_fields = ["provider", "keys", "created_at", "updated_at"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "region", "zone", "updated_at"]
    search_fields = ["name", "region", "zone"]
    list_filter = ["provider"]


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "driver", "credential", "region", "updated_at"]
    search_fields = ["name"]
    list_filter = ["provider"]
    list_select_related = ["driver", "credential", "region"]
