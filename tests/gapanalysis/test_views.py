"""Who may see and do what, through the pages."""

import html
import re

import pytest
from django.urls import reverse

from gapanalysis.models import AnalysisRun, RunStatus
from gapanalysis.selectors import run_norms
from gapanalysis.services import analysis_claim, analysis_execute, analysis_start
from tests.downloads import csv_frame, csv_rows, formulas, opened_in_a_spreadsheet

pytestmark = pytest.mark.django_db
TT = "talking_therapies_access"


def page_urls(run: AnalysisRun) -> list[str]:
    return [
        reverse("home"),
        reverse("gapanalysis:latest_map"),
        reverse("gapanalysis:run_detail", args=[run.pk]),
        reverse("gapanalysis:run_map_document", args=[run.pk, TT, "need"]),
    ]


def test_every_page_sends_an_anonymous_visitor_to_sign_in(client, finished_run):
    for url in [*page_urls(finished_run), reverse("admin:index")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"], url


def test_a_commissioner_sees_the_maps_and_the_locality_table(client, commissioner, finished_run):
    client.force_login(commissioner)
    response = client.get(reverse("gapanalysis:latest_map"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Synthetic demo data" in body
    assert body.count('class="jsna-map-frame"') == 1
    frame = body.split('class="jsna-map-frame"')[1].split(">")[0]
    assert f"/{TT}/bivariate/" in frame  # the headline ambition's need against provision
    assert "Unmet need" in body and "would need to be seen" in body
    assert "By sex" in body and "Women and girls" in body and "By age" in body
    assert "By deprivation fifth" in body and "Most deprived fifth" in body
    for name in ("Ashwold", "Corvedon", "Hallowmere", "Marlbridge", "Severnholt"):
        assert name in body
    assert "Run a new analysis" not in body


@pytest.mark.parametrize("kind", ["need", "provision", "coverage", "bivariate"])
def test_the_map_type_is_chosen_on_the_page(client, commissioner, finished_run, kind):
    client.force_login(commissioner)
    body = client.get(reverse("gapanalysis:latest_map"), {"map": kind}).content.decode()
    frame = body.split('class="jsna-map-frame"')[1].split(">")[0]
    assert f"/{kind}/" in frame
    assert f'<option value="{kind}" selected>' in body


def test_a_commissioner_cannot_start_a_run(client, commissioner):
    client.force_login(commissioner)
    assert client.post(reverse("gapanalysis:run_start")).status_code == 403
    assert not AnalysisRun.objects.exists()


def test_someone_without_a_role_sees_no_results(client, outsider, finished_run):
    client.force_login(outsider)
    for url in page_urls(finished_run)[1:]:
        assert client.get(url).status_code == 403, url


def test_an_analyst_starts_a_run_and_lands_on_its_page(
    client, analyst, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("gapanalysis:run_start"))
    run = AnalysisRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("gapanalysis:run_detail", args=[run.pk])
    assert run.created_by == analyst and run.status == RunStatus.QUEUED
    assert len(callbacks) == 1


def test_starting_a_run_needs_a_post(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("gapanalysis:run_start")).status_code == 405


def test_the_map_document_may_be_framed_only_by_this_site_and_loads_nothing_else(
    client, commissioner, finished_run
):
    client.force_login(commissioner)
    response = client.get(
        reverse("gapanalysis:run_map_document", args=[finished_run.pk, TT, "need"])
    )
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_other_pages_may_not_be_framed(client, commissioner, finished_run):
    client.force_login(commissioner)
    assert client.get(reverse("gapanalysis:latest_map"))["X-Frame-Options"] == "DENY"


def test_an_unknown_map_kind_is_not_found(client, commissioner, finished_run):
    client.force_login(commissioner)
    url = reverse("gapanalysis:run_map_document", args=[finished_run.pk, TT, "nonsense"])
    assert client.get(url).status_code == 404


def test_the_home_page_shows_the_roles_and_the_latest_run(client, analyst, finished_run):
    client.force_login(analyst)
    body = client.get(reverse("home")).content.decode()
    assert "analyst" in body
    assert f"run {finished_run.pk}" in body


def test_the_login_page_is_open_and_signing_in_works(client, analyst):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(
        reverse("login"), {"username": "ana", "password": "a-long-test-password-4821"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_an_analyst_chooses_which_ambitions_a_run_covers(
    client, analyst, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("gapanalysis:run_start"), {"norms": ["cyp_access"]})
    run = AnalysisRun.objects.get()
    assert list(run.norms.values_list("code", flat=True)) == ["cyp_access"]
    assert run.inputs["financial_year"] == "2024/25"


def test_a_locality_page_shows_its_figures_and_statements(client, commissioner, finished_run):
    client.force_login(commissioner)
    statement = finished_run.statements.order_by("rank").first()
    url = reverse("gapanalysis:locality", args=[finished_run.pk, statement.unit_code])
    body = client.get(url).content.decode()
    assert statement.unit_name in body and html.escape(statement.text) in body
    for kind in ("need", "bivariate"):
        args = [finished_run.pk, statement.unit_code, TT, kind]
        response = client.get(reverse("gapanalysis:locality_map", args=args))
        assert response.status_code == 200 and response["X-Frame-Options"] == "SAMEORIGIN"
    args = [finished_run.pk, statement.unit_code, TT, "nonsense"]
    assert client.get(reverse("gapanalysis:locality_map", args=args)).status_code == 404
    unknown = reverse("gapanalysis:locality", args=[finished_run.pk, "E07999999"])
    assert client.get(unknown).status_code == 404


def test_a_locality_s_small_area_maps_have_their_figures_as_a_table(
    client, commissioner, finished_run
):
    client.force_login(commissioner)
    locality = finished_run.results.filter(level="locality", norm_code=TT).first()
    body = client.get(
        reverse("gapanalysis:locality", args=[finished_run.pk, locality.unit_code])
    ).content.decode()
    assert body.count("data-small-area-table") == len(run_norms(run=finished_run))
    small = finished_run.results.filter(level="small_area", norm_code=TT)
    members = [r for r in small if f"({r.unit_code})" in body]
    assert members, "the small areas are listed"
    assert sum(r.expected_cases for r in members) == pytest.approx(locality.expected_cases)


def test_a_locality_s_figures_download_as_csv_matching_the_stored_results(
    client, commissioner, finished_run
):
    client.force_login(commissioner)
    result = finished_run.results.filter(level="locality", norm_code=TT).first()
    url = reverse("gapanalysis:locality_download", args=[finished_run.pk, result.unit_code])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        f'filename="run-{finished_run.pk}-{result.unit_code}.csv"'
        in response["Content-Disposition"]
    )
    notes, _ = csv_rows(response.content)
    assert "Synthetic demo data" in notes[0]
    table = csv_frame(response.content)
    mine = table[(table["Level"] == "locality") & (table["Ambition"] == TT)]
    assert len(mine) == 1
    assert mine["Estimated people in need"].iloc[0] == pytest.approx(result.expected_cases)
    assert mine["Capacity a year"].iloc[0] == pytest.approx(result.capacity)
    small = table[(table["Level"] == "small_area") & (table["Ambition"] == TT)]
    assert small["Estimated people in need"].sum() == pytest.approx(result.expected_cases)
    other = reverse("gapanalysis:locality_download", args=[finished_run.pk, "E07999999"])
    assert client.get(other).status_code == 404


def test_two_runs_are_compared_side_by_side(
    client, commissioner, finished_run, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        second = analysis_start(user=None, norm_codes=[TT])
    analysis_claim(run_id=second.pk)
    analysis_execute(run_id=second.pk)
    client.force_login(commissioner)
    url = reverse("gapanalysis:run_compare") + f"?a={finished_run.pk}&b={second.pk}"
    response = client.get(url)
    rows = response.context["rows"]
    assert len(rows) == 5 * len(run_norms(run=finished_run))
    same = [r for r in rows if r["norm_code"] == TT]
    # The same inputs: equal but for the order a matrix product of another shape adds in.
    assert all(
        r["expected_cases_a"] == pytest.approx(r["expected_cases_b"], rel=1e-12) for r in same
    )
    dropped = [r for r in rows if r["norm_code"] != TT]
    assert all(r["expected_cases_b"] is None for r in dropped)


def test_statements_are_plain_english_with_rounded_numbers_and_sources(finished_run):
    from gapanalysis.selectors import run_references, statement_groups

    groups = statement_groups(run=finished_run)
    assert groups, "the demo has unmet need to state"
    references = run_references(run=finished_run)
    for group in groups:  # each ambition under its headline, sharpest first within it
        assert group["headline"] == finished_run.inputs["statement_headlines"][group["norm_code"]]
        text = group["statements"][0].text
        assert text.startswith("In ") and "estimated" in text and "Sources" not in text
        cited = re.search(r"\[([\d, ]+)\]$", text)
        assert cited and all(1 <= int(n) <= len(references) for n in cited[1].split(", "))
        ratios = [
            finished_run.results.get(level="locality", unit_code=s.unit_code, norm_code=s.norm_code)
            for s in group["statements"]
        ]
        ambition = [round(r.ambition_ratio, 2) for r in ratios]
        assert ambition == sorted(ambition), "sharpest gaps first"


def test_an_analyst_adds_a_local_norm_and_commissioners_cannot(client, analyst, commissioner):
    from needs.models import Condition

    data = {
        "code": "local_cyp_counselling", "name": "Local counselling offer",
        "condition": Condition.objects.get(code="cyp_any").pk,
        "service_types": ["cyp_counselling"], "measure": "seen_per_year", "age_min": "0",
        "age_max": "17", "capacity_units": ["courses_per_year"],
        "share_percent": "10", "people_label": "young people",
        "capacity_label": "Counselling capacity", "action": "would need counselling",
        "source": "Wyvern Vale children's partnership plan 2025", "source_url": "",
    }  # fmt: skip
    client.force_login(commissioner)
    assert client.post(reverse("gapanalysis:norm_new"), data).status_code == 403
    client.force_login(analyst)
    assert client.post(reverse("gapanalysis:norm_new"), data).status_code == 302
    from gapanalysis.models import Norm

    norm = Norm.objects.get(code="local_cyp_counselling")
    assert norm.is_local and norm.share == pytest.approx(0.10)
    assert (norm.measure, norm.ages_label, norm.capacity_units) == (
        "seen_per_year",
        "under 18",
        ["courses_per_year"],
    )
    assert "Local counselling offer" in client.get(reverse("gapanalysis:norms")).content.decode()


def test_a_local_norm_may_not_read_a_unit_its_measure_cannot(client, analyst):
    from needs.models import Condition

    data = {
        "code": "local_beds", "name": "Beds as people treated",
        "condition": Condition.objects.get(code="cmd").pk, "service_types": ["talking_therapies"],
        "measure": "entering_treatment_per_year", "age_min": "18", "age_max": "",
        "capacity_units": ["caseload_places"], "share_percent": "10", "people_label": "adults",
        "capacity_label": "Capacity", "action": "would need to be seen", "source": "Local plan",
        "source_url": "",
    }  # fmt: skip
    client.force_login(analyst)
    response = client.post(reverse("gapanalysis:norm_new"), data)
    assert response.status_code == 200
    assert "caseload places cannot be read as people entering treatment a year" in (
        response.content.decode()
    )


def test_a_chapter_page_with_an_export_under_way_updates_itself_without_meta_refresh(
    client, jsna_manager, finished_run, django_capture_on_commit_callbacks
):
    from gapanalysis.exports import export_start

    finished_run.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        export_start(run=finished_run, fmt="docx", user=jsna_manager)
    client.force_login(jsna_manager)
    body = client.get(reverse("gapanalysis:chapter", args=[finished_run.pk])).content.decode()
    assert "http-equiv" not in body
    assert "data-busy" in body and "js/reload-while-busy.js" in body


def test_a_locality_s_figures_open_in_a_spreadsheet_with_no_formula(
    client, commissioner, finished_run, tmp_path
):
    result = finished_run.results.filter(level="locality", norm_code=TT).first()
    hostile = '=HYPERLINK("http://x"), Malvern'
    finished_run.results.filter(unit_code=result.unit_code).update(unit_name=hostile)
    sources = ["Adult Psychiatric Morbidity Survey, England, 2014", "@SUM(A1), local"]
    finished_run.inputs = {**finished_run.inputs, "rate_sources": sources}
    finished_run.save(update_fields=["inputs"])
    client.force_login(commissioner)
    url = reverse("gapanalysis:locality_download", args=[finished_run.pk, result.unit_code])
    sheet = opened_in_a_spreadsheet(client.get(url).content, tmp_path)
    assert formulas(sheet) == []
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [f"# Sources: {'; '.join(sources)}"] in [row[:1] for row in cells]
    header = next(row for row in cells if row[0] == "Level")
    names = {row[header.index("Name")] for row in cells if row[0] == "locality"}
    assert names == {hostile}
    assert all(set(row[1:]) <= {None} for row in cells if str(row[0]).startswith("# "))
