"""Writes for services."""

import pandas as pd
from django.db import transaction

from provision.models import Service

SERVICE_FIELDS = [
    "name",
    "provider",
    "provider_type",
    "funder",
    "category",
    "service_type",
    "conditions",
    "age_min",
    "age_max",
    "site_lon",
    "site_lat",
    "site_area_id",
    "capacity",
    "capacity_unit",
    "annual_spend",
    "financial_year",
    "source",
    "is_synthetic",
]


@transaction.atomic
def services_upsert(*, services: pd.DataFrame, area_ids: dict[str, int], is_synthetic: bool) -> int:
    """Create or update services by code, with their catchments. Returns the number written.

    `services`: the columns of the services template (service_code, name, provider, …,
    catchment_codes as a sequence of area codes, site_area_code).
    """
    for row in services.itertuples(index=False):
        service, _ = Service.objects.update_or_create(
            code=row.service_code, defaults=_service_fields(row, area_ids, is_synthetic)
        )
        service.catchment.set([area_ids[code] for code in row.catchment_codes])
    return len(services)


def _service_fields(row: object, area_ids: dict[str, int], is_synthetic: bool) -> dict:
    age_max = row.age_max
    return {
        "name": row.name,
        "provider": row.provider,
        "provider_type": row.provider_type,
        "funder": row.funder,
        "category": row.category,
        "service_type": row.service_type,
        "conditions": list(row.conditions),
        "age_min": int(row.age_min),
        "age_max": None if age_max is None or pd.isna(age_max) else int(age_max),
        "site_lon": float(row.lon),
        "site_lat": float(row.lat),
        "site_area_id": area_ids.get(row.site_area_code),
        "capacity": float(row.capacity),
        "capacity_unit": row.capacity_unit,
        "annual_spend": round(float(row.annual_spend), 2),
        "financial_year": row.financial_year,
        "source": row.source,
        "is_synthetic": is_synthetic,
    }
