"""Reads of what services record, as frames for the pure functions (recorded.attribution,
needs.recorded, needs.benchmarking, needs.trends)."""

import pandas as pd
from django.db.models import Max, Sum

from needs.models import AreaLevel, LsoaBestFit
from recorded import attribution as a
from recorded.models import (
    ENGLAND_CODE,
    IndicatorValue,
    Practice,
    PracticeLsoaPatients,
    QofRegister,
    TalkingTherapiesActivity,
)


def qof_years() -> list[int]:
    return sorted(QofRegister.objects.values_list("year", flat=True).distinct())


def registers_frame(*, year: int, conditions: list[str]) -> pd.DataFrame:
    """practice_code, condition, register, list_size, age_min, age_max for one QOF year."""
    rows = QofRegister.objects.filter(year=year, condition__in=conditions).values(
        "practice_code", "condition", "register", "list_size", "age_min", "age_max"
    )
    columns = [a.PRACTICE_CODE, "condition", a.REGISTER, a.LIST_SIZE, "age_min", "age_max"]
    return pd.DataFrame.from_records(list(rows), columns=columns)


def practice_names() -> dict[str, str]:
    """ODS code → practice name, for the practices whose sites are loaded."""
    return dict(Practice.objects.values_list("code", "name"))


def qof_totals_frame(*, conditions: list[str]) -> pd.DataFrame:
    """year, condition, register, list_size: the area's registers and list sizes added up per QOF
    year (the practices loaded, which are the area's)."""
    rows = (
        QofRegister.objects.filter(condition__in=conditions)
        .values("year", "condition")
        .annotate(register=Sum("register"), list_size=Sum("list_size"))
        .values_list("year", "condition", "register", "list_size")
    )
    columns = ["year", "condition", a.REGISTER, a.LIST_SIZE]
    return pd.DataFrame.from_records(list(rows), columns=columns).sort_values(["condition", "year"])


def sites_frame() -> pd.DataFrame:
    """practice_code, area_code: the LSOA 2021 each practice's site lies in (empty if none)."""
    rows = Practice.objects.values_list("code", "area__code")
    frame = pd.DataFrame.from_records(list(rows), columns=[a.PRACTICE_CODE, a.AREA_CODE])
    return frame.fillna({a.AREA_CODE: ""})


def patients_frame() -> pd.DataFrame:
    """practice_code, area_code (LSOA 2021; empty for patients living outside the loaded areas),
    patients: the latest extract, all sexes. Patients counted by LSOA 2011 are carried to LSOA
    2021 by the ONS best fit, an LSOA split in 2021 shared equally among its parts."""
    columns = [a.PRACTICE_CODE, a.AREA_CODE, a.PATIENTS]
    latest = PracticeLsoaPatients.objects.aggregate(latest=Max("extract_date"))["latest"]
    if latest is None:
        return pd.DataFrame(columns=columns)
    rows = PracticeLsoaPatients.objects.filter(extract_date=latest).values_list(
        "practice_code", "vintage", "lsoa_code", "area__code", "sex", "patients"
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=[a.PRACTICE_CODE, "vintage", "lsoa_code", "area", "sex", a.PATIENTS]
    )
    everyone = frame[frame["sex"] == "ALL"]
    if everyone.empty:  # only by sex: the sexes added
        everyone = frame.groupby(
            [a.PRACTICE_CODE, "vintage", "lsoa_code", "area"], as_index=False, dropna=False
        )[a.PATIENTS].sum()
    everyone = everyone.assign(area=everyone["area"].fillna(""))
    current = everyone[everyone["vintage"] == AreaLevel.LSOA21]
    current = current.rename(columns={"area": a.AREA_CODE})
    older = _carried_to_2021(everyone[everyone["vintage"] != AreaLevel.LSOA21])
    return pd.concat([current[columns], older[columns]], ignore_index=True)


def _carried_to_2021(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame.rename(columns={"area": a.AREA_CODE})
    pairs = pd.DataFrame.from_records(
        list(
            LsoaBestFit.objects.filter(lsoa11_code__in=set(frame["area"]) - {""}).values_list(
                "lsoa11_code", "lsoa21_code"
            )
        ),
        columns=["area", a.AREA_CODE],
    )
    parts = pairs.groupby("area")[a.AREA_CODE].transform("count")
    pairs = pairs.assign(part=1.0 / parts)
    carried = frame.merge(pairs, on="area", how="left")
    carried["part"] = carried["part"].fillna(1.0)
    carried[a.AREA_CODE] = carried[a.AREA_CODE].fillna("")
    return carried.assign(**{a.PATIENTS: carried[a.PATIENTS] * carried["part"]})


def attributed_registers(*, year: int, conditions: list[str]) -> a.Attributed:
    """The year's registers placed in small areas by the practices-to-places rule."""
    return a.attribute_registers(
        registers_frame(year=year, conditions=conditions), patients_frame(), sites_frame()
    )


def england_values(*, indicators: list[str], year: int) -> dict[str, float]:
    """England's value (as published) of each of these indicators for the period starting in
    `year`, from any source that loaded it."""
    rows = IndicatorValue.objects.filter(
        area_code=ENGLAND_CODE, indicator__in=indicators, year=year, value__isnull=False
    ).values_list("indicator", "value")
    return dict(rows)


def talking_therapies_frame() -> pd.DataFrame:
    """area_code, area_name, is_england, month, measure, unit, value."""
    rows = TalkingTherapiesActivity.objects.values_list(
        "area_code", "area_name", "is_england", "month", "measure", "unit", "value"
    )
    columns = ["area_code", "area_name", "is_england", "month", "measure", "unit", "value"]
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    return frame.assign(area_name=frame["area_name"].fillna(frame["area_code"]))


def indicator_frame(*, source: str, indicators: list[str]) -> pd.DataFrame:
    """source, indicator, area_code, area_name, period, year, value, lower, upper, numerator,
    denominator, england_source."""
    rows = IndicatorValue.objects.filter(source=source, indicator__in=indicators).values_list(
        "indicator", "area_code", "area__name", "period", "year", "value", "lower", "upper",
        "england_source",
    )  # fmt: skip
    columns = [
        "indicator", "area_code", "area_name", "period", "year", "value", "lower", "upper",
        "england_source",
    ]  # fmt: skip
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    return frame.assign(area_name=frame["area_name"].fillna(frame["area_code"]))


def generic_indicator_frame(*, exclude_sources: list[str]) -> pd.DataFrame:
    """Every indicator value not from `exclude_sources`: source, indicator, area_code,
    area_name, period, value, lower, upper, numerator, denominator, is_comparator, is_local
    (the area is loaded here)."""
    rows = IndicatorValue.objects.exclude(source__in=exclude_sources).values_list(
        "source", "indicator", "area_code", "area__name", "period", "value", "lower", "upper",
        "numerator", "denominator", "is_comparator", "area_id",
    )  # fmt: skip
    columns = [
        "source", "indicator", "area_code", "area_name", "period", "value", "lower", "upper",
        "numerator", "denominator", "is_comparator", "area_id",
    ]  # fmt: skip
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    frame["is_local"] = frame["area_id"].notna() & ~frame["is_comparator"].astype(bool)
    return frame.drop(columns=["area_id"]).assign(
        area_name=frame["area_name"].fillna(frame["area_code"])
    )
