"""Re-derive the APMS 2014 rows of the rate catalogue from NHS Digital's own workbooks.

    python scripts/derive_apms_catalogue.py            # compare: exit 1 on any difference
    python scripts/derive_apms_catalogue.py --write    # rewrite the APMS rows of the catalogue

Reads `fixtures/apms2014/apms-2014-ch-NN-tabs.xls` (OGL v3.0, see the README there) and builds,
for each measure, one row per sex × age band (the rates the tool applies) and one `reference` row
per sex for all ages (the published all-ages figure, kept to check against the headlines and shown
beside the estimate, never applied). Every row names the sheet and cell it was read from.

Intervals: the all-ages rows carry the published 95% confidence interval of chapter 14 where there
is one; every other cell gets an interval derived from its unweighted base (printed under the
table) and the chapter 14 design factor (deft) for that measure and sex: effective sample size
n = base / deft², then the Wilson score interval for the cell's proportion on n. Autism is the
exception: table 6.2 prints an interval in every cell.

Rates are stored as proportions rounded to six decimal places (the workbook holds percentages).
Only the standard library, xlrd and numpy: the app never reads the workbooks, only the CSV.
"""

import argparse
import csv
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

import xlrd

ROOT = Path(__file__).resolve().parent.parent
WORKBOOKS = ROOT / "fixtures" / "apms2014"
CATALOGUE = ROOT / "fixtures" / "prevalence_rates.csv"
COLUMNS = [
    "condition_code",
    "condition_name",
    "condition_description",
    "condition_group",
    "denominator",
    "sex",
    "age_min",
    "age_max",
    "rate",
    "lower",
    "upper",
    "role",
    "source",
    "source_table",
    "source_cell",
    "source_year",
    "status",
    "interval_method",
    "source_url",
    "notes",
]
SOURCE = "Adult Psychiatric Morbidity Survey 2014 (NHS Digital)"
SOURCE_URL = "https://digital.nhs.uk/data-and-information/publications/statistical/adult-psychiatric-morbidity-survey/adult-psychiatric-morbidity-survey-survey-of-mental-health-and-wellbeing-england-2014"
CITATION = (
    "McManus S, Bebbington P, Jenkins R, Brugha T (eds) (2016) Mental health and wellbeing in "
    "England: Adult Psychiatric Morbidity Survey 2014. Leeds: NHS Digital. Open Government "
    "Licence v3.0. Adults (16+) in private households in England: people in care homes, "
    "hospitals and prisons are outside the survey."
)
Z95 = NormalDist().inv_cdf(0.975)
SEXES = ("M", "F", "P")
# The chapter tables' age columns, B to H, and the all-ages column I.
SEVEN_BANDS = (("B", 16, 24), ("C", 25, 34), ("D", 35, 44), ("E", 45, 54), ("F", 55, 64),
               ("G", 65, 74), ("H", 75, None))  # fmt: skip


@dataclass(frozen=True)
class Measure:
    """Where one measure sits in the workbooks (rows by sex: M, F, P)."""

    code: str
    name: str
    description: str
    chapter: str
    sheet: str
    rows: tuple[int, int, int]
    base_rows: tuple[int, int, int]
    bands: tuple[tuple[str, int, int | None], ...] = SEVEN_BANDS
    all_column: str = "I"
    all_ages: tuple[int, int | None] = (16, None)
    ci_sheet: str = ""  # chapter 14 sheet: deft in G, published 95% CI in H and I
    ci_rows: tuple[int, int, int] | None = None
    ci_published: bool = True  # False: chapter 14 gives only a neighbouring measure's deft
    ci_note: str = ""
    per_cell_ci: bool = False  # autism: lower and upper printed in the two rows under each rate
    reference: tuple[str, str, tuple[int, int, int], tuple[int, int, int]] | None = None
    notes: str = ""
    group: str = "adults"
    year: str = "2014"
    extra: dict = field(default_factory=dict)


def _cmd(code: str, name: str, what: str, rows: tuple[int, int, int], ci: tuple[int, int, int]):
    return Measure(
        code, name, f"{what}, past week (CIS-R algorithm), adults in private households",
        "02", "2.3", rows, (34, 35, 36), ci_sheet="14.6", ci_rows=ci,
    )  # fmt: skip


