"""Spiderweb: a multi-cloud infrastructure control plane."""

from spiderweb.celery import app as celery_app

__all__ = ["celery_app"]
