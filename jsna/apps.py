from django.apps import AppConfig
from django.db.models.signals import post_migrate


class JsnaConfig(AppConfig):
    name = "jsna"
    verbose_name = "JSNA project"

    def ready(self) -> None:
        from django.urls import register_converter

        from jsna.converters import IdConverter
        from jsna.roles import roles_sync_after_migrate

        register_converter(IdConverter, "id")  # <id:pk> in every app's URLs

        # Groups and their permissions exist after every migrate, on every database. Sent once
        # per app after that app's permissions are made; the sync is idempotent.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="jsna-roles-sync")