MEASURES = (
    _cmd("cmd", "Common mental disorder (any)", "Any common mental disorder (one or more of "
         "the six CMDs)", (13, 22, 31), (14, 26, 38)),
    _cmd("cmd_gad", "Generalised anxiety disorder", "Generalised anxiety disorder", (7, 16, 25),
         (9, 21, 33)),
    _cmd("cmd_depression", "Depressive episode", "Depressive episode", (8, 17, 26), (10, 22, 34)),
    _cmd("cmd_phobias", "Phobias", "Phobias", (9, 18, 27), (11, 23, 35)),
    _cmd("cmd_ocd", "Obsessive compulsive disorder", "Obsessive compulsive disorder",
         (10, 19, 28), (12, 24, 36)),
    _cmd("cmd_panic", "Panic disorder", "Panic disorder", (11, 20, 29), (13, 25, 37)),
    _cmd("cmd_nos", "Common mental disorder not otherwise specified",
         "CMD not otherwise specified (formerly 'mixed anxiety and depression')", (12, 21, 30),
         (8, 20, 32)),
    Measure("cisr_12plus", "CMD symptoms (CIS-R score 12 or more)",
            "Symptoms of anxiety and depression likely to benefit from intervention (CIS-R score "
            "12 or more) in the past week, adults in private households",
            "02", "2.1", (13, 23, 33), (37, 38, 39), ci_sheet="14.6", ci_rows=(5, 17, 29)),
    Measure("cmd_severe", "Common mental disorder, severe symptoms",
            "Severe symptoms of anxiety and depression (CIS-R score 18 or more) in the past week, "
            "adults in private households",
            "02", "2.1", (12, 22, 32), (37, 38, 39), ci_sheet="14.6", ci_rows=(6, 18, 30)),
    Measure("ptsd_screen", "Post-traumatic stress disorder (screen positive)",
            "Screen positive for probable PTSD in the past month (PCL-C 50+ and DSM-IV criteria), "
            "adults in private households",
            "04", "4.1", (10, 18, 26), (32, 33, 34), ci_sheet="14.8", ci_rows=(4, 6, 8)),
    Measure("psychosis", "Psychotic disorder",
            "Psychotic disorder in the past year (SCAN), adults in private households",
            "05", "5.2", (7, 8, 9), (17, 18, 19), ci_sheet="14.9", ci_rows=(4, 5, 6),
            ci_published=False,
            ci_note="table 14.9 publishes the interval for 2007 and 2014 pooled; its deft is used",
            year="2007 and 2014",
            reference=("5.1", "C", (6, 7, 8), (11, 12, 13)),
            notes="Age bands pool the 2007 and 2014 samples (table 5.2; all ages pooled 0.54%); "
                  "the all-ages reference row is 2014 alone (table 5.1). Small cells are "
                  "unstable: a cell printed '-' (no cases observed) is stored as 0."),
    Measure("autism", "Autism (adults)",
            "Autism (ADOS score 10 or more), 2007 and 2014 samples combined, adults in private "
            "households",
            "06", "6.2", (6, 10, 14), (19, 20, 21),
            bands=(("B", 16, 34), ("C", 35, 54), ("D", 55, 74), ("E", 75, None)), all_column="F",
            per_cell_ci=True, year="2007 and 2014",
            notes="2007 and 2014 samples combined. Cells printed '-' (no cases observed) are "
                  "stored as 0; their interval is derived from the unweighted base alone (no "
                  "design factor is published for autism), which understates it."),
    Measure("pd_aspd_screen", "Antisocial personality disorder (screen positive)",
            "Screen positive for antisocial personality disorder (SCID-II self-completion), "
            "adults aged 18 to 64 in private households",
            "07", "7.1", (7, 11, 15), (19, 20, 21),
            bands=(("B", 18, 24), ("C", 25, 34), ("D", 35, 54), ("E", 55, 64)), all_column="F",
            all_ages=(18, 64), ci_sheet="14.11", ci_rows=(5, 9, 13),
            notes="Asked of ages 18 to 64 only. The bases printed are for ASPD."),
    Measure("pd_bpd_screen", "Borderline personality disorder (screen positive)",
            "Screen positive for borderline personality disorder (SCID-II self-completion), "
            "adults aged 16 to 64 in private households",
            "07", "7.1", (8, 12, 16), (19, 20, 21),
            bands=(("B", 16, 24), ("C", 25, 34), ("D", 35, 54), ("E", 55, 64)), all_column="F",
            all_ages=(16, 64), ci_sheet="14.11", ci_rows=(4, 8, 12),
            notes="Asked of ages 16 to 64 only. Table 7.1 prints the ASPD bases and says the BPD "
                  "bases were similar: the derived intervals use them."),
    Measure("pd_any_sapas", "Personality disorder (SAPAS screen positive)",
            "Screen positive for any personality disorder (SAPAS score 4 or more), adults in "
            "private households",
            "07", "7.2", (16, 28, 40), (43, 44, 45),
            bands=(("B", 16, 24), ("C", 25, 34), ("D", 35, 54), ("E", 55, 74), ("F", 75, None)),
            all_column="G", ci_sheet="14.11", ci_rows=(6, 10, 14),
            notes="The first band is headed '16/18-24' in table 7.2; it is applied from 16."),
    Measure("adhd_screen", "ADHD (screen positive)",
            "Screen positive for ADHD (ASRS score 4 or more) in the past six months, adults in "
            "private households",
            "08", "8.1", (14, 24, 34), (37, 38, 39), ci_sheet="14.12", ci_rows=(4, 5, 6)),
    Measure("bipolar_screen", "Bipolar disorder (screen positive)",
            "Screen positive for bipolar disorder, lifetime (MDQ: 7+ characteristics, several at "
            "the same time, causing moderate or serious problems), adults in private households",
            "09", "9.1", (17, 30, 43), (46, 47, 48), ci_sheet="14.13", ci_rows=(4, 5, 6)),
    Measure("alcohol_hazardous", "Hazardous drinking or worse (AUDIT 8+)",
            "Hazardous, harmful or probably dependent drinking (AUDIT score 8 or more) in the past "
            "year, adults in private households",
            "10", "10.1", (12, 21, 30), (34, 35, 36), ci_sheet="14.14", ci_rows=(5, 9, 13),
            ci_published=False, ci_note="table 14.14 gives the deft for AUDIT 8-15, used here"),
    Measure("alcohol_harmful", "Harmful drinking or worse (AUDIT 16+)",
            "Harmful drinking or probable dependence (AUDIT score 16 or more) in the past year, "
            "adults in private households",
            "10", "10.1", (13, 22, 31), (34, 35, 36), ci_sheet="14.14", ci_rows=(6, 10, 14)),
    Measure("alcohol_dependent", "Probable alcohol dependence (AUDIT 20+)",
            "Probable alcohol dependence (AUDIT score 20 or more) in the past year, adults in "
            "private households",
            "10", "10.1", (11, 20, 29), (34, 35, 36), ci_sheet="14.14", ci_rows=(6, 10, 14),
            ci_published=False, ci_note="table 14.14 gives the deft for AUDIT 16-40, used here"),
    Measure("drug_dependence", "Drug dependence (any)",
            "Signs of dependence on any drug in the past year, adults in private households",
            "11", "11.5", (18, 32, 46), (49, 50, 51), ci_sheet="14.15", ci_rows=(7, 12, 17),
            notes="Table 11.5's bases are for its first category; bases for the others are "
                  "similar."),
    Measure("drug_dependence_cannabis", "Cannabis dependence only",
            "Signs of dependence on cannabis only in the past year, adults in private households",
            "11", "11.5", (16, 30, 44), (49, 50, 51), ci_sheet="14.15", ci_rows=(5, 10, 15)),
    Measure("drug_dependence_other", "Dependence on drugs other than cannabis",
            "Signs of dependence on other drug(s), with or without cannabis, in the past year, "
            "adults in private households",
            "11", "11.5", (17, 31, 45), (49, 50, 51), ci_sheet="14.15", ci_rows=(6, 11, 16)),
    Measure("suicidal_thoughts_lifetime", "Suicidal thoughts (lifetime)",
            "Ever had suicidal thoughts, adults in private households",
            "12", "12.1", (7, 11, 15), (20, 21, 22), ci_sheet="14.16", ci_rows=(4, 14, 24)),
    Measure("suicide_attempt_lifetime", "Suicide attempt (lifetime)",
            "Ever attempted suicide, adults in private households",
            "12", "12.1", (8, 12, 16), (20, 21, 22), ci_sheet="14.16", ci_rows=(8, 18, 28)),
    Measure("self_harm_lifetime", "Self-harm (lifetime)",
            "Ever self-harmed without suicidal intent, adults in private households",
            "12", "12.1", (9, 13, 17), (20, 21, 22), ci_sheet="14.16", ci_rows=(12, 22, 32)),
    Measure("suicidal_thoughts_past_year", "Suicidal thoughts (past year)",
            "Suicidal thoughts in the past year (face-to-face question), adults aged 16 to 74 in "
            "private households",
            "12", "12.2", (8, 12, 16), (21, 22, 23),
            bands=(("F", 16, 24), ("I", 25, 34), ("L", 35, 44), ("O", 45, 54), ("R", 55, 64),
                   ("U", 65, 74)),
            all_column="X", all_ages=(16, 74), ci_sheet="14.16", ci_rows=(6, 16, 26),
            notes="2014 columns of the trend table (ages 16 to 74)."),
    Measure("suicide_attempt_past_year", "Suicide attempt (past year)",
            "Suicide attempt in the past year (face-to-face question), adults aged 16 to 74 in "
            "private households",
            "12", "12.2", (9, 13, 17), (21, 22, 23),
            bands=(("F", 16, 24), ("I", 25, 34), ("L", 35, 44), ("O", 45, 54), ("R", 55, 64),
                   ("U", 65, 74)),
            all_column="X", all_ages=(16, 74), ci_sheet="14.16", ci_rows=(10, 20, 30),
            notes="2014 columns of the trend table (ages 16 to 74). Table 14.16 labels the "
                  "interval row for 16-74 'suicidal thoughts'; its values are the attempts of "
                  "table 12.2."),
)  # fmt: skip


