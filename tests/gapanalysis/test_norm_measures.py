"""Norms say what they measure: ages, accepted units, turnover, and "not computed, because…".

Expected values are worked out by hand (small cases) or summed independently from the loaded
rows with the ORM, never by calling the code under test twice.
"""

import numpy as np
import pandas as pd
import pytest
from django.db.models import Sum
from django.urls import reverse

from audit.models import AuditEntry
from gapanalysis import norm_measures
from gapanalysis.models import GapResult, ResultLevel, RunStatus, ServiceTurnover
from gapanalysis.services import norm_catalogue_load, turnover_set
from needs.prevalence import estimation
from provision.models import Service
from tests.conftest import run_in_process

CYP = "cyp_access"
TT = "talking_therapies_access"
DIAGNOSIS = "dementia_diagnosis"
MEMORY = "memory_assessment_new_cases"


# --- pure rules ---------------------------------------------------------------------------------


def test_each_measure_accepts_only_units_that_mean_the_same_thing():
    assert norm_measures.units_refused(
        measure=norm_measures.ENTERING_TREATMENT, units=["courses_per_year", "caseload_places"]
    ) == ["caseload_places"]
    assert (
        norm_measures.units_refused(
            measure=norm_measures.SEEN, units=["caseload_places", "courses_per_year"]
        )
        == []
    )
    assert norm_measures.units_refused(
        measure=norm_measures.DIAGNOSED_SHARE, units=["referrals_per_year"]
    ) == ["referrals_per_year"]
    assert norm_measures.units_refused(
        measure=norm_measures.NEW_CASES, units=["referrals_per_year", "beds"]
    ) == ["beds"]
    assert norm_measures.needs_turnover(measure=norm_measures.SEEN, unit="caseload_places")
    assert not norm_measures.needs_turnover(measure=norm_measures.SEEN, unit="courses_per_year")


def test_a_norm_says_why_it_cannot_be_computed():
    diagnosis = norm_measures.reason_not_computed(
        measure=norm_measures.DIAGNOSED_SHARE, condition_name="Dementia", types_without_turnover=[]
    )
    assert diagnosis.startswith("Not computed:") and "GP registers (QOF)" in diagnosis
    new_cases = norm_measures.reason_not_computed(
        measure=norm_measures.NEW_CASES,
        condition_name="Dementia (65 and over)",
        types_without_turnover=[],
    )
    assert "incidence rates" in new_cases and "Matthews et al. 2016" in new_cases
    assert "rates file with measure incidence" in new_cases
    caseload = norm_measures.reason_not_computed(
        measure=norm_measures.SEEN, condition_name="Any", types_without_turnover=["CAMHS"]
    )
    assert "caseload places of CAMHS" in caseload and "Turnover page" in caseload
    assert (
        norm_measures.reason_not_computed(
            measure=norm_measures.SEEN, condition_name="Any", types_without_turnover=[]
        )
        == ""
    )


def test_the_conversion_is_written_out_with_its_arithmetic():
    sentence = norm_measures.conversion_sentence(
        places=120,
        turnover=2.0,
        counted_as="people seen a year",
        service_label="CAMHS",
        who="set by ana on 6 December 2026: local activity 2024/25",
    )
    assert sentence == (
        "CAMHS: caseload 120 places × turnover 2 a year = 240 people seen a year "
        "(turnover set by ana on 6 December 2026: local activity 2024/25)"
    )


def test_need_in_a_norms_ages_is_cut_from_the_single_year_arrays():
    # Rates for ages 2-19 (0.1 for both sexes); 10 people of each sex at each age 0..90.
    rates = pd.DataFrame(
        {"condition_code": ["cyp"], "sex": ["P"], "age_min": [2], "age_max": [19],
         "rate": [0.1], "lower": [np.nan], "upper": [np.nan]}
    )  # fmt: skip
    arrays = estimation.rate_arrays(rates, max_age=90)
    under_18 = estimation.rates_for_ages(
        arrays, keys=["cyp_access"], conditions=["cyp"], ages=[(0, 17)]
    )
    people = np.full((1, 2, 91, 1), 10.0)
    measures = estimation.expected_cases_array(people, under_18)
    # Ages 2..17 only: 16 ages × 2 sexes × 10 people = 320 at risk; × 0.1 = 32 in need.
    assert measures["population"][0, 0, 0] == pytest.approx(320.0)
    assert measures["expected_cases"][0, 0, 0] == pytest.approx(32.0)
    assert under_18.conditions == ("cyp_access",)


# --- the shipped catalogue ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_catalogue_declares_measure_ages_and_units_for_every_norm():
    from gapanalysis.models import Norm

    norms = {norm.code: norm for norm in Norm.objects.all()}
    assert (norms[TT].measure, norms[TT].ages_label) == (
        "entering_treatment_per_year",
        "18 and over",
    )
    assert norms[TT].capacity_units == ["courses_per_year"]
    assert (norms[CYP].measure, norms[CYP].ages_label) == ("seen_per_year", "under 18")
    assert "2004" in norms[CYP].measure_source and "35%" in norms[CYP].measure_source
    assert (norms[DIAGNOSIS].measure, norms[DIAGNOSIS].capacity_units) == ("diagnosed_share", [])
    assert norms[MEMORY].measure == "new_cases_per_year"
    assert norms[MEMORY].capacity_units == ["referrals_per_year"]


