"""ONS population as a long CSV, one row per area, sex and age (the layout is described in
needs.importers.ons_population): every cell read and checked, then every area checked complete.

Pure: pandas and numpy, no Django.
"""

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from needs.importers.checks import WHOLE, Problems, count_of, normal, refused, report_cells, runs
from needs.importers.population_output import (
    AGES,
    CODE_HEADERS,
    LAYOUTS_NEEDED,
    OLDEST,
    OUTPUT,
    finish,
)
from needs.importers.tables import Parsed

SEX_ORDER = np.array(["F", "M", "P"])
SEX_IDS = {"f": 0, "female": 0, "females": 0, "m": 1, "male": 1, "males": 1}
SEX_IDS |= {"p": 2, "person": 2, "persons": 2, "all persons": 2}
SEX_WHAT = "is not F, M or P (Female, Male, Persons)."

LONG_ROLES = {"area code": "code", "lsoa11 code": "code", "lsoa21 code": "code"}
LONG_ROLES |= {"area name": "name", "year": "year", "sex": "sex", "age": "age", "count": "count"}
AGE_WHAT = "is not an age 0 to 89, or 90+ (90 and over)."


def long_csv(raw: pd.DataFrame, label: str, year: int | None) -> Parsed:
    """The rows of a long CSV, every cell checked; `year` is the one given, if any."""
    columns: dict[str, str] = {}
    for column in raw.columns:
        columns.setdefault(LONG_ROLES.get(normal(column), ""), column)
    missing = [role for role in ("code", "sex", "age", "count") if role not in columns]
    if missing:
        wanted = ", ".join("area_code" if role == "code" else role for role in missing)
        return refused([f"{label}: missing column(s) {wanted}; it needs {LAYOUTS_NEEDED}."], OUTPUT)
    problems = Problems()
    year = _long_year(raw, columns.get("year"), label, year, problems)
    if year is None:
        return problems.result(pd.DataFrame(columns=OUTPUT))
    area_id, areas = pd.factorize(raw[columns["code"]])
    area_id = np.where(areas.to_numpy()[area_id] == "", -1, area_id)
    report_cells(raw, columns["code"], area_id < 0, "no area code.", label, problems)
    sex_id = _mapped(raw, columns["sex"], SEX_IDS.get, SEX_WHAT, label, problems)
    age = _mapped(raw, columns["age"], _age_of, AGE_WHAT, label, problems)
    count = _mapped(raw, columns["count"], count_of, WHOLE, label, problems)
    keyed = (area_id >= 0) & (sex_id >= 0) & (age >= 0)
    key = np.where(keyed, (area_id * len(SEX_ORDER) + sex_id) * len(AGES) + age, -1)
    shown = [raw[columns[role]].to_numpy() for role in ("code", "sex", "age")]
    _long_duplicates(raw.index, key, shown, label, problems)
    if not problems.total:  # gaps are only worth listing once every row is readable
        _long_completeness(areas, area_id, sex_id, age, label, problems)
    frame = pd.DataFrame(
        {
            "area_code": raw[columns["code"]].to_numpy(dtype=object),
            "area_name": raw[columns["name"]].to_numpy(dtype=object) if "name" in columns else "",
            "year": np.full(len(raw), year, dtype="int64"),
            "sex": SEX_ORDER.astype(object)[sex_id],
            "age": age,
            "count": count,
        }
    )
    layout = "long CSV, one row per area, sex and age"
    return finish(frame, problems, layout, CODE_HEADERS.get(normal(columns["code"]), ""), year)


def _age_of(text: str) -> int:
    if text in ("90+", "90 and over", "90 plus"):
        return OLDEST
    return int(text) if text.isdigit() and int(text) <= OLDEST else -1


def _year_of(text: str) -> int:
    match = re.fullmatch(r"(?:mid-? ?)?(\d{4})", text)
    return int(match[1]) if match else -1


