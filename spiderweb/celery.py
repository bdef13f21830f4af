"""The Celery application shared by the web process and every worker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spiderweb.settings")

app = Celery("spiderweb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
