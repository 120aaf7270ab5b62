from django.contrib import admin

from provision.models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "provider",
        "provider_type",
        "funder",
        "category",
        "service_type",
        "capacity",
        "capacity_unit",
        "annual_spend",
        "financial_year",
        "is_synthetic",
    ]
    list_filter = ["category", "funder", "provider_type", "financial_year", "is_synthetic"]
    search_fields = ["name", "provider", "code", "service_type"]
    raw_id_fields = ["site_area"]
    filter_horizontal = ["catchment"]
