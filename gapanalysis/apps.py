from django.apps import AppConfig


class GapanalysisConfig(AppConfig):
    name = "gapanalysis"
    verbose_name = "Gap analysis"
