"""Every cloud mutation (and every refresh) is an Operation: who asked what, and how it ended."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from connections.models import Connection


class OperationState(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


FINISHED_STATES = (OperationState.SUCCEEDED, OperationState.FAILED)


class Operation(models.Model):
    """A tracked unit of background work, created before its task is enqueued.

    `params` holds what the task needs to redo the work (never a secret); `result` the answer,
    `sealed_secret` a secret shown once;
    `error_*` the failure. A sweeper fails operations whose worker died (see
    `resources.operations.runner.operations_sweep`).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    connection = models.ForeignKey(
        Connection, on_delete=models.SET_NULL, null=True, blank=True, related_name="operations"
    )
    connection_name = models.CharField(max_length=100, blank=True, default="")
    action = models.CharField(max_length=64)
    target_kind = models.CharField(max_length=32, blank=True, default="")
    target_name = models.CharField(max_length=100, blank=True, default="")
    resource = models.ForeignKey(
        "resources.Resource", on_delete=models.SET_NULL, null=True, blank=True, related_name="operations"
    )
    state = models.CharField(max_length=16, choices=OperationState.choices, default=OperationState.PENDING)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # A secret the answer carries once (a new key pair's private key), sealed like credentials and
    # erased when it is first handed out.
    sealed_secret = models.TextField(blank=True, default="")
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    error_field = models.CharField(max_length=200, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    # Progress of work made of many steps (an inventory refresh: one step per connection and kind).
    progress_total = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_failed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"], name="operation_state_created")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_name} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def duration_ms(self) -> int | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds() * 1000)