class Workbooks:
    """The chapter workbooks, opened once each."""

    def __init__(self, folder: Path = WORKBOOKS) -> None:
        self.folder = folder
        self._books: dict[str, xlrd.book.Book] = {}

    def sheet(self, chapter: str, name: str) -> xlrd.sheet.Sheet:
        if chapter not in self._books:
            path = self.folder / f"apms-2014-ch-{chapter}-tabs.xls"
            self._books[chapter] = xlrd.open_workbook(str(path))
        book = self._books[chapter]
        # Some sheet names carry a trailing space in the workbook ('2.6 ').
        names = {sheet.strip(): sheet for sheet in book.sheet_names()}
        return book.sheet_by_name(names[name])

    def cell(self, chapter: str, sheet: str, ref: str) -> float | None:
        """A cell's number; None for a '-' (no observations)."""
        row, column = _address(ref)
        value = self.sheet(chapter, sheet).cell_value(row, column)
        if isinstance(value, str) and value.strip() == "-":
            return None
        return float(value)


def _address(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch.upper()) - 64
    return int(ref[len(letters) :]) - 1, column - 1


def wilson(p: float, n: float) -> tuple[float, float]:
    """Wilson score interval for a proportion p on an (effective) sample of n."""
    x = p * n
    centre = 2 * x + Z95**2
    spread = Z95 * math.sqrt(Z95**2 + 4 * x * (1 - p))
    return (centre - spread) / (2 * (n + Z95**2)), (centre + spread) / (2 * (n + Z95**2))


