"""The chapter as one standalone HTML file (images inline), and as PDF rendered from it.

Django's template engine escapes every string; nothing refers outside the file. The PDF is laid
out by WeasyPrint as PDF/UA-1: tagged (headings, lists, tables, figures with their alt text) for
screen readers, its fonts embedded, A4 with a running header, "Page X of Y" and a contents list
with page numbers.
"""

import base64
import logging

from django.template.loader import render_to_string

from gapanalysis.chapter import Chapter, Numbered, Table, numbered

# WeasyPrint logs a line per step and page (from its import on): keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
from weasyprint import HTML  # noqa: E402  (after the logger is quietened)

PDF_VARIANT = "pdf/ua-1"


class PdfRenderError(RuntimeError):
    """The PDF renderer could not lay out the chapter."""


def chapter_html(chapter: Chapter, *, for_pdf: bool = False) -> str:
    sections = [_section(item) for item in numbered(chapter)]
    return render_to_string(
        "gapanalysis/chapter.html", {"chapter": chapter, "sections": sections, "for_pdf": for_pdf}
    )


def _section(item: Numbered) -> dict:
    figures = [
        (label, figure, "data:image/png;base64," + base64.b64encode(figure.png).decode("ascii"))
        for label, figure in item.figures
    ]
    tables = [(label, table, *_cells(table)) for label, table in item.tables]
    return {"section": item.section, "figures": figures, "tables": tables}


def _cells(table: Table) -> tuple[list[tuple[str, bool]], list[list[tuple[str, bool]]]]:
    """The header and rows, each cell with whether it is a number (right-aligned)."""
    width = len(table.columns)
    numeric = [*table.numeric, *([False] * width)][:width]
    header = list(zip(table.columns, numeric, strict=True))
    rows = [list(zip(row, numeric, strict=False)) for row in table.rows]
    return header, rows


def chapter_pdf(chapter: Chapter) -> bytes:
    """The chapter as a tagged PDF (PDF/UA-1), fonts embedded."""
    try:
        return HTML(string=chapter_html(chapter, for_pdf=True)).write_pdf(pdf_variant=PDF_VARIANT)
    except (ValueError, OSError) as error:
        raise PdfRenderError(f"The PDF could not be laid out: {error}") from error