def _mapped(
    raw: pd.DataFrame,
    column: str,
    meaning: Callable[[str], int | None],
    what: str,
    where: str,
    problems: Problems,
) -> np.ndarray:
    """Each cell's meaning as an int64 (-1 where it has none, each such cell reported), looked
    up once per distinct value, so that millions of rows cost a few hundred calls."""
    codes, uniques = pd.factorize(raw[column])
    meanings = [meaning(normal(value)) for value in uniques]
    found = np.array([-1 if each is None else each for each in meanings], dtype="int64")[codes]
    report_cells(raw, column, found < 0, what, where, problems)
    return found


def _long_year(
    raw: pd.DataFrame, column: str | None, label: str, year: int | None, problems: Problems
) -> int | None:
    """The file's one year: from its year column (which must agree with `year` if given), else
    `year`. None, with the reason reported, if there is no single year."""
    if column is None:
        if year is None:
            problems.add(1, [f"{label}: has no year column; give the year (e.g. 2020)."])
        return year
    years = _mapped(raw, column, _year_of, "is not a year such as 2020.", label, problems)
    found = sorted(int(each) for each in pd.unique(years[years >= 0]))
    if len(found) > 1:
        shown = ", ".join(str(each) for each in found)
        problems.add(1, [f"{label}: holds several years ({shown}); import one year per file."])
    elif found and year is not None and found[0] != year:
        problems.add(1, [f"{label}: column {column!r} says {found[0]}, but {year} was given."])
    return found[0] if len(found) == 1 else None


def _long_duplicates(
    rows: pd.Index, key: np.ndarray, shown: list[np.ndarray], label: str, problems: Problems
) -> None:
    """No area, sex and age on two rows (both rows named). key is -1 on rows without one."""
    later = pd.Series(key).duplicated(keep="first").to_numpy() & (key >= 0)
    if not later.any():
        return
    first = pd.Series(rows).groupby(key).transform("min").to_numpy()
    code, sex, age = shown
    problems.cells(
        later,
        lambda p: (
            f"{label}, row {rows[p]}: area {code[p]}, sex {sex[p]}, age {age[p]} is already on "
            f"row {first[p]}; give each area, sex and age once."
        ),
    )


def _long_completeness(
    areas: pd.Index,
    area_id: np.ndarray,
    sex_id: np.ndarray,
    age: np.ndarray,
    label: str,
    problems: Problems,
) -> None:
    """Every area has persons, or females and males (not both), each with every age 0 to 90;
    and every area the same of the two."""
    present = np.zeros((len(areas), len(SEX_ORDER), len(AGES)), dtype=bool)
    present[area_id, sex_id, age] = True
    has = present.any(axis=2)
    gaps = np.argwhere(has & ~present.all(axis=2))
    problems.add(
        len(gaps),
        (
            f"{label}: area {areas[a]}, sex {SEX_ORDER[s]} has no rows for "
            f"{_ages_text(np.flatnonzero(~present[a, s]))}."
            for a, s in gaps
        ),
    )
    female, male, persons = has[:, 0], has[:, 1], has[:, 2]
    both = persons & (female | male)
    one_sided = {
        "has persons (P) rows and female or male rows; give persons, or females and males": both,
        "has female rows but no male rows": female & ~male & ~persons,
        "has male rows but no female rows": male & ~female & ~persons,
    }
    for what, wrong in one_sided.items():
        problems.add(int(wrong.sum()), (f"{label}: area {code} {what}." for code in areas[wrong]))
    if persons.any() and (female | male).any() and not both.any():
        problems.add(
            1,
            [
                f"{label}: some areas have persons (e.g. {areas[persons][0]}) and others females "
                f"and males (e.g. {areas[female | male][0]}); give the same for every area."
            ],
        )


def _ages_text(ages: np.ndarray) -> str:
    """Ages as ranges: "ages 3, 10 to 12 and 90+"."""
    parts = [f"{run[0]} to {run[-1]}" if len(run) > 1 else str(run[0]) for run in runs(ages)]
    parts = [part.replace(str(OLDEST), f"{OLDEST}+") for part in parts]
    joined = f"{', '.join(parts[:-1])} and {parts[-1]}" if len(parts) > 1 else parts[0]
    return f"{'age' if len(ages) == 1 else 'ages'} {joined}"
