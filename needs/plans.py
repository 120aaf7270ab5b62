"""What an import would do: the plan a file's checks produce, before anything is written.

Each kind's plan function (needs.imports, needs.geography_imports, provision.imports) parses the
whole file (needs.importers), checks it against what is loaded and returns a Plan: the typed
rows, the checks passed and failed, the errors (file, sheet, row, column), warnings and what
will change. Nothing is written. A plan without errors is written with `plan.write(progress)`,
which uploads.services.dataset_import runs in one transaction with the dataset version record,
so a failed import leaves the database as it was.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db.models import Count

from needs.importers.tables import MAX_ERRORS, Parsed
from needs.models import ANALYSIS_LEVEL, SMALL_AREA_LEVELS, Area, AreaLevel, LsoaBestFit

PREVIEW_ROWS = 10
MONEY_WORDS = ("spend", "cost", "pounds", "budget")  # a preview column of whole pounds
MAX_LISTED = 20
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ImportOptions:
    """What the analyst said about the file. `year` where the file does not say it;
    `only_loaded_areas` keeps the rows of areas loaded here and skips the rest (national
    files), instead of refusing the file for its unknown codes. `allow_incomplete` imports a
    population year that leaves some of the area's 2021 LSOAs out (marked incomplete, never the
    default year) instead of refusing it."""

    year: int | None = None
    only_loaded_areas: bool = False
    allow_incomplete: bool = False
    scheme_name: str = ""  # a custom locality scheme's name (else the file's name)
    # how a file in the analyst's own layout matches the kind's template (needs.column_mapping)
    mapping: dict | None = field(default=None, hash=False, compare=False)


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class Plan:
    """What an import would do. `write(progress)` returns the rows written."""

    kind: str
    name: str
    errors: list[str] = field(default_factory=list)
    total_errors: int = 0
    warnings: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    rows: int = 0
    write: Callable[[Progress], int] | None = None
    # Called with the dataset version once it is recorded, in the same transaction: for kinds
    # whose rows point to the version they came from.
    version_attach: Callable[[object], None] | None = None
    same_file: str = ""  # shown with the warnings; the dataset version records it itself

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, check: str, errors: list[str], total: int | None = None) -> None:
        self.checks.append(Check(check, False, f"{total or len(errors):,} problem(s)"))
        self.errors += errors[: MAX_ERRORS - len(self.errors)]
        self.total_errors += total if total is not None else len(errors)

    def passed(self, check: str, detail: str) -> None:
        self.checks.append(Check(check, True, detail))

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, for the preview page and the command line."""
        preview = self.preview.head(PREVIEW_ROWS).astype(object)
        preview = preview.where(preview.notna(), "")
        columns = [str(column) for column in preview.columns]
        return {
            "kind": self.kind,
            "name": self.name,
            "errors": self.errors,
            "total_errors": self.total_errors,
            "warnings": [self.same_file, *self.warnings] if self.same_file else self.warnings,
            "checks": [vars(check) for check in self.checks],
            "changes": self.changes,
            "facts": {key: _plain(value) for key, value in self.facts.items()},
            "preview_columns": columns,
            "preview_rows": [
                [preview_cell(value, column) for column, value in zip(columns, row, strict=True)]
                for row in preview.to_numpy()
            ],
            "rows": self.rows,
        }


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def preview_cell(value: object, column: str = "") -> str:
    """A previewed value as people read it: 1,250,000 not 1.25e+06 (whole pounds in a spend
    or cost column), a year as 2024, blank for nothing (never "None" or "nan"); a list of
    values (a service's sites or funding) as "a, b; c, d"."""
    if isinstance(value, (tuple, list)):
        parts = (preview_cell(item, column) for item in value)
        joiner = "; " if any(isinstance(item, (tuple, list)) for item in value) else ", "
        return joiner.join(part for part in parts if part)
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, (int, float)):
        return str(value)
    if "year" in column.lower() and float(value).is_integer():
        return str(int(value))
    if any(word in column.lower() for word in MONEY_WORDS) or float(value).is_integer():
        return f"{round(value):,}"
    return _decimal(value)


def _decimal(value: float) -> str:
    """Six significant figures in plain notation, trailing zeros dropped: -2.2216, 0.000012."""
    digits = max(0, 5 - int(np.floor(np.log10(abs(value))))) if value else 0
    return f"{value:,.{min(digits, 12)}f}".rstrip("0").rstrip(".")


def from_parsed(kind: str, name: str, parsed: Parsed, check: str) -> Plan:
    plan = Plan(kind=kind, name=name, warnings=list(parsed.warnings), facts=dict(parsed.facts))
    if parsed.errors:
        plan.fail(check, parsed.errors, parsed.total_errors)
    else:
        layout = parsed.facts.get("layout", "")
        plan.passed(check, f"{len(parsed.frame):,} rows read" + (f" ({layout})" if layout else ""))
        plan.preview = parsed.frame
        plan.rows = len(parsed.frame)
    return plan


def from_result(kind: str, name: str, result: object, layout: str) -> Plan:
    """A plan from the parsers that still return needs.importers.rates.ParseResult (rates,
    relative risks, lookups): its rows are in `.rates`."""
    parsed = Parsed(result.rates, result.errors, result.total_errors, facts={"layout": layout})
    return from_parsed(kind, name, parsed, "File layout and values")


