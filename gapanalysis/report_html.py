"""The chapter as one standalone HTML file (images inline), and as PDF rendered from it.

Django's template engine escapes every string; nothing refers outside the file.
"""

import base64
import io

from django.template.loader import render_to_string
from xhtml2pdf import pisa

from gapanalysis.chapter import Chapter


class PdfRenderError(RuntimeError):
    """The PDF renderer could not lay out the chapter."""


def chapter_html(chapter: Chapter, *, for_pdf: bool = False) -> str:
    images = {
        id(figure): "data:image/png;base64," + base64.b64encode(figure.png).decode("ascii")
        for section in chapter.sections
        for figure in section.figures
    }
    sections = [
        {"section": section, "figures": [(f, images[id(f)]) for f in section.figures]}
        for section in chapter.sections
    ]
    return render_to_string(
        "gapanalysis/chapter.html", {"chapter": chapter, "sections": sections, "for_pdf": for_pdf}
    )


def chapter_pdf(chapter: Chapter) -> bytes:
    buffer = io.BytesIO()
    result = pisa.CreatePDF(chapter_html(chapter, for_pdf=True), dest=buffer, encoding="utf-8")
    if result.err:
        raise PdfRenderError(f"The PDF could not be laid out ({result.err} errors).")
    return buffer.getvalue()
