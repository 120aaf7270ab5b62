"""The site must work with no internet access.

Every script, stylesheet, font and image must be served from ``static/``. These tests scan the
text files under ``static/`` and ``templates/`` for references that would make a browser fetch
something from another host, and check that the vendored front-end builds are present.

Plain file reading only: no Django needed (run with ``-p no:django`` if the plugin is in the way).
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
TEMPLATES = ROOT / "templates"
VENDOR = STATIC / "vendor"

# Text files a browser could load, or that produce pages. Markdown (README) and licence files
# are documentation and may mention URLs freely.
SCANNED_SUFFIXES = {".css", ".js", ".mjs", ".html", ".htm", ".svg", ".json", ".webmanifest", ".xml"}

# "http://", "https://" or protocol-relative "//", after an optional quote and spaces.
_REMOTE = r"""\s*["']?\s*(?:https?:)?//"""

# (description, pattern). Checked on text with comments blanked out (line numbers preserved).
RESOURCE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # src= on any element (script, img, iframe, source, audio, video...), and srcset=.
    ("remote src=", re.compile(r"\b(?:src|srcset)\s*=" + _REMOTE, re.IGNORECASE)),
    # href= on <link> (stylesheets, icons, preloads, manifests) and <script> (SVG scripts).
    (
        "remote href= on <link>/<script>",
        re.compile(r"<(?:link|script)\b[^>]*?\b(?:xlink:)?href\s*=" + _REMOTE, re.IGNORECASE),
    ),
    ("remote url()", re.compile(r"\burl\(" + _REMOTE, re.IGNORECASE)),
    ("remote @import", re.compile(r"@import\s+(?:url\()?" + _REMOTE, re.IGNORECASE)),
]

# Checked on the raw text: in CSS the source map reference is itself a comment.
SOURCE_MAP_PATTERN = re.compile(r"[#@]\s*sourceMappingURL\s*=\s*(?:https?:)?//", re.IGNORECASE)

# Comments that are blanked before scanning, so licence headers and explanatory comments may
# mention URLs. JavaScript comments are not blanked: `/*` and `//` occur inside strings and
# regular expressions in minified code, so stripping them is not reliable.
_HTML_COMMENTS = [
    re.compile(r"<!--.*?-->", re.DOTALL),
    re.compile(r"\{#.*?#\}"),
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL),
]
_CSS_COMMENTS = [re.compile(r"/\*.*?\*/", re.DOTALL)]


def _blank(match: re.Match[str]) -> str:
    """Replace a comment with spaces, keeping its newlines so line numbers do not move."""
    return re.sub(r"[^\n]", " ", match.group(0))


def _without_comments(text: str, suffix: str) -> str:
    if suffix in {".html", ".htm", ".svg", ".xml"}:
        patterns = _HTML_COMMENTS
    elif suffix == ".css":
        patterns = _CSS_COMMENTS
    else:
        patterns = []
    for pattern in patterns:
        text = pattern.sub(_blank, text)
    return text


def find_remote_references(text: str, suffix: str) -> list[tuple[int, str, str]]:
    """Return (line number, description, matched text) for each external resource reference."""
    hits: list[tuple[int, str, str]] = []

    def line_of(source: str, index: int) -> int:
        return source.count("\n", 0, index) + 1

    scanned = _without_comments(text, suffix)
    for description, pattern in RESOURCE_PATTERNS:
        for match in pattern.finditer(scanned):
            hits.append((line_of(scanned, match.start()), description, match.group(0)[-80:]))
    for match in SOURCE_MAP_PATTERN.finditer(text):
        hits.append((line_of(text, match.start()), "remote sourceMappingURL", match.group(0)))
    return sorted(hits)


def _scanned_files() -> Iterator[Path]:
    for base in (STATIC, TEMPLATES):
        if not base.exists():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and path.suffix.lower() in SCANNED_SUFFIXES:
                yield path


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def test_there_are_files_to_scan() -> None:
    files = list(_scanned_files())
    assert any(p.suffix == ".html" for p in files), "no templates found"
    assert any(p.suffix == ".css" for p in files), "no stylesheets found"


