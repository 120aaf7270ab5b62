"""The gap analysis on the demo area, through the services (no broker involved)."""

import pytest
from django.db.models import Q, Sum

from gapanalysis.models import AnalysisRun, GapResult, ResultLevel, RunMap, RunStatus
from gapanalysis.services import (
    AnalysisStartError,
    analysis_claim,
    analysis_execute,
    analysis_start,
)
from needs.models import PopulationEstimate
from provision.models import Service

pytestmark = pytest.mark.django_db
TT = "talking_therapies_access"


def started_run(capture) -> AnalysisRun:
    with capture(execute=False) as callbacks:
        run = analysis_start(user=None)
    assert len(callbacks) == 1, "the task is dispatched once, after the commit"
    return run


def executed_run(capture) -> AnalysisRun:
    run = started_run(capture)
    assert analysis_claim(run_id=run.pk)
    analysis_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def computed(run: AnalysisRun) -> int:
    """The run's norms that it could compute (the others say why in its inputs)."""
    return run.norms.count() - len(run.inputs["norms_not_computed"])


def test_a_run_is_queued_and_dispatched_only_after_commit(django_capture_on_commit_callbacks):
    run = started_run(django_capture_on_commit_callbacks)
    assert run.status == RunStatus.QUEUED
    assert run.is_synthetic


def test_need_is_population_18_plus_times_the_cited_rates(django_capture_on_commit_callbacks):
    """The rates are published for 16 and over; NHS Talking Therapies counts 18 and over."""
    run = executed_run(django_capture_on_commit_callbacks)
    assert run.status == RunStatus.SUCCEEDED and run.progress == 100
    adults = PopulationEstimate.objects.filter(year=run.year, age__gte=18)
    women = adults.filter(sex="F").aggregate(n=Sum("count"))["n"]
    men = adults.filter(sex="M").aggregate(n=Sum("count"))["n"]
    whole = GapResult.objects.get(run=run, level=ResultLevel.WHOLE_AREA, norm_code=TT)
    # Any CMD, APMS 2014 table 2.3 (rows 13 and 22, columns B-H): percent by sex and age band,
    # applied from 18 (`adults`: the ages the Talking Therapies norm counts).
    bands = ((16, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, 200))
    cited = {
        "M": (10.0, 17.4, 16.3, 13.8, 15.6, 8.1, 5.6),
        "F": (28.2, 20.7, 22.3, 24.2, 20.2, 14.7, 11.0),
    }
    expected = sum(
        percent
        / 100
        * (adults.filter(sex=sex, age__range=band).aggregate(n=Sum("count"))["n"] or 0)
        for sex, percents in cited.items()
        for band, percent in zip(bands, percents, strict=True)
    )
    assert whole.expected_cases == pytest.approx(expected)
    assert whole.population == pytest.approx(women + men)


def test_localities_add_up_to_the_whole_area(django_capture_on_commit_callbacks):
    run = executed_run(django_capture_on_commit_callbacks)
    localities = GapResult.objects.filter(run=run, level=ResultLevel.LOCALITY, norm_code=TT)
    whole = GapResult.objects.get(run=run, level=ResultLevel.WHOLE_AREA, norm_code=TT)
    assert localities.count() == 5
    for field in ("expected_cases", "capacity", "gap_people", "spend"):
        total = localities.aggregate(total=Sum(field))["total"]
        if field == "gap_people":
            assert total >= whole.gap_people - 1e-6  # gaps do not offset surpluses elsewhere
        else:
            assert total == pytest.approx(getattr(whole, field))
    small = GapResult.objects.filter(run=run, level=ResultLevel.SMALL_AREA, norm_code=TT)
    assert small.aggregate(t=Sum("expected_cases"))["t"] == pytest.approx(whole.expected_cases)


def test_each_locality_gets_its_districts_talking_therapies_capacity(
    django_capture_on_commit_callbacks,
):
    run = executed_run(django_capture_on_commit_callbacks)
    year = run.inputs["financial_year"]
    assert year == "2024/25", "the latest financial year loaded is used and pinned"
    for service in Service.objects.filter(service_type="talking_therapies", financial_year=year):
        district = service.catchment.get()
        result = GapResult.objects.get(
            run=run, level=ResultLevel.LOCALITY, unit_code=district.code, norm_code=TT
        )
        assert result.capacity == pytest.approx(service.capacity)
        assert result.coverage_ratio == pytest.approx(service.capacity / result.expected_cases)
        assert result.provision_rule == "catchment, shared by population"