def _ratio(percent: float | None) -> float:
    return round((percent or 0.0) / 100.0, 6)


def _cellname(sheet: str, ref: str) -> str:
    return f"{sheet}!{ref}"


def _rows(measure: Measure, books: Workbooks) -> Iterator[dict]:
    common = {
        "condition_code": measure.code,
        "condition_name": measure.name,
        "condition_description": measure.description,
        "condition_group": measure.group,
        "denominator": "population",
        "source": SOURCE,
        "source_year": "2016",
        "status": "CONFIRMED",
        "source_url": SOURCE_URL,
        "notes": " ".join(part for part in (measure.notes, CITATION) if part),
    }
    ch14 = "14"
    for index, sex in enumerate(SEXES):
        row = measure.rows[index]
        base_row = measure.base_rows[index]
        deft = deft_cell = None
        if measure.ci_rows:
            deft_cell = _cellname(measure.ci_sheet, f"G{measure.ci_rows[index]}")
            deft = books.cell(ch14, measure.ci_sheet, f"G{measure.ci_rows[index]}")
        # Age bands: the rates applied (by sex; persons rows would double-count).
        if sex != "P":
            for column, age_min, age_max in measure.bands:
                yield common | _band(measure, books, sex, column, row, base_row, age_min,
                                     age_max, deft, deft_cell)  # fmt: skip
        yield common | _reference(measure, books, sex, index, deft, deft_cell)