def test_no_external_resource_references_in_static_or_templates() -> None:
    problems = []
    for path in _scanned_files():
        for line, description, snippet in find_remote_references(_read(path), path.suffix.lower()):
            problems.append(f"{path.relative_to(ROOT)}:{line}: {description}: {snippet!r}")
    assert not problems, "External resource references (the site must work offline):\n" + "\n".join(
        problems
    )


# The scanner itself: it must catch these and must not flag these.
@pytest.mark.parametrize(
    ("snippet", "suffix"),
    [
        ('<script src="https://cdn.example/x.js"></script>', ".html"),
        ("<script defer src='http://cdn.example/x.js'></script>", ".html"),
        ('<script src="//cdn.example/x.js"></script>', ".html"),
        ('<img alt="" src="https://tiles.example/1/2/3.png">', ".html"),
        ('<link rel="stylesheet" href="https://fonts.example/css?family=X">', ".html"),
        ('<link\n  rel="preload"\n  href="//cdn.example/font.woff2">', ".html"),
        ("a{background:url(https://cdn.example/a.png)}", ".css"),
        ('@font-face{src:url("https://assets.nhs.uk/fonts/F.woff2")}', ".css"),
        ("a{background:url( '//cdn.example/a.png' )}", ".css"),
        ('@import "https://cdn.example/x.css";', ".css"),
        ("@import url(https://cdn.example/x.css);", ".css"),
        ("/*# sourceMappingURL=https://cdn.example/x.css.map */", ".css"),
        ("var a=1;\n//# sourceMappingURL=https://cdn.example/x.js.map", ".js"),
        ("el.innerHTML = '<script src=\"https://cdn.example/x.js\"></script>';", ".js"),
    ],
)
def test_scanner_flags_external_references(snippet: str, suffix: str) -> None:
    assert find_remote_references(snippet, suffix)


@pytest.mark.parametrize(
    ("snippet", "suffix"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>', ".html"),
        ('<a href="https://www.nhs.uk/">NHS website</a>', ".html"),
        ('<!-- Based on https://example.org/page, see <script src="https://x"> -->', ".html"),
        ("{# see https://docs.djangoproject.com/ #}", ".html"),
        ("<script src=\"{% static 'vendor/leaflet/leaflet.js' %}\"></script>", ".html"),
        ('<link rel="stylesheet" href="/static/css/jsna.css">', ".html"),
        ("/* Licence: https://opensource.org/licenses/MIT url(https://x) */ a{color:red}", ".css"),
        ("a{background:url(images/layers.png)}", ".css"),
        ("a{behavior:url(#default#VML)}", ".css"),
        ('a{background:url("data:image/svg+xml;utf8,<svg/>")}', ".css"),
        ("// see https://leafletjs.com for docs\nvar x = 'https://leafletjs.com';", ".js"),
        ("var a=1;\n//# sourceMappingURL=a.js.map", ".js"),
    ],
)
def test_scanner_allows_local_and_non_resource_urls(snippet: str, suffix: str) -> None:
    assert find_remote_references(snippet, suffix) == []


# ---------------------------------------------------------------------------------------------
# Vendored builds
# ---------------------------------------------------------------------------------------------

MIN_SIZE = 1024


@pytest.mark.parametrize(
    "relative",
    [
        "nhsuk-frontend/nhsuk-frontend.min.css",
        "nhsuk-frontend/nhsuk-frontend.min.js",
        "leaflet/leaflet.js",
        "leaflet/leaflet.css",
        "leaflet.markercluster/leaflet.markercluster.js",
    ],
)
def test_vendored_file_exists_and_is_not_trivial(relative: str) -> None:
    path = VENDOR / relative
    assert path.is_file(), f"missing {path.relative_to(ROOT)}: run scripts/vendor_static.sh"
    assert path.stat().st_size > MIN_SIZE, f"{path.relative_to(ROOT)} is suspiciously small"


def test_vendored_nhsuk_frontend_directory_exists() -> None:
    assert (VENDOR / "nhsuk-frontend").is_dir()
    assert (VENDOR / "nhsuk-frontend" / "LICENSE").is_file()


