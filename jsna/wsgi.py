"""WSGI entry point (gunicorn jsna.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jsna.settings")

application = get_wsgi_application()
