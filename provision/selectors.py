"""Reads: the only place where services become DataFrames."""

import pandas as pd

from needs import columns as c
from provision.models import Service

SERVICE_COLUMNS = [c.SERVICE_CODE, "name", c.CAPACITY, c.SPEND, c.AGE_MIN, c.AGE_MAX]


def services_frame(*, service_type: str, capacity_unit: str) -> pd.DataFrame:
    """Services of one type measured in one unit: code, name, capacity, spend, ages served."""
    rows = Service.objects.filter(service_type=service_type, capacity_unit=capacity_unit)
    records = rows.values_list("code", "name", "capacity", "annual_spend", "age_min", "age_max")
    frame = pd.DataFrame.from_records(list(records), columns=SERVICE_COLUMNS)
    return frame.astype({c.SPEND: float, c.AGE_MAX: float, c.CAPACITY: float})


def catchment_frame(*, service_codes: list[str]) -> pd.DataFrame:
    """service_code, area_code (at whatever level the catchment was given)."""
    through = Service.catchment.through.objects.filter(service__code__in=service_codes)
    rows = through.values_list("service__code", "area__code")
    return pd.DataFrame.from_records(list(rows), columns=[c.SERVICE_CODE, c.AREA_CODE])
