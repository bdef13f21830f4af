"""One row per cloud object Spiderweb knows: the name↔id map and the inventory in one table."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from connections.models import Connection


class Kind:
    """Names of the built-in kinds, for code that means one in particular.

    Which kinds exist, and everything about them, is declared in `resources.kinds`: the column
    below takes any declared name, so a new kind needs no migration and need not be added here.
    """

    VPC = "vpc"
    SUBNET = "subnet"
    SECURITY_GROUP = "security_group"
    KEY_PAIR = "key_pair"
    VM = "vm"
    DISK = "disk"
    MY_IMAGE = "my_image"
    NLB = "nlb"
    CLUSTER = "cluster"


class Lifecycle(models.TextChoices):
    """Spiderweb's own view of a record, beside the cloud's `status`."""

    CREATING = "creating", "Creating"
    READY = "ready", "Ready"
    DELETING = "deleting", "Deleting"
    FAILED = "failed", "Failed"


class ResourceQuerySet(models.QuerySet["Resource"]):
    def update(self, **kwargs: Any) -> int:
        """Every change moves `updated_at`, the version the cached API answers are keyed by."""
        kwargs.setdefault("updated_at", timezone.now())
        parents = list(self.filter(kind=Kind.SUBNET, parent__isnull=False).values_list("parent_id", flat=True))
        count = super().update(**kwargs)
        if parents:  # a VPC's answer lists its subnets
            Resource.objects.filter(pk__in=parents).update()
        return count


class Resource(models.Model):
    """A cloud object of one connection.

    `name` is the user's handle (unique per connection and kind); `cloud_name` the name Spiderweb
    gave the driver (unique at the cloud, see `resources.services.naming`); `system_id` the cloud's
    own id. `managed` rows were created or registered through Spiderweb; discovered rows were only
    seen at the cloud. `info` keeps the driver's last answer as JSON.
    """

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=32, help_text="A kind declared in resources.kinds.")
    name = models.CharField(max_length=100)
    cloud_name = models.CharField(max_length=255, blank=True, default="")
    system_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    lifecycle = models.CharField(max_length=16, choices=Lifecycle.choices, default=Lifecycle.CREATING)
    status = models.CharField(max_length=32, blank=True, default="")
    region = models.CharField(max_length=100, blank=True, default="")
    zone = models.CharField(max_length=100, blank=True, default="")
    tags = models.JSONField(default=dict, blank=True)
    info = models.JSONField(default=dict, blank=True)
    managed = models.BooleanField(default=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    missing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "kind", "name"], name="resource_unique_name"),
        ]
        indexes = [
            models.Index(fields=["connection", "kind", "system_id"], name="resource_system_id"),
            models.Index(fields=["kind", "status"], name="resource_kind_status"),
        ]
        ordering = ["connection_id", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.connection_id}/{self.kind}/{self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self._touch_parent()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        deleted = super().delete(*args, **kwargs)
        self._touch_parent()
        return deleted

    def _touch_parent(self) -> None:
        if self.kind == Kind.SUBNET and self.parent_id:
            Resource.objects.filter(pk=self.parent_id).update()
