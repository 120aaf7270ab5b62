"""Users read plain names, never the codes the software keeps: every page each role can see,
with the demo area and a finished run, is searched for words like `talking_therapies_access`.

A word is a code when it is letters joined by underscores ([a-z]+_[a-z_]+) in the visible text:
scripts, styles, tags and attribute values are dropped first. Text inside <code> is exempt: the
upload pages show the column headings an analyst must type in a file's header row, and those
headings are what the file must contain, word for word.
"""

import re
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from gapanalysis.models import Norm
from needs import selectors as needs_selectors
from tests import test_url_permissions
from tests.not_pages import NOT_PAGES
from tests.test_url_permissions import ACCESS, url_of
from uploads.kinds import KINDS

pytestmark = pytest.mark.django_db

CODE_WORD = re.compile(r"\b[a-z]+_[a-z_]+\b")
# Codes of one word that are no English word: a service type, a condition.
SHORT_CODES = re.compile(r"\b(camhs|cmd|eip|ips|cyp_any)\b")
# A file's own name is the user's ("prevalence_rates.csv"), not a code of ours.
FILE_NAME = re.compile(r"\b[\w.-]+\.(csv|xlsx|xls|zip|geojson|json|gpkg|docx|html|pdf)\b")
# The column headings the upload pages name are what a file's header row must hold, word for
# word (the pages cannot call them anything else): allowed on the Data pages only.
COMMAND = re.compile(r"manage\.py|\bimport_[a-z]+|\bload_[a-z]+|--[a-z]")
UPLOAD_COLUMNS = {
    "age_max", "age_min", "area_code", "condition_code", "condition_name", "imd_quintile",
    "locality_code", "locality_name", "lsoa21_code", "relative_risk", "source_url", "source_year",
    "practice_code", "dem_register", "dem_patient_list_size",
}  # fmt: skip
SKIPPED_TAGS = {"script", "style", "code", "template"}

objects = test_url_permissions.objects


class VisibleText(HTMLParser):
    """The words a reader sees: text outside <script>, <style> and <code>, without tags or
    attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in SKIPPED_TAGS:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.words.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return " ".join(parser.words)


def codes_in(html: str, *, allowed: set[str] = frozenset()) -> list[str]:
    text = FILE_NAME.sub(" ", visible_text(html))
    found = set(CODE_WORD.findall(text)) | set(SHORT_CODES.findall(text))
    return sorted(found - allowed)


def test_the_reader_sees_no_code_in_a_page():
    html = (
        "<p data-x='talking_therapies_access'>Talking Therapies</p><script>var a_b;</script>"
        "<code>area_code</code><li>camhs_core</li><p>camhs, CAMHS, my_rates.csv</p>"
    )
    assert codes_in(html) == ["camhs", "camhs_core"]
    assert codes_in("<p>area_code</p>", allowed=UPLOAD_COLUMNS) == []


def pages_for(role: str, o: dict) -> list[str]:
    """Every page `role` may GET; for the analyst, who may see every page the others see, also
    each ambition, locality, condition and upload kind (the same text for every role)."""
    urls = [
        url_of(name, o)
        for name, (method, allowed) in ACCESS.items()
        if method == "get" and role in allowed and name not in NOT_PAGES
    ]
    if role != "analyst":
        return urls
    run = o["run"]
    maps = reverse("gapanalysis:latest_map")
    urls += [f"{maps}?{urlencode({'norm': norm.code})}" for norm in Norm.objects.all()]
    localities = run.results.filter(level="locality").values_list("unit_code", flat=True)
    urls += [reverse("gapanalysis:locality", args=[run.pk, code]) for code in set(localities)]
    urls.append(f"{reverse('gapanalysis:run_compare')}?a={run.pk}&b={run.pk}")
    need = reverse("needs:need")
    urls += [f"{need}?{urlencode({'condition': code})}" for code in _conditions()]
    new = reverse("uploads:new")
    urls += [f"{new}?{urlencode({'kind': kind})}" for kind in KINDS]
    return urls


def _conditions() -> list[str]:
    """One condition of each group (adults, children, older people…): every condition's name is
    in each need page's list of conditions, and a page takes 5 s to work out, so one per group
    stands for the pages' own text (description, sources, rates)."""
    first_of_group = {}
    for condition in needs_selectors.conditions_with_rates():
        first_of_group.setdefault(condition.group, condition.code)
    return list(first_of_group.values())


