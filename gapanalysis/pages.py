"""What the run pages show beyond the latest map: a locality's page and two runs compared."""

import pandas as pd

from gapanalysis import equality, norm_measures, selectors
from gapanalysis.forms import TurnoverForm
from gapanalysis.models import AnalysisRun, GapClass, ResultLevel
from needs import columns as c
from needs import data_generation, exports, map_documents, maps, need_maps
from needs import selectors as needs_selectors
from needs.demography import geography
from needs.maps import MapDocument
from provision.models import SERVICE_TYPES

CLASS_LABELS = dict(GapClass.choices)


def locality_context(*, run: AnalysisRun, unit_code: str) -> dict | None:
    """The page's figures, read only when the template renders them: the stored results of a
    finished run never change, so the page caches its rendered tables under `fragment_key`."""
    first = run.results.filter(level=ResultLevel.LOCALITY, unit_code=unit_code).first()
    if first is None:
        return None
    return {
        "run": run,
        "unit_code": unit_code,
        "unit_name": first.unit_name,
        # Each ambition with its locality row and its small areas (the maps' figures as a table).
        "rows": lambda: _locality_rows(run=run, unit_code=unit_code),
        "statements": run.statements.filter(unit_code=unit_code).order_by("rank"),
        "statement_groups": selectors.statement_groups(run=run, unit_code=unit_code),
        "references": selectors.run_references(run=run),
        "fragment_key": run_fragment_key(run),
    }


def run_fragment_key(run: AnalysisRun) -> str:
    """What a run page's rendered figures depend on: the run (its results are stored once, when
    it succeeds) and the data and norms they are read beside (`needs.data_generation`)."""
    return f"{data_generation.current()}:{run.pk}:{run.status}:{run.finished_at}"


def _locality_rows(*, run: AnalysisRun, unit_code: str) -> list[tuple]:
    rows = list(run.results.filter(level=ResultLevel.LOCALITY, unit_code=unit_code))
    norms = {norm.code: norm for norm in selectors.run_norms(run=run)}
    membership = needs_selectors.locality_membership_frame(scheme=run.locality_scheme)
    codes = list(membership.loc[membership[c.LOCALITY_CODE] == unit_code, c.AREA_CODE])
    small = run.results.filter(level=ResultLevel.SMALL_AREA, unit_code__in=codes).order_by(
        "unit_name"
    )
    by_norm: dict[str, list] = {}
    for result in small:
        by_norm.setdefault(result.norm_code, []).append(result)
    return [(norms.get(row.norm_code), row, by_norm.get(row.norm_code, [])) for row in rows]


def locality_map(
    *, run: AnalysisRun, unit_code: str, norm_code: str, kind: str = "need"
) -> MapDocument | None:
    """The locality's small areas: need per 1,000 at risk, or need against provision (3 × 3)."""
    membership = needs_selectors.locality_membership_frame(scheme=run.locality_scheme)
    codes = list(membership.loc[membership[c.LOCALITY_CODE] == unit_code, c.AREA_CODE])
    results = run.results.filter(
        level=ResultLevel.SMALL_AREA, norm_code=norm_code, unit_code__in=codes
    ).values("unit_code", "unit_name", "expected_cases", "expected_lower", "expected_upper",
             "rate_per_1000", "coverage_ratio")  # fmt: skip
    table = pd.DataFrame.from_records(list(results))
    if table.empty:
        return None
    units = geography.simplified(needs_selectors.small_area_shapes(codes=codes))
    units = units.rename(columns={c.AREA_CODE: "unit_code"}).merge(table, on="unit_code")
    if kind == "bivariate":
        return maps.bivariate(
            units.assign(
                rate_text=units[c.RATE_PER_1000].map(lambda v: f"{v:,.1f}"),
                coverage_text=units["coverage_ratio"].map(lambda v: f"{v:.0%}"),
            ),
            need_column=c.RATE_PER_1000,
            provision_column="coverage_ratio",
            title="Need against provision, by small area",
            tooltip=[
                (maps.NAME_COLUMN, "Small area"),
                ("rate_text", "Need per 1,000"),
                ("coverage_text", "Share of people in need reached"),
            ],
            assets=map_documents.map_assets(),
            caption="Thirds of this locality's small areas on each measure.",
        )
    return need_maps.need_map(
        units,
        title="Estimated need per 1,000 at risk, by small area",
        unit_label="Small area",
        caption="Small areas of this locality only.",
        assets=map_documents.map_assets(),
        value_column=c.RATE_PER_1000,
    )


def comparison(*, first: AnalysisRun, second: AnalysisRun) -> list[dict]:
    """Locality × norm rows present in either run: need, provision, gap and class, side by side."""
    fields = ["norm_code", "unit_code", "unit_name", "expected_cases", "capacity", "gap_people",
              "classification"]  # fmt: skip
    frames = [
        pd.DataFrame.from_records(
            list(run.results.filter(level=ResultLevel.LOCALITY).values(*fields)), columns=fields
        )
        for run in (first, second)
    ]
    merged = frames[0].merge(
        frames[1], on=["norm_code", "unit_code"], how="outer", suffixes=("_a", "_b")
    )
    merged["unit_name"] = merged["unit_name_a"].fillna(merged["unit_name_b"])
    merged["class_changed"] = merged["classification_a"] != merged["classification_b"]
    for side in ("a", "b"):
        merged[f"class_{side}"] = merged[f"classification_{side}"].map(CLASS_LABELS).fillna("—")
    names = {norm.code: norm.name for norm in selectors.all_norms()}
    merged["norm_name"] = merged["norm_code"].map(lambda code: names.get(code, code))
    merged = merged.sort_values(["norm_name", "unit_name"])
    return merged.astype(object).where(merged.notna(), None).to_dict("records")