def test_vendored_marker_cluster_css_and_licences_exist() -> None:
    for relative in [
        "leaflet.markercluster/MarkerCluster.css",
        "leaflet.markercluster/MarkerCluster.Default.css",
        "leaflet.markercluster/LICENSE",
        "leaflet/LICENSE",
        "leaflet/images/marker-icon.png",
        "README.md",
    ]:
        assert (VENDOR / relative).is_file(), f"missing static/vendor/{relative}"


def test_no_node_modules_under_static() -> None:
    assert not [p for p in STATIC.rglob("node_modules")], "node_modules/ must not be under static/"


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(["']?)(.*?)\1\s*\)""", re.IGNORECASE)


def test_font_faces_only_point_at_local_static_files() -> None:
    problems = []
    for path in sorted(STATIC.rglob("*.css")):
        text = _read(path)
        for block in _FONT_FACE.finditer(text):
            for url in _CSS_URL.finditer(block.group(0)):
                target = url.group(2).strip()
                is_remote = re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", target, re.IGNORECASE)
                if is_remote and not target.startswith("data:"):
                    line = text.count("\n", 0, block.start()) + 1
                    problems.append(f"{path.relative_to(ROOT)}:{line}: @font-face src {target}")
    assert not problems, "@font-face must use fonts served from static/:\n" + "\n".join(problems)


def test_relative_css_urls_resolve_to_files() -> None:
    """collectstatic with a manifest storage fails on url() that points at a missing file."""
    problems = []
    for path in sorted(STATIC.rglob("*.css")):
        text = _without_comments(_read(path), ".css")
        for url in _CSS_URL.finditer(text):
            target = url.group(2).strip()
            if not target or re.match(r"^(?:[a-z][a-z0-9+.-]*:|//|/|#)", target, re.IGNORECASE):
                continue  # data:, absolute and fragment-only URLs are not files next to the CSS
            file_part = re.split(r"[?#]", target, maxsplit=1)[0]
            if not (path.parent / file_part).is_file():
                line = text.count("\n", 0, url.start()) + 1
                problems.append(f"{path.relative_to(ROOT)}:{line}: url({target}) not found")
    assert not problems, "\n".join(problems)


def test_no_source_map_references_to_missing_files() -> None:
    """The .map files are not vendored, so no sourceMappingURL may point at one."""
    pattern = re.compile(r"[#@]\s*sourceMappingURL\s*=\s*([^\s*]+)")
    problems = []
    for path in sorted(STATIC.rglob("*")):
        if path.suffix.lower() not in {".css", ".js", ".mjs"}:
            continue
        for match in pattern.finditer(_read(path)):
            target = match.group(1)
            if target.startswith("data:"):
                continue
            if not (path.parent / target).is_file():
                problems.append(f"{path.relative_to(ROOT)}: sourceMappingURL={target}")
    assert not problems, "\n".join(problems)


def test_pages_use_the_font_served_from_static() -> None:
    """Arimo (Arial's metrics) is served from static/ and named first, so a page is laid out the
    same on every machine whatever fonts it has: the page-width tests measure what users see."""
    base = _read(ROOT / "templates" / "base.html")
    font_css = base.index("vendor/arimo/arimo.css")
    assert font_css < base.index("vendor/nhsuk-frontend/nhsuk-frontend.min.css")
    faces = _FONT_FACE.findall(_read(STATIC / "vendor" / "arimo" / "arimo.css"))
    assert len(faces) == 4
    for face in faces:
        assert "font-family:Arimo" in face.replace(" ", "")
        (target,) = [m.group(2) for m in _CSS_URL.finditer(face)]
        assert (STATIC / "vendor" / "arimo" / target).read_bytes()[:4] == b"wOF2"
    nhsuk = _read(STATIC / "vendor" / "nhsuk-frontend" / "nhsuk-frontend.min.css")
    assert "html{font-family:Arimo,arial,sans-serif}" in nhsuk.replace(" ", "")
    own = _read(STATIC / "css" / "jsna.css")
    stacks = re.findall(r"font-family:\s*([^;]+);", own)
    assert stacks and all(stack.startswith("Arimo,") for stack in stacks), stacks
