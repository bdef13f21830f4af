"""How fresh Spiderweb's picture of each (connection, kind) is."""

from __future__ import annotations

from django.db import models

from connections.models import Connection


class RefreshOutcome(models.TextChoices):
    NEVER = "never", "Never refreshed"
    OK = "ok", "OK"
    FAILED = "failed", "Failed"


class Freshness(models.Model):
    """The last inventory listing of one kind on one connection: when, how long, and how it went.

    `last_success_at` dates the records; `outcome`/`error_*` describe the latest attempt, so a
    failing region keeps showing its last good data together with why it is not fresher.
    """

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="freshness")
    kind = models.CharField(max_length=32)
    outcome = models.CharField(max_length=16, choices=RefreshOutcome.choices, default=RefreshOutcome.NEVER)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    resource_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "kind"], name="freshness_unique")]
        verbose_name_plural = "freshness"

    def __str__(self) -> str:
        return f"{self.connection_id}/{self.kind}: {self.outcome}"