GROUP_HEADINGS = {
    equality.SEX: "By sex",
    equality.AGE_BAND: "By age",
    equality.DEPRIVATION: "By deprivation fifth",
}
GROUP_INTROS = {
    equality.SEX: "Estimated people in need by sex, in the ages the ambition counts.",
    equality.AGE_BAND: "Estimated people in need by age band, cut at the ages the ambition counts.",
    equality.DEPRIVATION: "Small areas grouped by their national IMD decile into fifths of "
    "England (most deprived first); need is summed over each fifth's small areas.",
}


def equality_tables(*, run: AnalysisRun, norm_code: str) -> list[dict]:
    """Need by sex, by age band and by deprivation fifth, each with the whole area it adds up to.

    No coverage by group: that needs service use by group, which is not loaded."""
    whole = run.results.filter(level=ResultLevel.WHOLE_AREA, norm_code=norm_code).first()
    groups = list(run.groups.filter(norm_code=norm_code).order_by("pk"))
    if whole is None or not groups:
        return []
    tables = []
    for kind in equality.GROUP_TYPES:
        rows = [_group_row(g.group, g.population, g.expected_cases, whole.expected_cases)
                for g in groups if g.group_type == kind]  # fmt: skip
        if rows:
            tables.append(
                {
                    "kind": kind.replace(" ", "-"),
                    "heading": GROUP_HEADINGS.get(kind, kind),
                    "intro": GROUP_INTROS.get(kind, ""),
                    "rows": rows,
                    "total": _group_row(
                        "Whole area", whole.population, whole.expected_cases, whole.expected_cases
                    ),
                }
            )
    return tables


def _group_row(name: str, population: float, cases: float, whole: float) -> dict:
    return {
        "name": name,
        "population": population,
        "expected_cases": cases,
        "per_1000": cases / population * 1000 if population else None,
        "share": cases / whole if whole else None,
    }


def norm_measure(*, run: AnalysisRun, norm_code: str) -> dict:
    """What the run recorded about how it measured the norm: measure, ages, conversions."""
    return (run.inputs or {}).get("norm_measures", {}).get(norm_code, {})


LOCALITY_COLUMNS = {
    "level": "Level",
    "unit_code": "Code",
    "unit_name": "Name",
    "norm_code": "Ambition",
    "condition_code": "Condition",
    "population": "People at risk",
    "expected_cases": "Estimated people in need",
    "expected_lower": "Lower 95% limit",
    "expected_upper": "Upper 95% limit",
    "rate_per_1000": "Per 1,000 at risk",
    "capacity": "Capacity a year",
    "coverage_ratio": "Coverage (capacity / people in need)",
    "ambition_ratio": "Coverage / ambition",
    "gap_people": "More people a year to meet the ambition",
    "classification": "Class",
    "class_rule": "How the class was called",
    "provision_rule": "How services reach it",
}


def locality_download(*, run: AnalysisRun, unit_code: str) -> tuple[bytes, str] | None:
    """The locality's figures for every ambition, then its small areas', as CSV."""
    membership = needs_selectors.locality_membership_frame(scheme=run.locality_scheme)
    codes = list(membership.loc[membership[c.LOCALITY_CODE] == unit_code, c.AREA_CODE])
    locality = run.results.filter(level=ResultLevel.LOCALITY, unit_code=unit_code)
    if not locality.exists():
        return None
    small = run.results.filter(level=ResultLevel.SMALL_AREA, unit_code__in=codes)
    rows = list(locality.values(*LOCALITY_COLUMNS)) + list(
        small.order_by("norm_code", "unit_code").values(*LOCALITY_COLUMNS)
    )
    frame = pd.DataFrame.from_records(rows, columns=list(LOCALITY_COLUMNS))
    frame = frame.rename(columns=LOCALITY_COLUMNS)
    name = locality.first().unit_name
    notes = [
        f"{name}: need against provision, analysis run {run.pk} (population {run.year}, "
        f"services {run.inputs.get('financial_year', '')}).",
        "Sources: " + "; ".join(run.inputs.get("rate_sources", [])),
        "Coverage and ratios are fractions (0.25 = 25%).",
    ]
    if run.data_label:
        notes.insert(0, run.data_label)
    safe_code = "".join(ch for ch in unit_code if ch.isalnum() or ch in "-_") or "locality"
    return exports.to_csv_bytes(frame, notes=notes), f"run-{run.pk}-{safe_code}.csv"


def turnover_rows(*, posted: TurnoverForm | None = None) -> list[dict]:
    """Every service type some norm counts through a turnover: the norms, the turnover set (or
    none) and a form to set it (the posted one, with its errors, for the type just posted)."""
    set_now = selectors.turnovers()
    types: dict[str, list[str]] = {}
    for norm in selectors.all_norms():
        if any(
            norm_measures.needs_turnover(measure=norm.measure, unit=u) for u in norm.capacity_units
        ):
            for service_type in norm.service_types:
                types.setdefault(service_type, []).append(norm.name)
    posted_type = posted.data.get("service_type") if posted is not None else None
    rows = []
    for service_type, norm_names in sorted(types.items()):
        current = set_now.get(service_type)
        form = (
            posted
            if posted_type == service_type
            else TurnoverForm(instance=current, initial={"service_type": service_type})
        )
        form.auto_id = f"turnover-{service_type}-%s"  # one form per type: ids kept apart
        rows.append(
            {
                "service_type": service_type,
                "label": SERVICE_TYPES.get(service_type, (service_type,))[0],
                "norms": norm_names,
                "turnover": current,
                "form": form,
            }
        )
    return rows
