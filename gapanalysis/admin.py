from django.contrib import admin

from gapanalysis.models import AnalysisRun, GapResult, Norm, RunMap


@admin.register(Norm)
class NormAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "condition", "service_type", "share", "capacity_unit"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Runs and results are made by the analysis, never edited: a finished run never changes."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AnalysisRun)
class AnalysisRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "status", "progress", "condition", "year", "created_by", "created_at"]
    list_filter = ["status"]


@admin.register(GapResult)
class GapResultAdmin(ReadOnlyAdmin):
    list_display = ["run", "level", "unit_name", "expected_cases", "capacity", "gap_people"]
    list_filter = ["level", "run"]
    search_fields = ["unit_name", "unit_code"]


@admin.register(RunMap)
class RunMapAdmin(ReadOnlyAdmin):
    list_display = ["run", "kind", "title"]
    exclude = ["html"]
