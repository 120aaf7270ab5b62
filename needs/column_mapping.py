"""Matching an analyst's own columns and values to a kind's template: the guesses.

A kind that takes files in a fixed layout (services, see provision.importer_mapping) describes
its template's columns as Targets; an analyst whose spreadsheet names them differently matches
each one to a column of their file, and their words for a fixed set of values ("places",
"Worcestershire County Council") to the template's codes. This module guesses both, so the
analyst mostly checks and confirms. Pure: no Django.
"""

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

NOT_LETTERS = re.compile(r"[^a-z0-9]+")
CLOSE_ENOUGH = 0.8  # difflib's ratio for a value's guess from the allowed names


@dataclass(frozen=True)
class Target:
    """One column of a template. `choices`: (code, plain name) where its values are a fixed
    set; `keywords`: (word found in a value, code) guesses for that set, tried in order."""

    column: str
    label: str
    required: bool
    help: str = ""
    synonyms: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()
    keywords: tuple[tuple[str, str], ...] = ()
    whole_file: bool = False  # a fixed value fills every row, not only a service's main row
    fixable: bool = True  # may be given as one value for every row instead of a column

    def name_of(self, code: str) -> str:
        return dict(self.choices).get(code, code)


@dataclass(frozen=True)
class MappingSupport:
    """What a kind offers for its own-layout files: its targets, a reader of a file's header row
    (with the errors, naming the file, if it cannot be read), a reader of the distinct values
    of some of its columns, and whether a header is the template's already."""

    targets: Callable[[], list[Target]]
    header: Callable[[Path, str], tuple[list[str], list[str]]]
    values: Callable[[Path, str, list[str], list[str]], dict[str, list[str]]]
    matches_template: Callable[[list[str]], bool]
    notes: tuple[str, ...] = field(default_factory=tuple)


def squash(text: str) -> str:
    """Lower case, letters and digits only: "Post code", "post_code" and "POSTCODE" agree."""
    return NOT_LETTERS.sub("", str(text).lower())


def columns_guess(targets: Iterable[Target], sources: list[str]) -> dict[str, str]:
    """target column → the source column most likely to hold it; each source used once.

    Exact names first (the template's column or its plain label), then the synonyms, so a
    column named exactly as the template is never taken by another target's synonym."""
    targets = list(targets)
    by_squash: dict[str, str] = {}
    for source in sources:
        by_squash.setdefault(squash(source), source)
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for names in (
        lambda target: (target.column, target.label),
        lambda target: target.synonyms,
    ):
        for target in targets:
            if target.column in chosen:
                continue
            for name in names(target):
                source = by_squash.get(squash(name))
                if source is not None and source not in used:
                    chosen[target.column] = source
                    used.add(source)
                    break
    return chosen


def value_known(target: Target, value: str) -> bool:
    """Whether the importer reads the value as it is (a code or its name, in any case)."""
    wanted = squash(value)
    return any(wanted in (squash(code), squash(name)) for code, name in target.choices)


def value_guess(target: Target, value: str) -> str:
    """The code the value most likely means, or "" for no guess."""
    wanted = squash(value)
    for code, name in target.choices:
        if wanted in (squash(code), squash(name)):
            return code
    words = f" {' '.join(NOT_LETTERS.split(str(value).lower()))} "
    for keyword, code in target.keywords:
        if f" {keyword} " in words:
            return code
    names = {squash(name): code for code, name in target.choices}
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=CLOSE_ENOUGH)
    return names[close[0]] if close else ""
