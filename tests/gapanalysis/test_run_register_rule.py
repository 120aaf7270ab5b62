"""An analysis run records the rule that placed the GP registers (registered patients' home LSOA
where the patients-by-LSOA file is loaded, else the practice's site) and the recorded files'
dataset versions when it is made, on the real county; the run's page and the chapter's "How we
compare" section say it."""

import re
from html import unescape

import pytest
from django.urls import reverse

from gapanalysis.chapter_compare import compare_section
from gapanalysis.models import AnalysisRun, RunStatus
from gapanalysis.services import analysis_claim, analysis_execute, analysis_start
from needs.models import Area, DatasetVersion
from needs.selectors import default_locality_scheme
from recorded.models import Practice
from tests.recorded.conftest import worcestershire  # noqa: F401 (the real county, loaded once)
from tests.recorded.test_recorded_imports import practice_lsoa_file, run

SITE_RULE = (
    "GP registers placed by practice site's LSOA ({n} practices): no patients-by-LSOA file is "
    "loaded, so each practice counts where its site is."
)


def executed_run(capture) -> AnalysisRun:
    with capture(execute=False):
        made = analysis_start(user=None)
    assert analysis_claim(run_id=made.pk)
    analysis_execute(run_id=made.pk)
    made.refresh_from_db()
    assert made.status == RunStatus.SUCCEEDED, made.error
    return made


def placed_practices() -> int:
    return Practice.objects.filter(area__isnull=False).count()


@pytest.fixture
def county(worcestershire, db):  # noqa: F811
    return None


def test_without_the_patients_file_the_run_records_the_practice_site_rule(
    county, django_capture_on_commit_callbacks, client, analyst
):
    made = executed_run(django_capture_on_commit_callbacks)
    # Every Worcestershire practice with a QOF register is placed by its site; count them here.
    rule = made.inputs["register_rule"]
    assert re.fullmatch(r"GP registers placed by practice site's LSOA \(\d+ practices\): .*", rule)
    n = int(re.search(r"\((\d+) practices\)", rule)[1])
    assert 0 < n <= placed_practices()
    assert rule == SITE_RULE.format(n=n)
    recorded = {item["kind"] for item in made.inputs["recorded_datasets"]}
    assert {"qof", "gp_practices"} <= recorded and "practice_lsoa" not in recorded
    qofs = DatasetVersion.objects.filter(kind="qof", retired_at__isnull=True).order_by("pk")
    pinned = [(item["id"], item["name"]) for item in made.inputs["recorded_datasets"]]
    assert qofs and all((v.pk, v.original_name) in pinned for v in qofs)
    qof = qofs.first()
    client.force_login(analyst)
    page = client.get(reverse("gapanalysis:run_detail", args=[made.pk])).content.decode()
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert f"GP registers placed by {rule}" in text
    assert f"{qof.original_name} (dataset version {qof.pk})" in text
    section = compare_section(made)
    said = " ".join(section.paragraphs)
    assert f"GP registers, as recorded on analysis run {made.pk}: {rule}" in said


def test_with_the_patients_file_the_run_records_the_patients_lsoa_rule(
    county, django_capture_on_commit_callbacks, tmp_path
):
    practices = sorted(Practice.objects.filter(area__isnull=False).values_list("code", flat=True))
    lsoas = sorted(Area.objects.filter(level="lsoa21").values_list("code", flat=True))[:2]
    run("import_practice_lsoa", practice_lsoa_file(tmp_path / "p.csv", practices[:3], lsoas))
    made = executed_run(django_capture_on_commit_callbacks)
    rule = made.inputs["register_rule"]
    # The three practices in the file by their patients; every other placed one by its site.
    assert rule.startswith("GP registers placed by registered patients' home LSOA (3 practices)")
    assert ", else by practice site's LSOA (" in rule
    assert "no patients-by-LSOA file is loaded" not in rule
    kinds = {item["kind"] for item in made.inputs["recorded_datasets"]}
    assert "practice_lsoa" in kinds
    assert f"GP registers, as recorded on analysis run {made.pk}: {rule}" in " ".join(
        compare_section(made).paragraphs
    )


def test_a_run_made_before_runs_recorded_the_rule_says_so(county):
    old = AnalysisRun.objects.create(
        year=2020, locality_scheme=default_locality_scheme(), inputs={}
    )
    said = " ".join(compare_section(old).paragraphs)
    assert "This run recorded no rule for placing GP registers" in said


def test_the_chapter_says_when_the_recorded_files_changed_after_the_run(
    county, django_capture_on_commit_callbacks, tmp_path
):
    made = executed_run(django_capture_on_commit_callbacks)
    assert "have changed since this run" not in " ".join(compare_section(made).paragraphs)
    practices = sorted(Practice.objects.filter(area__isnull=False).values_list("code", flat=True))
    lsoas = sorted(Area.objects.filter(level="lsoa21").values_list("code", flat=True))[:2]
    run("import_practice_lsoa", practice_lsoa_file(tmp_path / "p.csv", practices[:3], lsoas))
    added = DatasetVersion.objects.get(kind="practice_lsoa", retired_at__isnull=True)
    said = " ".join(compare_section(made).paragraphs)
    assert (
        "The recorded-activity files have changed since this run was made, so the figures "
        "below come from the files in use now: "
    ) in said
    assert f"{added.original_name} (dataset version {added.pk})" in said.split("in use now")[1]
    assert said.count("Make a new run to pin them.") == 1
