"""The connection registry: which cloud software, which keys, which region, and the connection tying them.

Names are the user's handles, unique per type and used in URLs. A driver, credential or region in
use by a connection cannot be deleted (PROTECT), and all four parts of a connection share one
provider.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
name_validator = RegexValidator(
    NAME_PATTERN,
    "Use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit.",
)


class Registration(models.Model):
    name = models.CharField(max_length=100, unique=True, validators=[name_validator])
    provider = models.CharField(max_length=50, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CloudDriver(Registration):
    """A registered cloud driver: the provider's software that Spiderweb loads to talk to it."""

    class Meta(Registration.Meta):
        verbose_name = "cloud driver"


class Credential(Registration):
    """Keys for one cloud account. Values are stored encrypted; only the key names are readable."""

    keys = models.JSONField(default=list)
    encrypted_values = models.TextField()

    class Meta(Registration.Meta):
        pass


class Region(Registration):
    """A cloud region, optionally narrowed to one zone, with the driver's optional region settings."""

    region = models.CharField(max_length=100)
    zone = models.CharField(max_length=100, blank=True, default="")
    options = models.JSONField(default=dict, blank=True)

    class Meta(Registration.Meta):
        pass


class Connection(Registration):
    """Driver + credential + region of one provider: the handle every resource call names."""

    driver = models.ForeignKey(CloudDriver, on_delete=models.PROTECT, related_name="connections")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="connections")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="connections")

    class Meta(Registration.Meta):
        pass
