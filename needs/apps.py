from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NeedsConfig(AppConfig):
    name = "needs"
    verbose_name = "Need: geography, population, deprivation, prevalence"

    def ready(self) -> None:
        from needs.data_generation import triggers_install_after_migrate

        post_migrate.connect(
            triggers_install_after_migrate, sender=self, dispatch_uid="needs-data-triggers"
        )
