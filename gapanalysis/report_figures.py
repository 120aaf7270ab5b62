"""What the chapter's pictures share: a matplotlib figure as PNG bytes, and text wrapped to fit.

Pure: matplotlib and the standard library (gapanalysis.report_maps, gapanalysis.report_charts)."""

import io
import textwrap

from matplotlib.figure import Figure as MplFigure


def png(figure: MplFigure, dpi: int) -> bytes:
    """The figure as PNG on white, its artists dropped at once afterwards."""
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    finally:
        figure.clear()  # drop the artists now rather than waiting for the garbage collector
    return buffer.getvalue()


def wrap(text: str, width: int) -> str:
    """Lines of at most `width` characters; text that cannot be wrapped as it is."""
    return "\n".join(textwrap.wrap(text, width)) or text
