from django.apps import AppConfig


class RecordedConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recorded"
    verbose_name = "Recorded activity and outcomes"
