"""The import commands' progress bar: drawn on a terminal, silent when output is redirected."""

import io

from uploads.commands import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_the_bar_fill_and_end_with_a_new_line():
    stream = Terminal()
    bar = ProgressBar(stream)
    bar(0.0, "Reading and checking the file")
    bar(0.5, "Writing population")
    bar(1.0, "Imported")
    drawn = stream.getvalue().split("\r")[1:]
    assert drawn[0].startswith("[" + "." * 30 + "]   0% Reading and checking the file")
    assert drawn[1].startswith("[" + "#" * 15 + "." * 15 + "]  50% Writing population")
    assert drawn[2].startswith("[" + "#" * 30 + "] 100% Imported") and drawn[2].endswith("\n")


def test_redirected_output_gets_no_bar():
    stream = io.StringIO()
    ProgressBar(stream)(0.5, "Writing population")
    assert stream.getvalue() == ""
