from django.contrib import admin

from gapanalysis.models import (
    AnalysisRun,
    GapResult,
    GroupResult,
    Norm,
    RunMap,
    ServiceTurnover,
    UnmetNeedStatement,
)
from gapanalysis.services import turnover_set


@admin.register(Norm)
class NormAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "condition", "measure", "age_min", "age_max", "share",
                    "is_local"]  # fmt: skip


@admin.register(ServiceTurnover)
class ServiceTurnoverAdmin(admin.ModelAdmin):
    """Analysts may set a turnover here too; it is recorded with who set it, as on the page."""

    list_display = ["service_type", "people_per_place", "source", "set_by", "updated_at"]
    readonly_fields = ["set_by", "updated_at"]

    def save_model(self, request, obj, form, change) -> None:
        saved = turnover_set(
            service_type=obj.service_type,
            people_per_place=obj.people_per_place,
            source=obj.source,
            user=request.user,
        )
        obj.pk, obj.set_by, obj.updated_at = saved.pk, saved.set_by, saved.updated_at


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
    list_display = ["run", "norm_code", "group_type", "group", "population", "expected_cases"]
    list_filter = ["run", "group_type"]
