"""Several parsed SNPP files (needs.importers.snpp) put together, e.g. the males file and the
females file: they must come from one projection, cover the same years, not overlap, and give
every area both sexes.

Pure: pandas only, no Django.
"""

import pandas as pd

from needs.columns import AREA_CODE, SEX
from needs.importers.snpp_layout import SEX_WORDS, empty_frame
from needs.importers.tables import MAX_ERRORS, Parsed


def combine(results: list[Parsed]) -> Parsed:
    """Put parsed SNPP files together (e.g. the males file and the females file) and check that
    no area, sex, age and year comes twice, that the files agree on base and years, and that
    every area has both sexes. Call it for a single file too: it makes the final checks."""
    if not results:
        raise ValueError("combine() needs at least one parsed file.")
    warnings = [warning for result in results for warning in result.warnings]
    files = [str(result.facts.get("file", f"file {n}")) for n, result in enumerate(results, 1)]
    if any(result.total_errors for result in results):
        errors = [error for result in results for error in result.errors]
        total = sum(result.total_errors for result in results)
        facts = _combined_facts(results, files, pd.DataFrame(columns=[AREA_CODE, SEX]))
        return Parsed(empty_frame(), errors[:MAX_ERRORS], total, warnings, facts)
    pairs = pd.concat(
        [
            result.frame[[AREA_CODE, SEX]].drop_duplicates().assign(file=n)
            for n, result in enumerate(results)
        ],
        ignore_index=True,
    )
    facts = _combined_facts(results, files, pairs)
    errors = _mismatched(results, files) or _overlaps(pairs, files, facts["years"])
    errors = errors or _sex_gaps(pairs, files, facts["base_year"])
    frame = pd.concat([result.frame for result in results], ignore_index=True)
    return Parsed.of(frame, errors, warnings=warnings, facts=facts)


def _combined_facts(
    results: list[Parsed], files: list[str], pairs: pd.DataFrame
) -> dict[str, object]:
    first = results[0].facts
    facts: dict[str, object] = {
        "files": files,
        "layout": "; ".join(dict.fromkeys(str(r.facts.get("layout", "")) for r in results)),
        "base_year": first.get("base_year"),
        "years": first.get("years"),
        "areas": int(pairs[AREA_CODE].nunique()),
        "sexes": sorted(pairs[SEX].unique().tolist()),
        "source_hint": first.get("source_hint"),
    }
    dropped = sorted({year for r in results for year in r.facts.get("years_dropped", [])})
    if dropped:
        facts["years_dropped"] = dropped
    return facts


def _span(years: object) -> str:
    return "–".join(str(year) for year in (years or []))


def _mismatched(results: list[Parsed], files: list[str]) -> list[str]:
    """Files from different projections, or covering different years, cannot be joined."""
    errors = []
    first = results[0].facts
    for name, result in zip(files[1:], results[1:], strict=True):
        if result.facts.get("base_year") != first.get("base_year"):
            errors.append(
                f"{files[0]} is {first.get('base_year')}-based but {name} is "
                f"{result.facts.get('base_year')}-based; upload files from one projection."
            )
        elif result.facts.get("years") != first.get("years"):
            errors.append(
                f"{files[0]} covers {_span(first.get('years'))} but {name} covers "
                f"{_span(result.facts.get('years'))}; upload files covering the same years."
            )
    return errors


def _listed(codes: list[str]) -> str:
    more = f" and {len(codes) - 10} more" if len(codes) > 10 else ""
    return ", ".join(codes[:10]) + more


def _overlaps(pairs: pd.DataFrame, files: list[str], years: object) -> list[str]:
    """Each parsed file is complete (every age of its years for each of its area × sex) and by
    now all cover the same years, so two files overlap exactly where they share an area × sex:
    reported once per set of files and sex, naming the first few areas."""
    shared = pairs[pairs.duplicated([AREA_CODE, SEX], keep=False)]
    owners = shared.groupby([SEX, AREA_CODE])["file"].agg(tuple)
    clashes: dict[tuple[str, tuple[int, ...]], list[str]] = {}
    for (sex, code), held in owners.items():
        clashes.setdefault((sex, held), []).append(code)
    return [
        f"{' and '.join(files[n] for n in held)} both hold {SEX_WORDS[sex]} for {len(codes)} "
        f"area(s) ({_listed(codes)}), {_span(years)}; each area, sex, age and year must come "
        "from one file only (upload the males file and the females file once each)."
        for (sex, held), codes in clashes.items()
    ]


def _sex_gaps(pairs: pd.DataFrame, files: list[str], base: object) -> list[str]:
    """Every area needs both sexes."""
    sexes = pairs.drop_duplicates([AREA_CODE, SEX]).groupby(AREA_CODE)[SEX].agg(["first", "size"])
    only = sexes.loc[sexes["size"] == 1, "first"]
    errors = []
    for have, lacking in (("M", "F"), ("F", "M")):
        codes = sorted(only.index[only == have])
        if codes:
            errors.append(
                f"{', '.join(files)}: {len(codes)} area(s) have {SEX_WORDS[have]} but no "
                f"{SEX_WORDS[lacking]} ({_listed(codes)}); upload the {SEX_WORDS[lacking]} file "
                f'too (e.g. "{base} SNPP Population {SEX_WORDS[lacking]}.csv").'
            )
    return errors
