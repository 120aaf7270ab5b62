"""Writes for geography, population, deprivation and the rate catalogue.

Each function replaces what it is given as a whole, inside the caller's transaction, so loading the
same data twice leaves one copy.
"""

import hashlib
from pathlib import Path

import pandas as pd
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from needs import columns as c
from needs.importers import rates as rates_parser
from needs.models import (
    MAX_AGE,
    Area,
    Condition,
    DatasetKind,
    DatasetVersion,
    Denominator,
    Deprivation,
    Locality,
    LocalityArea,
    LocalityScheme,
    PopulationEstimate,
    PopulationProjection,
    PrevalenceRate,
    RelativeRisk,
)

AREA_FIELDS = ["name", "parent", "geometry", "geometry_simplified", "valid_from", "is_synthetic"]


@transaction.atomic
def areas_upsert(*, areas: pd.DataFrame, is_synthetic: bool) -> dict[str, int]:
    """Create or update areas, parents before children. Returns code → id.

    `areas`: area_code, name, level, parent_code, geometry (GeoJSON), and optionally
    geometry_simplified and valid_from. Rows must be ordered parents first.
    """
    ids: dict[str, int] = {}
    for level in areas["level"].unique():
        rows = areas[areas["level"] == level]
        Area.objects.bulk_create(
            [_area(row, ids, is_synthetic) for row in rows.itertuples(index=False)],
            update_conflicts=True,
            unique_fields=["code", "level"],
            update_fields=AREA_FIELDS,
        )
        ids |= dict(
            Area.objects.filter(level=level, code__in=list(rows[c.AREA_CODE])).values_list(
                "code", "id"
            )
        )
    return ids


def _area(row: object, ids: dict[str, int], is_synthetic: bool) -> Area:
    return Area(
        code=row.area_code,
        name=row.name,
        level=row.level,
        parent_id=ids.get(row.parent_code) if isinstance(row.parent_code, str) else None,
        geometry=row.geometry,
        geometry_simplified=getattr(row, "geometry_simplified", None),
        valid_from=getattr(row, "valid_from", None),
        is_synthetic=is_synthetic,
    )


@transaction.atomic
def population_replace(*, population: pd.DataFrame, area_ids: dict[str, int]) -> int:
    """Replace the population of these areas for the years given. Returns rows written."""
    codes = population[c.AREA_CODE].unique()
    PopulationEstimate.objects.filter(
        area_id__in=[area_ids[code] for code in codes],
        year__in=[int(y) for y in population[c.YEAR].unique()],
    ).delete()
    rows = [
        PopulationEstimate(
            area_id=area_ids[code], year=int(year), sex=sex, age=int(age), count=float(count)
        )
        for code, year, sex, age, count in population[
            [c.AREA_CODE, c.YEAR, c.SEX, c.AGE, c.COUNT]
        ].itertuples(index=False)
    ]
    PopulationEstimate.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


@transaction.atomic
def projections_replace(*, projections: pd.DataFrame, area_ids: dict[str, int], source: str) -> int:
    """Replace the projections of these authorities. Returns rows written."""
    codes = projections[c.AREA_CODE].unique()
    PopulationProjection.objects.filter(area_id__in=[area_ids[code] for code in codes]).delete()
    rows = [
        PopulationProjection(
            area_id=area_ids[code],
            year=int(year),
            sex=sex,
            age=int(age),
            count=float(count),
            source=source,
        )
        for code, year, sex, age, count in projections[
            [c.AREA_CODE, c.YEAR, c.SEX, c.AGE, c.COUNT]
        ].itertuples(index=False)
    ]
    PopulationProjection.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


@transaction.atomic
def deprivation_replace(
    *, deprivation: pd.DataFrame, area_ids: dict[str, int], edition: str
) -> int:
    Deprivation.objects.filter(
        area_id__in=[area_ids[code] for code in deprivation[c.AREA_CODE]], edition=edition
    ).delete()
    rows = [
        Deprivation(
            area_id=area_ids[code], edition=edition, score=score, rank=int(rank), decile=int(decile)
        )
        for code, score, rank, decile in deprivation[
            [c.AREA_CODE, "imd_score", "imd_rank", "imd_decile"]
        ].itertuples(index=False)
    ]
    Deprivation.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def locality_scheme_replace(
    *,
    name: str,
    description: str,
    membership: pd.DataFrame,
    area_ids: dict[str, int],
    is_synthetic: bool,
) -> LocalityScheme:
    """Create or replace a scheme. `membership`: area_code, locality_code, locality_name."""
    scheme, _ = LocalityScheme.objects.update_or_create(
        name=name, defaults={"description": description, "is_synthetic": is_synthetic}
    )
    scheme.localities.all().delete()
    localities = membership[[c.LOCALITY_CODE, c.LOCALITY_NAME]].drop_duplicates()
    created = Locality.objects.bulk_create(
        Locality(scheme=scheme, code=code, name=name)
        for code, name in localities.itertuples(index=False)
    )
    locality_ids = {loc.code: loc.pk for loc in created}
    if not all(locality_ids.values()):  # backends that do not return ids from bulk_create
        locality_ids = dict(scheme.localities.values_list("code", "id"))
    LocalityArea.objects.bulk_create(
        LocalityArea(locality_id=locality_ids[loc], area_id=area_ids[area])
        for area, loc in membership[[c.AREA_CODE, c.LOCALITY_CODE]].itertuples(index=False)
    )
    return scheme


CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "prevalence_rates.csv"


class ImportRefused(ValueError):
    """A file that failed validation: nothing was written. `errors` lists what to fix."""

    def __init__(self, errors: list[str], total: int) -> None:
        self.errors = errors
        self.total = total
        more = f" (first {len(errors)} of {total} shown)" if total > len(errors) else ""
        super().__init__(f"{total} problem(s){more}:\n" + "\n".join(errors))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dataset_version_record(
    *,
    kind: str,
    path: Path | None,
    name: str,
    rows: int,
    user: AbstractBaseUser | None = None,
    warnings: list[str] | None = None,
    is_synthetic: bool = False,
    sha256: str = "",
) -> DatasetVersion:
    """Record a load. The same file loaded again (same SHA-256) is recognised: its earlier
    version is retired in favour of the new one, and the new one says so in its warnings."""
    digest = sha256 or (file_sha256(path) if path else "")
    earlier = DatasetVersion.objects.filter(kind=kind, sha256=digest, retired_at__isnull=True)
    notes = list(warnings or [])
    if digest and earlier.exists():
        notes.append(f"The same file was loaded before as version {earlier.first().pk}.")
    earlier.update(retired_at=timezone.now())
    return DatasetVersion.objects.create(
        kind=kind,
        original_name=name,
        sha256=digest,
        rows=rows,
        warnings=notes,
        created_by=user if user is not None and user.is_authenticated else None,
        is_synthetic=is_synthetic,
    )


def dataset_version_retire(*, version: DatasetVersion) -> None:
    DatasetVersion.objects.filter(pk=version.pk, retired_at__isnull=True).update(
        retired_at=timezone.now()
    )


@transaction.atomic
def rates_load(*, path: Path, name: str | None = None, user: AbstractBaseUser | None = None) -> int:
    """Validate a whole rates file, then replace those conditions' rates from its sources.

    Returns the number of rate rows written, and records the file as a dataset version. Raises
    ImportRefused, writing nothing, on any error.
    """
    parsed = rates_parser.parse(path, max_age=MAX_AGE, name=name)
    if parsed.errors:
        raise ImportRefused(parsed.errors, parsed.total_errors)
    rows = rates_write(rates=parsed.rates)
    dataset_version_record(
        kind=DatasetKind.RATES, path=path, name=name or path.name, rows=rows, user=user
    )
    return rows


@transaction.atomic
def rates_write(*, rates: pd.DataFrame) -> int:
    """Replace the rates of the conditions in a parsed rates table. Returns rows written."""
    conditions = {code: _condition(group) for code, group in rates.groupby("condition_code")}
    # A file holds the whole rate table of each condition in it: replace, never mix, so bands
    # from an older table cannot overlap the new ones.
    PrevalenceRate.objects.filter(condition__in=conditions.values()).delete()
    PrevalenceRate.objects.bulk_create(
        PrevalenceRate(condition=conditions[row.condition_code], **_rate_fields(row))
        for row in rates.itertuples(index=False)
    )
    return len(rates)


@transaction.atomic
def relative_risks_write(*, risks: pd.DataFrame, condition_ids: dict[str, int]) -> int:
    """Replace the relative risks of the conditions in a parsed risk table. Returns rows."""
    RelativeRisk.objects.filter(
        condition_id__in=[condition_ids[code] for code in risks["condition_code"]]
    ).delete()
    RelativeRisk.objects.bulk_create(
        RelativeRisk(
            condition_id=condition_ids[row.condition_code],
            imd_quintile=int(row.imd_quintile),
            relative_risk=float(row.relative_risk),
            source=row.source,
            source_year=int(row.source_year),
            source_url=row.source_url,
        )
        for row in risks.itertuples(index=False)
    )
    return len(risks)


def rate_catalogue_load(*, path: Path = CATALOGUE_PATH) -> int:
    """Load the shipped catalogue of published prevalence rates (idempotent). Returns rows."""
    return rates_load(path=path)


def _condition(rows: pd.DataFrame) -> Condition:
    first = rows.iloc[0]
    condition, _ = Condition.objects.get_or_create(
        code=first["condition_code"], defaults={"name": first["condition_name"]}
    )
    # Optional columns left empty keep what the catalogue already says.
    condition.name = first["condition_name"] or condition.name
    condition.description = first["condition_description"] or condition.description
    condition.group = first["condition_group"] or condition.group
    condition.denominator = first["denominator"] or condition.denominator or Denominator.POPULATION
    condition.save()
    return condition


def _optional(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


def _rate_fields(row: object) -> dict[str, object]:
    return {
        "sex": row.sex,
        "age_min": int(row.age_min),
        "age_max": None if pd.isna(row.age_max) else int(row.age_max),
        "rate": float(row.rate),
        "lower": _optional(row.lower),
        "upper": _optional(row.upper),
        "source": row.source,
        "source_table": row.source_table,
        "source_year": int(row.source_year),
        "source_url": row.source_url,
        "source_cell": row.source_cell,
        "status": row.status,
        "interval_method": row.interval_method,
        "role": row.role,
        "notes": row.notes,
    }
