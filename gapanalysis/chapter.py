"""The JSNA mental-health chapter as plain data: what every format (Word, HTML, PDF) renders.

Pure: no Django. Built from a succeeded run by `gapanalysis.chapter_builder`; rendered by
`gapanalysis.report_docx` (python-docx), `gapanalysis.report_html` (HTML, and PDF from it).
All text here is plain text — never HTML — so every renderer escapes it for its own format.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]  # already formatted for reading: "9,800", "14%"
    numeric: list[bool] = field(default_factory=list)  # per column: right-align


@dataclass(frozen=True)
class Figure:
    caption: str
    png: bytes  # a static map at print resolution, with its legend, source and copyright
    alt_text: str


@dataclass(frozen=True)
class Section:
    key: str  # stable identifier, e.g. "summary", "need", "methods"
    title: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    placeholder: bool = False  # for the author to complete
    note: str = ""  # shown boxed under the heading, e.g. that the text is a draft to edit
    # Headed lists, e.g. each ambition's headline with its statements.
    groups: list[tuple[str, list[str]]] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # cited in the text as [1], [2], …


@dataclass(frozen=True)
class Chapter:
    title: str
    area: str
    year: int
    run_id: int
    author: str
    date: str  # e.g. "23 November 2026"
    synthetic_label: str  # empty unless the data are synthetic
    introduction: str
    sections: list[Section]
    # Copyright and attribution lines of the data used that carry them (none for invented data).
    attributions: list[str] = field(default_factory=list)

    @property
    def running_title(self) -> str:
        """The page header: the chapter's title, then the area."""
        return f"JSNA mental health chapter — {self.area}"

    def title_details(self) -> list[tuple[str, str]]:
        return [
            ("Area", self.area),
            ("Population year", str(self.year)),
            ("Analysis run", str(self.run_id)),
            ("Prepared by", self.author),
            ("Date", self.date),
        ]


# Every section a chapter can have, in the default order: (key, title).
SECTIONS = (
    ("summary", "Summary of key findings"),
    ("population", "Population and deprivation"),
    ("need", "Need by condition"),
    ("provision", "Provision baseline"),
    ("gap", "Need against provision"),
    ("compare", "How we compare"),
    ("equality", "Equality breakdowns"),
    ("projections", "Projections"),
    ("recommendations", "Recommendations"),
    ("methods", "Methods"),
    ("sources", "Data sources"),
    ("limitations", "Limitations"),
)


@dataclass(frozen=True)
class Numbered:
    """A section with its figures and tables numbered through the chapter (figures first within
    a section, as every format prints them): Word and PDF say the same "Figure 3", "Table 2"."""

    section: Section
    figures: list[tuple[str, Figure]]  # ("Figure 3", figure)
    tables: list[tuple[str, Table]]


def numbered(chapter: Chapter) -> list[Numbered]:
    figure_count = table_count = 0
    result = []
    for section in chapter.sections:
        figures, tables = [], []
        for figure in section.figures:
            figure_count += 1
            figures.append((f"Figure {figure_count}", figure))
        for table in section.tables:
            table_count += 1
            tables.append((f"Table {table_count}", table))
        result.append(Numbered(section, figures, tables))
    return result
