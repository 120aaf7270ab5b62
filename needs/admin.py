from django.contrib import admin

from needs.models import (
    Area,
    Condition,
    DatasetVersion,
    Deprivation,
    Locality,
    LocalityArea,
    LocalityScheme,
    PopulationEstimate,
    PrevalenceRate,
)
from needs.services import dataset_version_retire


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "valid_from", "is_synthetic"]
    list_filter = ["level", "is_synthetic"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    exclude = ["geometry_simplified"]


class LocalityAreaInline(admin.TabularInline):
    model = LocalityArea
    raw_id_fields = ["area"]
    extra = 0


@admin.register(LocalityScheme)
class LocalitySchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "is_synthetic"]


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "scheme"]
    list_filter = ["scheme"]
    search_fields = ["name", "code"]
    inlines = [LocalityAreaInline]


@admin.register(PopulationEstimate)
class PopulationEstimateAdmin(admin.ModelAdmin):
    list_display = ["area", "year", "sex", "age", "count", "is_modelled"]
    list_filter = ["year", "sex", "is_modelled"]
    search_fields = ["area__code", "area__name"]
    raw_id_fields = ["area"]
    list_select_related = ["area"]


@admin.register(Deprivation)
class DeprivationAdmin(admin.ModelAdmin):
    list_display = ["area", "edition", "score", "rank", "decile"]
    list_filter = ["edition", "decile"]
    search_fields = ["area__code", "area__name"]
    raw_id_fields = ["area"]
    list_select_related = ["area"]


class PrevalenceRateInline(admin.TabularInline):
    model = PrevalenceRate
    extra = 0


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "denominator"]
    search_fields = ["name", "code"]
    inlines = [PrevalenceRateInline]


@admin.register(PrevalenceRate)
class PrevalenceRateAdmin(admin.ModelAdmin):
    list_display = ["condition", "role", "sex", "age_min", "age_max", "rate", "lower", "upper",
                    "source_table", "source_cell", "status"]  # fmt: skip
    list_filter = ["condition", "role", "sex", "status", "source"]


@admin.register(DatasetVersion)
class DatasetVersionAdmin(admin.ModelAdmin):
    list_display = ["kind", "original_name", "rows", "created_by", "created_at", "retired_at"]
    list_filter = ["kind", "is_synthetic"]
    search_fields = ["original_name", "sha256"]
    readonly_fields = ["kind", "original_name", "sha256", "rows", "warnings", "created_by",
                       "created_at", "is_synthetic"]  # fmt: skip
    actions = ["retire"]

    @admin.action(description="Retire the selected versions")
    def retire(self, request, queryset) -> None:
        for version in queryset:
            dataset_version_retire(version=version)