def test_a_run_stores_need_coverage_and_bivariate_maps_served_offline(
    django_capture_on_commit_callbacks,
):
    run = executed_run(django_capture_on_commit_callbacks)
    maps = {m.kind: m for m in RunMap.objects.filter(run=run, norm_code=TT)}
    assert set(maps) == {"need", "provision", "coverage", "bivariate"}
    assert RunMap.objects.filter(run=run).count() == 4 * computed(run)
    for run_map in maps.values():
        assert "/static/vendor/leaflet/leaflet.js" in run_map.html
        assert "https://" not in run_map.html.split("<body>")[0]
        assert "Synthetic demo data" in run_map.html
        assert run_map.alt_text.startswith("Map: ")


def test_running_the_same_run_again_replaces_its_results(django_capture_on_commit_callbacks):
    run = executed_run(django_capture_on_commit_callbacks)
    before = GapResult.objects.filter(run=run).count()
    AnalysisRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    analysis_execute(run_id=run.pk)
    assert GapResult.objects.filter(run=run).count() == before
    assert RunMap.objects.filter(run=run).count() == 4 * computed(run)


def test_a_finished_run_cannot_be_claimed_again(django_capture_on_commit_callbacks):
    run = executed_run(django_capture_on_commit_callbacks)
    assert not analysis_claim(run_id=run.pk)


def test_a_run_without_population_for_its_year_fails_with_a_reason(
    django_capture_on_commit_callbacks,
):
    run = started_run(django_capture_on_commit_callbacks)
    AnalysisRun.objects.filter(pk=run.pk).update(year=1999)
    analysis_claim(run_id=run.pk)
    analysis_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error.startswith(
        f"No population estimates are loaded for 1999 in the area of {run.locality_scheme.name!r}"
    )
    assert "upload them on the Data page (Population estimates)" in run.error
    assert not GapResult.objects.filter(run=run).exists()


def test_starting_without_any_population_is_refused_plainly():
    PopulationEstimate.objects.filter(~Q(pk=None)).delete()
    with pytest.raises(AnalysisStartError, match="No population estimates are loaded"):
        analysis_start(user=None)


RISKS = """condition_code,imd_quintile,relative_risk,source,source_year,source_url
{code},1,1.6,Hand-made test risks (not published),2024,
{code},2,1.3,Hand-made test risks (not published),2024,
{code},3,1.0,Hand-made test risks (not published),2024,
{code},4,0.9,Hand-made test risks (not published),2024,
{code},5,0.8,Hand-made test risks (not published),2024,
"""


def test_a_run_adjusted_for_deprivation_weights_by_normalised_risk_and_says_so(
    django_capture_on_commit_callbacks, tmp_path
):
    from needs.plans import ImportOptions
    from uploads.services import dataset_import

    path = tmp_path / "risks.csv"
    path.write_text(RISKS.format(code="cmd"), encoding="utf-8")
    dataset_import(kind="relative_risks", path=path, name=path.name, options=ImportOptions())
    plain = executed_run(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        run = analysis_start(user=None, norm_codes=[TT], adjust_for_deprivation=True)
    analysis_claim(run_id=run.pk)
    analysis_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.inputs["deprivation_adjustment"].startswith("Adjusted for deprivation")
    whole = {r.run_id: r.expected_cases for r in GapResult.objects.filter(
        level=ResultLevel.WHOLE_AREA, norm_code=TT, run__in=[plain, run])}  # fmt: skip
    assert whole[run.pk] != pytest.approx(whole[plain.pk])  # the local total is not held fixed
    small = GapResult.objects.filter(run=run, level=ResultLevel.SMALL_AREA, norm_code=TT)
    before = GapResult.objects.filter(run=plain, level=ResultLevel.SMALL_AREA, norm_code=TT)
    assert sorted(r.expected_cases for r in small) != sorted(r.expected_cases for r in before)


def test_a_run_asking_for_deprivation_without_risks_runs_unadjusted_and_says_why(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        run = analysis_start(user=None, norm_codes=[TT], adjust_for_deprivation=True)
    analysis_claim(run_id=run.pk)
    analysis_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.inputs["deprivation_adjustment"].startswith(
        "Not adjusted for deprivation: no published relative risks"
    )


def test_a_run_pins_the_dataset_versions_in_use(django_capture_on_commit_callbacks):
    run = executed_run(django_capture_on_commit_callbacks)
    kinds = {version["kind"] for version in run.inputs["dataset_versions"]}
    assert {"population", "services", "rates"} <= kinds