def test_no_page_shows_a_code_to_any_role(client, objects, analyst, commissioner, jsna_manager):
    found = []
    seen = 0
    for user in (analyst, commissioner, jsna_manager):
        client.force_login(user)
        role = user.groups.get().name
        for url in pages_for(role, objects):
            response = client.get(url)
            if response.status_code != 200 or "html" not in response["Content-Type"]:
                continue
            seen += 1
            allowed = UPLOAD_COLUMNS if url.startswith("/uploads/") else set()
            codes = codes_in(response.content.decode(), allowed=allowed)
            if codes:
                found.append(f"{role} {url}: {', '.join(codes)}")
            if COMMAND.search(visible_text(response.content.decode())):
                found.append(f"{role} {url}: tells a web user to run a command")
    assert seen > 60
    assert found == [], "codes shown to users:\n" + "\n".join(found)


def test_a_refused_choice_names_the_field_and_its_choices(client, analyst):
    """Django's "Select a valid choice" names neither: each form's own message names both."""
    client.force_login(analyst)
    posts = [
        (reverse("provision:service_new"), {"service_type": "camhs_x", "conditions": "cmd_x"}),
        (reverse("gapanalysis:norm_new"), {"measure": "x_y", "service_types": "x_y"}),
    ]
    for url, data in posts:
        body = client.post(url, data).content.decode()
        text = visible_text(body)
        assert "Select a valid choice" not in text, url
        assert codes_in(body) == [], url
    text = visible_text(client.post(*posts[0]).content.decode())
    assert "Choose the service type from the list: one of the 26 in the list, such as NHS" in text
    assert "Choose the conditions served from the list:" in text
    assert "Conditions served" in text and "Common mental disorder (any)" in text


def test_the_need_page_opens_on_common_mental_disorder(client, commissioner):
    client.force_login(commissioner)
    response = client.get(reverse("needs:need"))
    assert response.context["condition"].code == "cmd"
    assert '<option value="cmd" selected>' in response.content.decode()
    assert "<h2>Common mental disorder (any)," in response.content.decode()


def test_need_against_provision_opens_on_the_headline_ambitions_map_before_the_statements(
    client, commissioner, finished_run
):
    client.force_login(commissioner)
    body = client.get(reverse("gapanalysis:latest_map")).content.decode()
    frame = body.index('class="jsna-map-frame"')
    assert "/talking_therapies_access/bivariate/" in body[frame : body.index(">", frame)]
    assert frame < body.index('id="table-heading"') < body.index("data-statement-group")
    first_statement = finished_run.statements.order_by("rank", "pk").first().text
    assert frame < body.index(first_statement.replace("'", "&#x27;"))
    # Grouped by ambition: the shown ambition's group first and open, any other closed.
    groups = re.findall(r'<details class="[^"]*jsna-statement-group[^"]*"([^>]*)>', body)
    assert 'data-statement-group="talking_therapies_access" open' in groups[0]
    assert all(" open" not in group for group in groups[1:])


def test_an_analyst_finds_run_a_new_analysis_near_the_top(client, analyst, finished_run):
    client.force_login(analyst)
    body = client.get(reverse("gapanalysis:latest_map")).content.decode()
    assert body.index('id="run-analysis"') < body.index('class="jsna-map-frame"')
    assert "Run a new analysis</span></summary>" in body


def test_statement_groups_open_and_close_without_a_script():
    groups = [
        {"norm_code": code, "headline": f"{code} headline", "statements": [SimpleNamespace(text=t)]}
        for code, t in (("first", "One."), ("second", "Two."))
    ]
    html = render_to_string(
        "gapanalysis/_statements.html", {"groups": groups, "references": [], "open_code": "second"}
    )
    found = re.findall(r'<details[^>]*data-statement-group="(\w+)"( open)?>\s*<summary', html)
    assert found == [("first", ""), ("second", " open")]
    assert "<script" not in html and "(1 statement)" in html
    every = render_to_string("gapanalysis/_statements.html", {"groups": groups, "open_all": True})
    assert every.count(" open>") == 2


def test_need_unadjusted_for_want_of_relative_risks_links_to_where_they_are_loaded(
    client, analyst, commissioner
):
    query = {"condition": "cmd", "adjust_for_deprivation": "on"}
    client.force_login(analyst)
    body = client.get(reverse("needs:need"), query).content.decode()
    note = body.split("data-deprivation-note>")[1].split("</div>")[0]
    assert "Not adjusted for deprivation: no published relative risks" in note
    upload = reverse("uploads:new") + "?kind=relative_risks"
    assert f'<a href="{upload}">Upload relative risks by deprivation on the Data page</a>' in note
    client.force_login(commissioner)
    note = client.get(reverse("needs:need"), query).content.decode().split("data-deprivation-note>")
    assert "Ask an analyst to load them." in note[1].split("</div>")[0]
