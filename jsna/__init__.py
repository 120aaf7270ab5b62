"""The Django project: settings, URLs, the Celery app, roles and the home page."""

from jsna.celery import app as celery_app

__all__ = ["celery_app"]
