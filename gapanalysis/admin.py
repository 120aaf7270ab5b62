from django.contrib import admin

from gapanalysis.models import (
    AnalysisRun,
    GapResult,
    GroupResult,
    Norm,
    RunMap,
    UnmetNeedStatement,
)


@admin.register(Norm)
class NormAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "condition", "share", "capacity_unit", "is_local"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Runs and results are made by the analysis, never edited: a finished run never changes."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AnalysisRun)
class AnalysisRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "status", "progress", "year", "created_by", "created_at"]
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


@admin.register(UnmetNeedStatement)
class UnmetNeedStatementAdmin(ReadOnlyAdmin):
    list_display = ["run", "rank", "unit_name", "norm_code", "text"]
    list_filter = ["run"]


@admin.register(GroupResult)
class GroupResultAdmin(ReadOnlyAdmin):
    list_display = ["run", "norm_code", "group_type", "group", "expected_cases", "coverage_ratio"]
    list_filter = ["run", "group_type"]