@pytest.mark.django_db
def test_the_catalogue_refuses_a_unit_its_measure_cannot_read(tmp_path):
    from gapanalysis.services import NORMS_PATH

    text = NORMS_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "norms.csv"
    bad.write_text(text.replace("talking_therapies,courses_per_year", "talking_therapies,beds"))
    with pytest.raises(ValueError, match=r"norms.csv: row 2, column capacity_units: beds cannot"):
        norm_catalogue_load(path=bad)


# --- runs -------------------------------------------------------------------------------------


@pytest.fixture
def demo_run(db):
    return run_in_process()


def test_without_a_turnover_the_caseload_norm_and_both_dementia_norms_say_why(
    demo_run, client, analyst
):
    run = demo_run
    assert run.status == RunStatus.SUCCEEDED, run.error
    reasons = {item["code"]: item["reason"] for item in run.inputs["norms_not_computed"]}
    assert set(reasons) == {CYP, DIAGNOSIS, MEMORY}
    assert "caseload places of Children and young people's mental health service" in reasons[CYP]
    assert "GP registers" in reasons[DIAGNOSIS] and "incidence" in reasons[MEMORY]
    assert set(GapResult.objects.filter(run=run).values_list("norm_code", flat=True)) == {TT}
    client.force_login(analyst)
    for url in (
        reverse("gapanalysis:run_detail", args=[run.pk]),
        reverse("gapanalysis:latest_map"),
    ):
        body = client.get(url).content.decode()
        assert "data-not-computed" in body and "Not computed: it needs incidence rates" in body


def test_a_caseload_counts_as_people_seen_only_through_the_turnover_set(db, client, analyst):
    turnover_set(
        service_type="camhs", people_per_place=2.0, source="Local activity 2024/25", user=analyst
    )
    run = run_in_process(norm_codes=[CYP])
    assert run.status == RunStatus.SUCCEEDED, run.error
    camhs = Service.objects.filter(
        service_type="camhs", financial_year=run.inputs["financial_year"]
    )
    places = camhs.filter(capacity_unit="caseload_places").aggregate(t=Sum("capacity"))["t"]
    courses = camhs.filter(capacity_unit="courses_per_year").aggregate(t=Sum("capacity"))["t"]
    whole = GapResult.objects.get(run=run, level=ResultLevel.WHOLE_AREA, norm_code=CYP)
    assert whole.capacity == pytest.approx(places * 2.0 + (courses or 0.0))
    conversion = run.inputs["norm_measures"][CYP]["conversions"][0]
    assert f"caseload {places:,.0f} places × turnover 2 a year = {places * 2:,.0f} people seen" in (
        conversion
    )
    assert f"set by {analyst.username}" in conversion and "Local activity 2024/25" in conversion
    client.force_login(analyst)
    body = client.get(reverse("gapanalysis:run_detail", args=[run.pk])).content.decode()
    assert "× turnover 2 a year" in body


def test_children_are_counted_under_18_only(db):
    """The cyp_any rates run to 19 (the 2017 survey); the norm counts ages 0-17 only. Expected:
    each loaded rate row × the population of its sex and ages, cut at 17, summed by the ORM."""
    from needs.models import PopulationEstimate, PrevalenceRate

    turnover_set(service_type="camhs", people_per_place=1.5, source="Test figure", user=None)
    run = run_in_process(norm_codes=[CYP])
    rows = PopulationEstimate.objects.filter(year=run.year)
    expected = at_risk = 0.0
    for rate in PrevalenceRate.objects.filter(condition__code="cyp_any"):
        high = min(rate.age_max if rate.age_max is not None else 90, 17)
        chosen = rows.filter(age__gte=rate.age_min, age__lte=high)
        chosen = chosen if rate.sex == "P" else chosen.filter(sex=rate.sex)
        people = chosen.aggregate(t=Sum("count"))["t"] or 0.0
        expected += rate.rate * people
        at_risk += people
    whole = GapResult.objects.get(run=run, level=ResultLevel.WHOLE_AREA, norm_code=CYP)
    assert expected > 0
    assert whole.expected_cases == pytest.approx(expected)
    assert whole.population == pytest.approx(at_risk)


def test_a_run_of_only_uncomputable_norms_fails_with_the_reasons(db):
    run = run_in_process(norm_codes=[DIAGNOSIS, MEMORY])
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("None of the chosen norms can be computed.")
    assert "GP registers" in run.error and "incidence" in run.error


# --- the turnover page ----------------------------------------------------------------------------


def test_an_analyst_sets_a_turnover_on_its_page_and_a_commissioner_cannot(
    db, client, analyst, commissioner
):
    url = reverse("gapanalysis:turnover")
    data = {"service_type": "camhs", "people_per_place": "1.8", "source": "Our 2024/25 activity"}
    client.force_login(commissioner)
    body = client.get(url).content.decode()
    assert "data-turnover-unset" in body and "Set the turnover for" not in body
    assert client.post(url, data).status_code == 403
    client.force_login(analyst)
    assert client.post(url, {**data, "source": ""}).status_code == 200  # a source is required
    assert not ServiceTurnover.objects.exists()
    assert client.post(url, data).status_code == 302
    turnover = ServiceTurnover.objects.get(service_type="camhs")
    assert (turnover.people_per_place, turnover.set_by) == (1.8, analyst)
    assert AuditEntry.objects.filter(model="gapanalysis.ServiceTurnover").count() == 1
    body = client.get(url).content.decode()
    assert "Set: 1.8 people seen a year per caseload place" in body
