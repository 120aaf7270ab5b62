"""What every page says to the people who use it: where to start, where they are, what is empty
and why, what each measure means, and dates and numbers written the British way."""

import itertools
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from gapanalysis.models import AnalysisRun, Norm
from needs.models import PopulationEstimate
from provision.models import Service
from uploads.models import Upload

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
BRITISH_DATE = re.compile(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}}\b")
BRITISH_DATE_TIME = re.compile(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}}, \d{{2}}:\d{{2}}\b")
NO_ROLE = "ask your administrator for a role"
INTERVAL = (
    "the range within which the true figure is likely to lie, given the sampling error of the "
    "survey the rate comes from"
)


# --- reading pages --------------------------------------------------------------------------------


class _Text(HTMLParser):
    """The text a reader sees: no markup, attributes, scripts or styles."""

    HIDDEN = {"script", "style", "head", "svg"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.hidden += tag in self.HIDDEN
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in self.HIDDEN
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(body: str) -> str:
    parser = _Text()
    parser.feed(body)
    return re.sub(r"\s+", " ", "".join(parser.parts))


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def breadcrumb_trail(body: str) -> list[str] | None:
    found = re.search(
        r'<nav class="nhsuk-breadcrumb" aria-label="Breadcrumb">(.*?)</nav>', body, re.S
    )
    if found is None:
        return None
    items = re.findall(r"<li[^>]*>(.*?)</li>", found.group(1), re.S)
    return [visible_text(item).strip() for item in items]


def links(body: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', body))


def locality_of(run: AnalysisRun):
    return run.results.filter(level="locality").order_by("unit_name").first()


# --- the home page --------------------------------------------------------------------------------


def test_the_home_page_says_what_the_tool_is_for_and_has_a_section_per_role(
    client, commissioner, finished_run
):
    text = visible_text(page(client, commissioner, reverse("home")))
    assert "where need is not matched by provision" in text
    assert "Where to start" in text
    for heading in ("Analysts", "Commissioners", "JSNA project managers"):
        assert heading in text
    assert "Load the data, then run an analysis." in text
    assert "need against provision map, then open the page for each locality" in text
    assert "Export the mental-health chapter of the JSNA" in text


def test_an_analyst_sees_the_links_to_load_data_and_run_an_analysis_only(
    client, analyst, finished_run
):
    body = page(client, analyst, reverse("home"))
    found = links(body)
    assert reverse("uploads:new") in found
    assert reverse("gapanalysis:latest_map") + "#run-analysis" in found
    assert reverse("gapanalysis:chapter", args=[finished_run.pk]) not in found
    assert NO_ROLE not in body
    analyst_section = body.split('data-home-role="analyst"')[1].split("</section>")[0]
    assert "Your role" in analyst_section


def test_a_commissioner_sees_the_map_and_the_locality_pages_but_not_the_analysts_links(
    client, commissioner, finished_run
):
    body = page(client, commissioner, reverse("home"))
    found = links(body)
    assert reverse("gapanalysis:latest_map") in found
    locality = locality_of(finished_run)
    assert reverse("gapanalysis:locality", args=[finished_run.pk, locality.unit_code]) in found
    assert reverse("uploads:new") not in found
    assert reverse("gapanalysis:latest_map") + "#run-analysis" not in found
    assert reverse("gapanalysis:chapter", args=[finished_run.pk]) not in found
    assert NO_ROLE not in body


def test_a_jsna_project_manager_sees_the_chapter_export_but_not_the_analysts_links(
    client, jsna_manager, finished_run
):
    body = page(client, jsna_manager, reverse("home"))
    found = links(body)
    assert reverse("gapanalysis:chapter", args=[finished_run.pk]) in found
    assert reverse("uploads:new") not in found
    assert reverse("gapanalysis:latest_map") + "#run-analysis" not in found
    section = body.split('data-home-role="jsna_manager"')[1].split("</section>")[0]
    assert "Your role" in section and "Export the JSNA chapter" in section


def test_someone_without_a_role_is_told_to_ask_for_one_and_sees_no_links_to_the_tool(
    client, outsider, finished_run
):
    body = page(client, outsider, reverse("home"))
    assert NO_ROLE in body
    for name in ("uploads:new", "uploads:list", "gapanalysis:latest_map", "needs:need",
                 "provision:service_mapping", "gapanalysis:run_compare"):  # fmt: skip
        assert not any(href.startswith(reverse(name)) for href in links(body)), name
    assert "/runs/" not in body
    assert "Your role" not in body


# --- breadcrumbs ----------------------------------------------------------------------------------

MAP, RUN = "Need against provision", "Analysis run {pk}"


def trails(run: AnalysisRun, upload: Upload) -> list[tuple[str, str, list[str]]]:
    """(persona, url, the trail after Home) for every page a signed-in user can reach."""
    locality = locality_of(run)
    run_label = RUN.format(pk=run.pk)
    return [
        ("commissioner", reverse("needs:need"), ["Need"]),
        ("commissioner", reverse("provision:service_mapping"), ["Services"]),
        ("analyst", reverse("provision:service_new"), ["Services", "Add a service"]),
        ("commissioner", reverse("provision:financial_mapping"), ["Spending"]),
        ("commissioner", reverse("gapanalysis:latest_map"), [MAP]),
        ("commissioner", reverse("gapanalysis:run_detail", args=[run.pk]), [MAP, run_label]),
        (
            "commissioner",
            reverse("gapanalysis:locality", args=[run.pk, locality.unit_code]),
            [MAP, run_label, locality.unit_name],
        ),
        ("commissioner", reverse("gapanalysis:run_compare"), [MAP, "Compare runs"]),
        (
            "jsna_manager",
            reverse("gapanalysis:chapter", args=[run.pk]),
            [MAP, run_label, "JSNA chapter"],
        ),
        ("commissioner", reverse("gapanalysis:norms"), ["Norms"]),
        ("analyst", reverse("gapanalysis:norm_new"), ["Norms", "Add a local norm"]),
        ("commissioner", reverse("uploads:list"), ["Data"]),
        ("analyst", reverse("uploads:new"), ["Data", "Upload a file"]),
        ("commissioner", reverse("uploads:detail", args=[upload.pk]), ["Data", "rates.csv"]),
    ]


def test_every_page_but_home_has_breadcrumbs_home_section_page(
    client, request, finished_run, checked_upload
):
    problems = []
    for persona, url, trail in trails(finished_run, checked_upload):
        body = page(client, request.getfixturevalue(persona), url)
        found = breadcrumb_trail(body)
        if found != ["Home", *trail]:
            problems.append(f"{url}: {found}")
        elif (
            'aria-current="page"' not in body.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
        ):
            problems.append(f"{url}: the current page is not marked")
    assert problems == []


def test_the_home_and_sign_in_pages_have_no_breadcrumbs(client, analyst):
    assert breadcrumb_trail(client.get(reverse("login")).content.decode()) is None
    assert breadcrumb_trail(page(client, analyst, reverse("home"))) is None


def test_breadcrumb_links_lead_up_the_trail(client, commissioner, finished_run):
    locality = locality_of(finished_run)
    body = page(
        client,
        commissioner,
        reverse("gapanalysis:locality", args=[finished_run.pk, locality.unit_code]),
    )
    nav = body.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert re.findall(r'href="([^"]+)"', nav) == [
        reverse("home"),
        reverse("gapanalysis:latest_map"),
        reverse("gapanalysis:run_detail", args=[finished_run.pk]),
    ]


# --- empty states ---------------------------------------------------------------------------------


def test_with_no_services_the_services_and_spending_pages_say_where_to_load_them(
    client, analyst, commissioner
):
    Service.objects.all().delete()
    upload_services = reverse("uploads:new") + "?kind=services"
    for name in ("provision:service_mapping", "provision:financial_mapping"):
        body = page(client, analyst, reverse(name))
        text = visible_text(body)
        assert "No services loaded yet — upload them on the Data page" in text, name
        assert upload_services in links(body), name
        body = page(client, commissioner, reverse(name))
        assert "No services loaded yet" in body and "Ask an analyst to load them." in body, name
        assert upload_services not in links(body), name


def test_with_no_analysis_run_analysts_are_sent_to_start_one_and_others_to_ask(
    client, analyst, commissioner, jsna_manager
):
    assert not AnalysisRun.objects.exists()
    body = page(client, analyst, reverse("gapanalysis:latest_map"))
    assert "No analysis has finished yet." in body
    assert 'href="#run-analysis">Start one</a>' in body and 'id="run-analysis"' in body
    body = page(client, analyst, reverse("home"))
    assert "No analysis has been run yet." in body
    assert reverse("gapanalysis:latest_map") + "#run-analysis" in links(body)
    for reader in (commissioner, jsna_manager):
        body = page(client, reader, reverse("gapanalysis:latest_map"))
        assert "No analysis has finished yet." in body and "Ask an analyst to run one" in body
        assert "#run-analysis" not in body
        text = visible_text(page(client, reader, reverse("home")))
        assert "No analysis has been run yet. Ask an analyst to run one." in text
        assert "so there are no locality pages: ask an analyst to run one" in text
    text = visible_text(page(client, jsna_manager, reverse("home")))
    assert "there is no chapter to export: ask an analyst to run one" in text
    text = visible_text(page(client, commissioner, reverse("gapanalysis:run_compare")))
    assert "No analysis has finished yet, so there is nothing to compare." in text


def test_with_one_run_the_compare_page_says_a_comparison_needs_two(client, analyst, finished_run):
    body = page(client, analyst, reverse("gapanalysis:run_compare"))
    assert "Only one analysis has finished so far: a comparison needs two." in body


def test_with_no_population_the_need_page_says_so_and_where_to_load_it(
    client, analyst, commissioner
):
    PopulationEstimate.objects.all().delete()
    body = page(client, analyst, reverse("needs:need"))
    assert "No population loaded yet" in body
    assert reverse("uploads:new") + "?kind=population" in links(body)
    assert "There is a problem" not in body
    body = page(client, commissioner, reverse("needs:need"))
    assert "No population loaded yet" in body and "Ask an analyst to load them." in body


def test_with_no_norms_the_norms_page_says_so(client, analyst, commissioner):
    Norm.objects.all().delete()
    body = page(client, analyst, reverse("gapanalysis:norms"))
    assert "No norms yet" in body and reverse("gapanalysis:norm_new") in links(body)
    body = page(client, commissioner, reverse("gapanalysis:norms"))
    assert "No norms yet" in body and "Ask an analyst to add them." in body


def test_with_no_uploads_the_data_page_says_so(client, analyst, commissioner):
    assert not Upload.objects.exists()
    body = page(client, analyst, reverse("uploads:list"))
    assert "No uploads yet." in body and reverse("uploads:new") in links(body)
    body = page(client, commissioner, reverse("uploads:list"))
    assert "No uploads yet. Files uploaded by analysts are listed here." in body


def test_with_no_exports_the_chapter_page_says_how_to_make_one(client, jsna_manager, finished_run):
    body = page(client, jsna_manager, reverse("gapanalysis:chapter", args=[finished_run.pk]))
    assert "No exports yet. Choose a format below and export the chapter" in body


# --- what the measures mean -----------------------------------------------------------------------


def test_the_need_against_provision_page_explains_each_measure(client, commissioner, finished_run):
    text = visible_text(page(client, commissioner, reverse("gapanalysis:latest_map")))
    assert "What does this mean?" in text
    for phrase in (
        "Per 1,000 at risk is the estimated number of people with the condition",
        f"The 95% interval is {INTERVAL}",
        "Coverage is capacity ÷ estimated people in need",
        "The ambition ratio is coverage ÷ that share",
        "The classes come from the ambition ratio",
        "well below is under 50% of the ambition",
        "Capacity is how many people the services can see",
        "courses of treatment a year, referrals a year, caseload places",
    ):
        assert phrase in text, phrase


@pytest.mark.parametrize(
    ("url_name", "phrases"),
    [
        (
            "needs:need",
            ["Per 1,000 at risk is", "Per 1,000 residents is", f"The 95% interval is {INTERVAL}"],
        ),
        ("provision:service_mapping", ["Capacity is how many people", "Spend is the annual spend"]),
        (
            "provision:financial_mapping",
            ["Spend is the annual spend", "share of all mental-health spend"],
        ),
        (
            "gapanalysis:norms",
            ["The ambition is the share of people in need", "Capacity is how many"],
        ),
    ],
)
def test_other_pages_explain_their_measures(client, commissioner, url_name, phrases):
    text = visible_text(page(client, commissioner, reverse(url_name)))
    assert "What does this mean?" in text
    for phrase in phrases:
        assert phrase in text, phrase


def test_the_locality_and_compare_pages_explain_their_measures(client, commissioner, finished_run):
    locality = locality_of(finished_run)
    url = reverse("gapanalysis:locality", args=[finished_run.pk, locality.unit_code])
    text = visible_text(page(client, commissioner, url))
    assert "Coverage is capacity ÷ estimated people in need" in text
    assert "The ambition ratio is coverage ÷ that share" in text
    url = reverse("gapanalysis:run_compare") + f"?a={finished_run.pk}&b={finished_run.pk}"
    text = visible_text(page(client, commissioner, url))
    assert "What does this mean?" in text and "The classes come from the ambition ratio" in text


def test_norms_give_their_capacity_unit_in_words(client, commissioner):
    text = visible_text(page(client, commissioner, reverse("gapanalysis:norms")))
    assert "courses of treatment a year" in text
    assert "courses_per_year" not in text


# --- dates and numbers ----------------------------------------------------------------------------


def test_no_page_shows_an_iso_date(client, request, finished_run, checked_upload):
    urls = [("commissioner", reverse("home"))] + [
        (p, u) for p, u, _ in trails(finished_run, checked_upload)
    ]
    for persona, url in urls:
        text = visible_text(page(client, request.getfixturevalue(persona), url))
        assert not ISO_DATE.search(text), (url, ISO_DATE.search(text))


def test_dates_are_written_the_british_way_where_they_are_shown(
    client, commissioner, finished_run, checked_upload
):
    for url in (
        reverse("home"),
        reverse("gapanalysis:latest_map"),
        reverse("gapanalysis:run_detail", args=[finished_run.pk]),
        reverse("gapanalysis:run_compare"),
        reverse("uploads:list"),
        reverse("uploads:detail", args=[checked_upload.pk]),
    ):
        text = visible_text(page(client, commissioner, url))
        assert BRITISH_DATE_TIME.search(text), url


def test_big_numbers_have_thousands_separators_and_money_has_a_pound_sign(
    client, commissioner, finished_run
):
    for url in (
        reverse("gapanalysis:latest_map"),
        reverse("needs:need"),
        reverse("provision:service_mapping"),
        reverse("provision:financial_mapping"),
        reverse("uploads:list"),
    ):
        body = page(client, commissioner, url)
        cells = re.findall(r'<td class="[^"]*cell--numeric[^"]*"[^>]*>(.*?)</td>', body, re.S)
        assert cells, url
        unseparated = [c for c in map(visible_text, cells) if re.search(r"\d{4,}", c)]
        assert unseparated == [], url
    text = visible_text(page(client, commissioner, reverse("provision:financial_mapping")))
    assert re.search(r"£\d{1,3}(,\d{3})+\b", text)


def test_coverage_by_group_is_a_percentage(client, commissioner, finished_run):
    body = page(client, commissioner, reverse("gapanalysis:latest_map"))
    table = body.split('id="equality-heading"')[1].split("</table>")[0]
    assert re.search(r">\s*\d+\.\d%\s*</td>", table)
    assert not re.search(r">\s*0\.\d{3}\s*</td>", table)


# --- accessibility basics -------------------------------------------------------------------------


def test_tables_forms_frames_and_headings_follow_the_basics(
    client, request, finished_run, checked_upload
):
    problems = []
    for persona, url in [("analyst", reverse("home"))] + [
        (p, u) for p, u, _ in trails(finished_run, checked_upload)
    ]:
        body = page(client, request.getfixturevalue(persona), url)
        main = body.split('id="maincontent"')[1]
        for table in re.findall(r"<table.*?</table>", main, re.S):
            if "<caption" not in table:
                problems.append(f"{url}: a table without a caption")
            if any("scope=" not in th for th in re.findall(r"<th\b[^>]*>", table)):
                problems.append(f"{url}: a header cell without scope")
        if any("title=" not in frame for frame in re.findall(r"<iframe\b[^>]*>", body)):
            problems.append(f"{url}: an iframe without a title")
        labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', body))
        for control in re.findall(r"<(?:input|select|textarea)\b[^>]*>", body):
            if re.search(r'type="(hidden|submit)"', control) or "aria-label=" in control:
                continue
            found = re.search(r'\bid="([^"]+)"', control)
            if not found or found.group(1) not in labelled:
                problems.append(f"{url}: a form control without a label: {control[:80]}")
        ids = set(re.findall(r'\bid="([^"]+)"', body))
        for refs in re.findall(r'aria-(?:describedby|labelledby)="([^"]+)"', body):
            problems += [
                f"{url}: aria reference to a missing id {r}" for r in refs.split() if r not in ids
            ]
        levels = [int(level) for level in re.findall(r"<h([1-6])\b", main)]
        if levels[:1] != [1] or any(b > a + 1 for a, b in itertools.pairwise(levels)):
            problems.append(f"{url}: headings out of order {levels}")
    assert problems == []


def test_a_refused_page_says_why_and_leads_home(client, outsider, commissioner):
    client.force_login(outsider)
    response = client.get(reverse("gapanalysis:latest_map"))
    assert response.status_code == 403
    body = response.content.decode()
    assert NO_ROLE in body and reverse("home") in links(body)
    assert breadcrumb_trail(body) == ["Home", "You cannot see this page"]
    client.force_login(commissioner)
    response = client.get(reverse("uploads:new"))
    assert response.status_code == 403
    assert "Your role does not include this page" in response.content.decode()
