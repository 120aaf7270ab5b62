"""Need by group adds up to the whole; coverage by group is never made from shared capacity."""

import numpy as np
import pandas as pd
import pytest
from django.urls import reverse

from gapanalysis import equality
from gapanalysis.models import GapResult, GroupResult, ResultLevel, RunStatus
from gapanalysis.services import turnover_set
from tests.conftest import run_in_process


def test_need_by_sex_and_age_is_summed_in_the_norms_ages():
    people = np.zeros((2, 91))
    people[:, 17] = 100.0  # under the norm's ages: left out
    people[0, 20], people[1, 20] = 1000.0, 1000.0
    people[0, 70], people[1, 70] = 500.0, 500.0
    rate = np.zeros((2, 91))
    rate[:, 16:] = 0.05
    rate[0, 20], rate[1, 20] = 0.2, 0.1
    covered = np.zeros((2, 91), dtype=bool)
    covered[:, 18:] = True  # the norm counts 18 and over
    table = equality.by_sex_and_age(people, rate, covered, age_min=18, age_max=None)
    by = table.set_index("group")
    # Women: 200 at 20 + 25 at 70; men: 100 + 25. Whole: 350.
    assert by.loc["Women and girls", "expected_cases"] == pytest.approx(225.0)
    assert by.loc["Men and boys", "expected_cases"] == pytest.approx(125.0)
    assert by.loc["18 to 24", "expected_cases"] == pytest.approx(300.0)
    assert by.loc["65 to 74", "expected_cases"] == pytest.approx(50.0)
    assert by.loc["18 to 24", "population"] == pytest.approx(2000.0)
    assert "16 to 17" not in by.index
    assert equality.breakdowns_not_adding_up(table, whole=350.0) == {}
    assert equality.breakdowns_not_adding_up(table, whole=351.0) == {
        "age band": 350.0,
        "sex": 350.0,
    }


def test_age_bands_are_cut_at_a_childrens_norms_upper_age():
    people = np.full((2, 91), 10.0)
    rate = np.full((2, 91), 0.1)
    covered = np.zeros((2, 91), dtype=bool)
    covered[:, 2:18] = True  # rates from 2, norm to 17
    table = equality.by_sex_and_age(people, rate, covered, age_min=0, age_max=17)
    bands = list(table.loc[table["group_type"] == "age band", "group"])
    assert bands == ["0 to 4", "5 to 10", "11 to 15", "16 to 17"]
    # 0 to 4 holds ages 2..4 only: 3 ages × 2 sexes × 10 = 60 people at risk, 6 in need.
    first = table[table["group"] == "0 to 4"].iloc[0]
    assert (first["population"], first["expected_cases"]) == pytest.approx((60.0, 6.0))


def test_deprivation_fifths_keep_unranked_areas_so_the_table_adds_up():
    small = pd.DataFrame(
        {
            "unit_code": ["A", "B", "C", "D"],
            "population": [100.0, 200.0, 300.0, 400.0],
            "expected_cases": [10.0, 30.0, 60.0, 5.0],
        }
    )
    table = equality.by_deprivation_fifth(small, pd.Series({"A": 5, "B": 1, "C": 1}))
    assert list(table["group"]) == [
        "Most deprived fifth",
        "Least deprived fifth",
        "Small areas with no deprivation rank",
    ]
    assert list(table["expected_cases"]) == [90.0, 10.0, 5.0]
    assert table["expected_cases"].sum() == pytest.approx(105.0)


@pytest.mark.django_db
def test_every_breakdown_of_a_run_adds_up_to_its_whole_area(client, commissioner):
    turnover_set(service_type="camhs", people_per_place=1.5, source="Test figure", user=None)
    run = run_in_process()
    assert run.status == RunStatus.SUCCEEDED, run.error
    norms = set(GapResult.objects.filter(run=run).values_list("norm_code", flat=True))
    assert norms == {"talking_therapies_access", "cyp_access"}
    for norm in norms:
        whole = GapResult.objects.get(run=run, level=ResultLevel.WHOLE_AREA, norm_code=norm)
        groups = GroupResult.objects.filter(run=run, norm_code=norm)
        kinds = set(groups.values_list("group_type", flat=True))
        assert kinds == {"sex", "age band", "deprivation fifth"}
        for kind in kinds:
            own = groups.filter(group_type=kind)
            need = sum(g.expected_cases for g in own)
            people = sum(g.population for g in own)
            assert round(need - whole.expected_cases) == 0, (norm, kind)
            assert round(people - whole.population) == 0, (norm, kind)
    client.force_login(commissioner)
    body = client.get(reverse("gapanalysis:latest_map")).content.decode()
    assert "Coverage by group is not shown: it needs service-use data by group" in body
    assert "Need by ethnic group is not shown" in body
    assert "By deprivation fifth" in body and "Most deprived fifth" in body
