"""Hostile text for the map tests, and how to tell data from code in a map document."""

import json
import re

# Names as users could type or upload them: markup, template-literal breakers, a formula, control
# characters and a very long name. Each carries "alert" or another marker found in no map's code.
HOSTILE = (
    "<script>alert(1)</script>",
    "${alert(1)}",
    "`",
    "`;alert(1);`",
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    '=HYPERLINK("http://x")',
    "tab\there\r\nnul\x00bel\x07esc\x1b del\x7f ls\u2028ps\u2029 \\u0060 \\`",
    "A" * 4_990 + "${alert(1)}",
)
# What the database can hold (no NUL; names of at most 200 characters): for names stored as rows.
STORABLE = tuple(text.replace("\x00", "")[-200:] for text in HOSTILE)
# Would only be in a script if a name had leaked into its code.
MARKERS = ("alert", "HYPERLINK", "javascript:", "A" * 50)

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
FOLIUM_ID = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])")


def inline_scripts(document: str) -> list[str]:
    return [body for attributes, body in SCRIPT.findall(document) if "src=" not in attributes]


def code_of(document: str) -> str:
    """The document's inline scripts with every JSON string emptied and folium's ids made
    uniform: what is left is code, so it must not change with the names the map shows."""
    code = "\n".join(JSON_STRING.sub('""', body) for body in inline_scripts(document))
    return FOLIUM_ID.sub("id", code)


def json_strings(document: str) -> list[str]:
    """Every JSON string in the document's inline scripts, decoded."""
    return [
        json.loads(text) for body in inline_scripts(document) for text in JSON_STRING.findall(body)
    ]


def leaks(document: str) -> list[str]:
    """Markers of hostile text found in the document's code, or in its markup unescaped."""
    found = [marker for marker in MARKERS if marker in code_of(document)]
    opened = len(re.findall(r"<script\b", document, re.IGNORECASE))
    closed = len(re.findall(r"</script\s*>", document, re.IGNORECASE))
    if opened != closed:
        found.append(f"{opened} <script> tags but {closed} </script>")
    for raw in ("<script>alert", '"http://x"'):
        if raw in document:
            found.append(raw)
    return found
