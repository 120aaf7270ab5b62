from django.contrib import admin

from recorded.models import (
    IndicatorValue,
    Practice,
    PracticeLsoaPatients,
    QofRegister,
    TalkingTherapiesActivity,
)


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "postcode", "status", "close_date", "area", "pcn_name"]
    list_filter = ["status"]
    search_fields = ["code", "name", "postcode"]
    raw_id_fields = ["area", "dataset_version"]


@admin.register(QofRegister)
class QofRegisterAdmin(admin.ModelAdmin):
    list_display = ["practice_code", "year", "group_code", "condition", "register", "list_size"]
    list_filter = ["year", "condition"]
    search_fields = ["practice_code"]
    raw_id_fields = ["dataset_version"]


@admin.register(PracticeLsoaPatients)
class PracticeLsoaPatientsAdmin(admin.ModelAdmin):
    list_display = ["practice_code", "lsoa_code", "vintage", "extract_date", "sex", "patients"]
    list_filter = ["extract_date", "vintage"]
    search_fields = ["practice_code", "lsoa_code"]
    raw_id_fields = ["area", "dataset_version"]


@admin.register(TalkingTherapiesActivity)
class TalkingTherapiesActivityAdmin(admin.ModelAdmin):
    list_display = ["area_code", "month", "measure", "value", "unit", "is_england"]
    list_filter = ["is_england", "measure"]
    search_fields = ["area_code", "area_name"]
    raw_id_fields = ["dataset_version"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "area_code", "period", "value", "england_source", "source"]
    list_filter = ["source", "england_source"]
    search_fields = ["indicator", "area_code"]
    raw_id_fields = ["area", "dataset_version"]