def _band(measure, books, sex, column, row, base_row, age_min, age_max, deft, deft_cell) -> dict:
    ref = f"{column}{row}"
    percent = books.cell(measure.chapter, measure.sheet, ref)
    base = books.cell(measure.chapter, measure.sheet, f"{column}{base_row}")
    rate = _ratio(percent)
    fields = {
        "sex": sex,
        "age_min": str(age_min),
        "age_max": "" if age_max is None else str(age_max),
        "rate": f"{rate:g}",
        "role": "applied",
        "source_table": f"Table {measure.sheet} ({measure.year})",
        "source_cell": f"apms-2014-ch-{measure.chapter}-tabs.xls {_cellname(measure.sheet, ref)}",
    }
    if measure.per_cell_ci and percent is not None:
        lower = books.cell(measure.chapter, measure.sheet, f"{column}{row + 1}")
        upper = books.cell(measure.chapter, measure.sheet, f"{column}{row + 2}")
        return fields | {
            "lower": f"{_ratio(lower):g}",
            "upper": f"{_ratio(upper):g}",
            "interval_method": (
                f"published 95% CI: {_cellname(measure.sheet, f'{column}{row + 1}')} and "
                f"{_cellname(measure.sheet, f'{column}{row + 2}')}"
            ),
        }
    return fields | _derived(rate, base, measure, f"{column}{base_row}", deft, deft_cell)


def _derived(rate, base, measure, base_ref, deft, deft_cell) -> dict:
    design = deft if deft is not None else 1.0
    effective = base / design**2
    lower, upper = wilson(rate, effective)
    lower, upper = round(max(lower, 0.0), 6), round(min(upper, 1.0), 6)
    # Rounding the rate to six places can put it a hair outside a Wilson bound at p = 0.
    lower, upper = min(lower, rate), max(upper, rate)
    if deft is None:
        how = "no design factor is published for this measure: deft 1, which understates it"
    else:
        how = f"design factor {deft:.4f} ({deft_cell})" + (
            f", {measure.ci_note}" if measure.ci_note else ""
        )
    return {
        "lower": f"{lower:g}",
        "upper": f"{upper:g}",
        "interval_method": (
            f"derived: unweighted base {base:.0f} ({_cellname(measure.sheet, base_ref)}), {how}; "
            f"Wilson interval on effective n = base / deft² = {effective:.1f}"
        ),
    }


