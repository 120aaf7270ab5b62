from django.contrib import admin

from provision.models import Service, ServiceFunding, ServiceSite


class FundingInline(admin.TabularInline):
    model = ServiceFunding
    extra = 0


class SiteInline(admin.TabularInline):
    model = ServiceSite
    raw_id_fields = ["area"]
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "provider",
        "provider_type",
        "category",
        "service_type",
        "capacity",
        "capacity_unit",
        "annual_spend",
        "financial_year",
        "is_synthetic",
    ]
    list_filter = ["financial_year", "category", "provider_type", "is_synthetic"]
    search_fields = ["name", "provider", "code", "service_type"]
    filter_horizontal = ["catchment"]
    inlines = [FundingInline, SiteInline]