def listed(codes: list[str]) -> str:
    shown = ", ".join(codes[:MAX_LISTED])
    return shown + (f" and {len(codes) - MAX_LISTED:,} more" if len(codes) > MAX_LISTED else "")


def area_ids_for(
    plan: Plan,
    frame: pd.DataFrame,
    *,
    levels: tuple[str, ...],
    what: str,
    options: ImportOptions,
) -> pd.DataFrame:
    """The frame with area_id for codes loaded at these levels. Unknown codes are an error
    listing them, or with only_loaded_areas a warning (and their rows are dropped)."""
    positions, uniques = pd.factorize(frame["area_code"])
    codes = uniques.tolist()
    known = dict(Area.objects.filter(level__in=levels, code__in=codes).values_list("code", "id"))
    unknown = sorted(set(codes) - set(known))
    if unknown and not (options.only_loaded_areas and known):
        plan.fail(
            "Area codes",
            [
                f"{plan.name}: {len(unknown):,} {what} code(s) are not loaded here: "
                f"{listed(unknown)}. Load their boundaries or lookup first, or, for a national "
                "file, choose to import only the areas loaded here."
            ],
        )
        return frame.iloc[0:0]
    if unknown:
        plan.warnings.append(
            f"{len(unknown):,} {what} code(s) in the file are not loaded here and were skipped "
            f"(e.g. {listed(unknown[:5])})."
        )
    plan.passed("Area codes", f"{len(known):,} {what}(s) found among the areas loaded here")
    # Map each distinct code once, then index: 6 million rows cost a fraction of a second.
    ids = np.array([known.get(code, -1) for code in codes], dtype="int64")[positions]
    kept = frame.assign(area_id=ids)
    return kept[ids >= 0] if unknown else kept


def best_fit_frame() -> pd.DataFrame:
    return pd.DataFrame(
        LsoaBestFit.objects.values_list("lsoa11_code", "lsoa21_code", "change"),
        columns=["lsoa11_code", "lsoa21_code", "change"],
    )


def loaded_small_area_level(codes: list[str]) -> str | None:
    """The small-area level (lsoa11 or lsoa21) most of these codes are loaded at, if any."""
    counts = dict(
        Area.objects.filter(level__in=SMALL_AREA_LEVELS, code__in=codes)
        .values_list("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    return max(counts, key=counts.get) if counts else None


def file_vintage(codes: list[str], stated: str) -> str:
    """The LSOA vintage of a file's codes. Every code a loaded 2021 LSOA: 2021 (a 2011 file
    whose LSOAs were all unchanged in 2021 is the same thing). Else what its header says
    (LSOA11CD, lsoa21_code, a sheet's year), else the side of the stored best-fit lookup that
    holds codes the other side lacks (most codes are the same in 2011 and 2021, so one loaded
    code proves nothing), else the level most of its codes are loaded at, else 2021."""
    loaded_2021 = Area.objects.filter(level=ANALYSIS_LEVEL, code__in=codes).count()
    if codes and loaded_2021 == len(set(codes)):
        return ANALYSIS_LEVEL
    if stated in SMALL_AREA_LEVELS:
        return stated
    lookup = best_fit_frame()
    found = set(codes)
    only_2011 = found & (set(lookup["lsoa11_code"]) - set(lookup["lsoa21_code"]))
    only_2021 = found & (set(lookup["lsoa21_code"]) - set(lookup["lsoa11_code"]))
    if only_2011 and not only_2021:
        return AreaLevel.LSOA11
    if only_2021 and not only_2011:
        return AreaLevel.LSOA21
    return loaded_small_area_level(codes) or ANALYSIS_LEVEL


NO_BEST_FIT = (
    "{name}: the file uses 2011 LSOA codes; analyses run on 2021 LSOAs, so its figures are "
    "converted through the ONS LSOA 2011 → 2021 best-fit lookup, which is not loaded here. Load "
    "it first (kind: Area lookup, e.g. lookup_lsoa11_to_lsoa21.csv)."
)


def small_areas_of_same_area(area_ids: list[int]) -> pd.Series:
    """Every 2021 LSOA (id → code) of the areas these areas belong to: everything under the same
    top-level areas (the county, or the district where no county is loaded). 2021 LSOAs without
    any parent count as one area (synthetic ones as another)."""
    areas = pd.DataFrame(
        list(Area.objects.values_list("id", "parent_id", "level", "code", "is_synthetic")),
        columns=["id", "parent_id", "level", "code", "is_synthetic"],
    ).set_index("id")
    root = pd.Series(areas.index, index=areas.index)
    parent = areas["parent_id"].dropna().astype("int64")
    for _ in range(20):  # one step up a pass: a handful of passes (LSOA → … → county)
        up = root.map(parent)
        if up.isna().all():
            break
        root = up.fillna(root).astype("int64")
    small = areas[areas["level"] == ANALYSIS_LEVEL]
    orphans = small["parent_id"].isna()
    small_root = root[small.index].where(~orphans, -1 - small["is_synthetic"].astype("int64"))
    touched = set(small_root[small_root.index.isin(area_ids)])
    return small.loc[small_root.isin(touched), "code"]


def missing_small_areas(area_ids: list[int]) -> list[str]:
    """The 2021 LSOAs of the same area (see small_areas_of_same_area) these leave out."""
    expected = small_areas_of_same_area(area_ids)
    return sorted(expected[~expected.index.isin(area_ids)])