def _reference(measure: Measure, books: Workbooks, sex: str, index: int, deft, deft_cell) -> dict:
    if measure.reference:  # the all-ages figure comes from another table (psychosis: 5.1)
        sheet, column, rows, base_rows = measure.reference
        ref, base_ref, year = f"{column}{rows[index]}", f"{column}{base_rows[index]}", "2014"
    else:
        sheet, ref = measure.sheet, f"{measure.all_column}{measure.rows[index]}"
        base_ref, year = f"{measure.all_column}{measure.base_rows[index]}", measure.year
    percent = books.cell(measure.chapter, sheet, ref)
    rate = _ratio(percent)
    age_min, age_max = measure.all_ages
    fields = {
        "sex": sex,
        "age_min": str(age_min),
        "age_max": "" if age_max is None else str(age_max),
        "rate": f"{rate:g}",
        "role": "reference",
        "source_table": f"Table {sheet} ({year})",
        "source_cell": f"apms-2014-ch-{measure.chapter}-tabs.xls {_cellname(sheet, ref)}",
    }
    if measure.per_cell_ci:
        row = measure.rows[index]
        lower = books.cell(measure.chapter, sheet, f"{measure.all_column}{row + 1}")
        upper = books.cell(measure.chapter, sheet, f"{measure.all_column}{row + 2}")
        cells = f"{sheet}!{measure.all_column}{row + 1} and {sheet}!{measure.all_column}{row + 2}"
        return fields | {
            "lower": f"{_ratio(lower):g}",
            "upper": f"{_ratio(upper):g}",
            "interval_method": f"published 95% CI: {cells}",
        }
    if measure.ci_published and measure.ci_rows:
        ci_row = measure.ci_rows[index]
        lower = books.cell("14", measure.ci_sheet, f"H{ci_row}")
        upper = books.cell("14", measure.ci_sheet, f"I{ci_row}")
        return fields | {
            "lower": f"{round(lower, 6):g}",
            "upper": f"{round(upper, 6):g}",
            "interval_method": (
                f"published 95% CI: apms-2014-ch-14-tabs.xls {measure.ci_sheet}!H{ci_row}:I{ci_row}"
            ),
        }
    base = books.cell(measure.chapter, sheet, base_ref)
    return fields | _derived(rate, base, _sheet_as(measure, sheet), base_ref, deft, deft_cell)


def _sheet_as(measure: Measure, sheet: str) -> Measure:
    from dataclasses import replace

    return replace(measure, sheet=sheet)


def derive(folder: Path = WORKBOOKS) -> list[dict]:
    """Every APMS row of the catalogue, in catalogue order, as CSV strings."""
    books = Workbooks(folder)
    return [
        {column: row.get(column, "") for column in COLUMNS}
        for measure in MEASURES
        for row in _rows(measure, books)
    ]


def is_apms_row(row: dict) -> bool:
    return row.get("source") == SOURCE


def read_catalogue(path: Path = CATALOGUE) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def differences(shipped: list[dict], derived: list[dict]) -> list[str]:
    """What differs between the catalogue's APMS rows and the workbooks, row by row."""
    apms = [row for row in shipped if is_apms_row(row)]
    problems = []
    if len(apms) != len(derived):
        problems.append(
            f"the catalogue has {len(apms)} APMS rows; the workbooks give {len(derived)}"
        )
    for number, (have, want) in enumerate(zip(apms, derived, strict=False), start=1):
        for column in COLUMNS:
            if (have.get(column) or "") != want[column]:
                problems.append(
                    f"APMS row {number} ({want['condition_code']} {want['sex']} "
                    f"{want['age_min']}-{want['age_max']}), column {column}: catalogue "
                    f"{have.get(column)!r}, workbook {want[column]!r}"
                )
    return problems


def write(path: Path, derived: list[dict]) -> None:
    """Replace the APMS rows of the catalogue (where they were, or first), keeping the rest."""
    rows = read_catalogue(path) if path.exists() else []
    others = [row for row in rows if not is_apms_row(row)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in [*derived, *others]:
            writer.writerow({column: row.get(column, "") or "" for column in COLUMNS})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the catalogue's APMS rows")
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE)
    parser.add_argument("--workbooks", type=Path, default=WORKBOOKS)
    args = parser.parse_args(argv)
    derived = derive(args.workbooks)
    if args.write:
        write(args.catalogue, derived)
        print(f"Wrote {len(derived)} APMS rows to {args.catalogue}.")
        return 0
    problems = differences(read_catalogue(args.catalogue), derived)
    for problem in problems[:50]:
        print(problem)
    if problems:
        print(f"{len(problems)} difference(s) between {args.catalogue} and the workbooks.")
        return 1
    print(f"All {len(derived)} APMS rows of {args.catalogue} match the workbooks.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
