"""Reads: the only place where services become DataFrames."""

import pandas as pd
from django.db.models import Max, QuerySet

from needs import columns as c
from provision.models import Service, ServiceFunding, ServiceSite

AREA_ID = "area_id"  # an Area row, keyed by id (codes repeat between LSOA vintages)
SERVICE_COLUMNS = [
    c.SERVICE_CODE, "name", "service_type", c.CAPACITY, c.SPEND, c.AGE_MIN, c.AGE_MAX,
]  # fmt: skip


def latest_financial_year() -> str | None:
    return Service.objects.aggregate(year=Max("financial_year"))["year"]


def financial_years() -> list[str]:
    # order_by() first: the model's default ordering would make .distinct() see every service.
    years = Service.objects.order_by().values_list("financial_year", flat=True).distinct()
    return sorted(years, reverse=True)


def illustrative_services_loaded() -> bool:
    return Service.objects.filter(is_synthetic=True).exists()


def any_illustrative(*, service_codes: list[str], financial_year: str) -> bool:
    """Whether any of these services is invented (flagged synthetic): illustrative services."""
    rows = Service.objects.filter(financial_year=financial_year, code__in=service_codes)
    return rows.filter(is_synthetic=True).exists()


def services_frame(
    *, financial_year: str, service_type: str | None = None, capacity_unit: str | None = None
) -> pd.DataFrame:
    """Services of one year (optionally one type and unit): code, name, capacity, spend, ages."""
    rows = Service.objects.filter(financial_year=financial_year)
    if service_type:
        rows = rows.filter(service_type=service_type)
    if capacity_unit:
        rows = rows.filter(capacity_unit=capacity_unit)
    records = rows.values_list(
        "code", "name", "service_type", "capacity", "annual_spend", "age_min", "age_max"
    )
    frame = pd.DataFrame.from_records(list(records), columns=SERVICE_COLUMNS)
    return frame.astype({c.SPEND: float, c.AGE_MAX: float, c.CAPACITY: float})


def catchment_frame(*, service_codes: list[str], financial_year: str) -> pd.DataFrame:
    """service_code, area_id (an area at whatever level and vintage the catchment was given:
    areas are keyed by id, since codes repeat between the 2011 and 2021 vintages)."""
    through = Service.catchment.through.objects.filter(
        service__code__in=service_codes, service__financial_year=financial_year
    )
    rows = through.values_list("service__code", "area_id")
    return pd.DataFrame.from_records(list(rows), columns=[c.SERVICE_CODE, AREA_ID])


def site_areas_frame(*, service_codes: list[str], financial_year: str) -> pd.DataFrame:
    """service_code, area_id of the small area each site lies in (either vintage)."""
    rows = ServiceSite.objects.filter(
        service__code__in=service_codes,
        service__financial_year=financial_year,
        area__isnull=False,
    ).values_list("service__code", "area_id")
    return pd.DataFrame.from_records(list(rows), columns=[c.SERVICE_CODE, AREA_ID])


def sites_frame(*, financial_year: str) -> pd.DataFrame:
    rows = ServiceSite.objects.filter(service__financial_year=financial_year).values_list(
        "service__code",
        "service__name",
        "service__category",
        "service__service_type",
        "service__provider",
        "name",
        "lon",
        "lat",
    )
    columns = [c.SERVICE_CODE, "service_name", "category", "service_type", "provider",
               "site_name", "lon", "lat"]  # fmt: skip
    return pd.DataFrame.from_records(list(rows), columns=columns)


def funding_frame(*, financial_years: list[str]) -> pd.DataFrame:
    """One row per service × funder: code, year, category, funder, share of spend, spend."""
    rows = ServiceFunding.objects.filter(service__financial_year__in=financial_years).values_list(
        "service__code",
        "service__financial_year",
        "service__category",
        "funder",
        "share_percent",
        "service__annual_spend",
    )
    columns = [c.SERVICE_CODE, "financial_year", "category", "funder", "share_percent", "total"]
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    frame = frame.astype({"share_percent": float, "total": float})
    return frame.assign(**{c.SPEND: frame["total"] * frame["share_percent"] / 100})


def spend_conditions_frame(*, financial_year: str) -> pd.DataFrame:
    """One row per service of the year: code, category, service type, conditions served, spend."""
    rows = Service.objects.filter(financial_year=financial_year).values_list(
        "code", "category", "service_type", "conditions", "annual_spend"
    )
    columns = [c.SERVICE_CODE, "category", "service_type", "conditions", c.SPEND]
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    return frame.astype({c.SPEND: float})


def service_list(*, financial_year: str) -> QuerySet[Service]:
    return (
        Service.objects.filter(financial_year=financial_year)
        .prefetch_related("funding", "sites")
        .order_by("category", "name")
    )
