"""Spending figures: whole pounds, shares that add up, and spend per person only against the
need the spend serves. Expected values are worked by hand in the comments."""

import random
import re
from html import unescape

import pandas as pd
import pytest
from django.urls import reverse

from gapanalysis.chapter_builder import _provision
from needs import rounding
from needs.prevalence.estimates import need_estimates
from needs.selectors import conditions_with_rates, default_locality_scheme
from provision import finance
from provision.models import Service, ServiceFunding

MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "£0"), (0.49, "£0"), (0.5, "£1"), (1_234.5, "£1,235"), (57_045_000, "£57,045,000"),
        (57.43, "£57"), (-45_950.6, f"{MINUS}£45,951"), (-0.4, "£0"),
    ],
)  # fmt: skip
def test_money_is_whole_pounds_half_away_from_zero(value, text):
    assert rounding.pounds(value) == text


def test_a_change_in_pounds_carries_its_sign():
    assert rounding.pounds(254_634.4, signed=True) == "+£254,634"
    assert rounding.pounds(-8_706, signed=True) == f"{MINUS}£8,706"
    assert rounding.pounds(float("nan")) == "not available"


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.17, "+17%"), (-0.06, f"{MINUS}6%"), (0.003, "+<1%"), (-0.004, f"{MINUS}<1%"), (0, "0%")],
)
def test_a_change_as_a_share_says_up_or_down_and_never_zero_for_a_small_change(value, text):
    assert rounding.signed_share(value) == text


def test_funders_shares_of_the_county_spend_add_up_to_100():
    # £3,320,300 + £52,634,700 + £64,000 + £1,026,000 = £57,045,000, exactly
    # 5.821%, 92.269%, 0.112%, 1.799%: rounded down 5 + 92 + 0 + 1 = 98, two points missing;
    # they go to the largest remainders, 0.821 (first) and 0.799 (last): 6, 92, 0, 2.
    amounts = [3_320_300, 52_634_700, 64_000, 1_026_000]
    assert rounding.whole_percents(amounts) == [6, 92, 0, 2]
    assert rounding.shares_adding_up(amounts) == ["6%", "92%", "<1%", "2%"]


def test_three_equal_parts_are_34_33_33_not_33_each():
    assert rounding.shares_adding_up([1, 1, 1]) == ["34%", "33%", "33%"]


def test_nothing_spent_is_0_and_almost_everything_is_not_the_whole():
    assert rounding.shares_adding_up([0, 50, 50]) == ["0%", "50%", "50%"]
    # 99.9% and 0.1%: rounded down 99 + 0; the missing point goes to 0.9 → 100 and 0
    assert rounding.shares_adding_up([999, 1]) == [">99%", "<1%"]
    assert rounding.shares_adding_up([0, 0]) == ["not available", "not available"]


def test_rounded_shares_always_add_up_and_stay_within_a_point():
    generator = random.Random(17)
    for _ in range(500):
        amounts = [generator.choice([0, generator.random() * 10 ** generator.randint(0, 7)])
                   for _ in range(generator.randint(1, 14))]  # fmt: skip
        if sum(amounts) == 0:
            continue
        percents = rounding.whole_percents(amounts)
        assert sum(percents) == 100
        for amount, percent in zip(amounts, percents, strict=True):
            assert abs(percent - 100 * amount / sum(amounts)) < 1
            assert percent > 0 or amount < sum(amounts) / 100  # only a part under 1% shows 0


SERVICES = pd.DataFrame(
    [
        ("therapy", "talking_therapies", ["cmd"], 250_000.0),
        ("therapy", "cyp_counselling", ["cyp_any", "cmd"], 40_000.0),
        ("clinical", "eip", ["psychosis"], 300_000.0),
        ("secure", "secure_unit", ["psychosis"], 100_000.0),
        ("secure", "secure_unit", ["psychosis"], 50_000.0),
        ("access", "crisis_cafe", ["any"], 80_000.0),
        ("other", "other", [], 10_000.0),
        ("carers", "carers_support", ["dementia"], 5_000.0),
    ],
    columns=["category", "service_type", "conditions", "spend"],
)
PEOPLE = {"cmd": 10_000.0, "cyp_any": 2_000.0, "psychosis": 1_234.5, "dementia": 0.0}


def test_spend_per_person_only_against_the_one_condition_a_category_serves():
    rows = {r.group: r for r in finance.spend_per_person(SERVICES, by="category", people=PEOPLE)}
    # £300,000 / 1,234.5 people with psychosis = £243.01
    assert rows["clinical"].per_person == pytest.approx(243.013, abs=1e-3)
    assert rounding.pounds(rows["clinical"].per_person) == "£243"
    # two secure services for psychosis: (£100,000 + £50,000) / 1,234.5 = £121.51
    assert rows["secure"].spend == 150_000 and rounding.pounds(rows["secure"].per_person) == "£122"
    # therapy serves CMD and children's disorders: not £290,000 / 10,000 people with CMD
    assert rows["therapy"].per_person is None and rows["therapy"].reason == finance.SEVERAL
    assert rows["therapy"].conditions == ("cmd", "cyp_any")
    assert rows["access"].reason == finance.NOT_ESTIMATED
    assert rows["access"].not_estimated == ("any",)
    assert rows["other"].reason == finance.NO_CONDITIONS
    assert rows["carers"].per_person is None and rows["carers"].not_estimated == ("dementia",)


def test_spend_per_person_by_type_of_service():
    results = finance.spend_per_person(SERVICES, by="service_type", people=PEOPLE)
    rows = {r.group: r for r in results}
    # £250,000 / 10,000 people with a common mental disorder = £25
    assert rows["talking_therapies"].per_person == 25
    assert rows["talking_therapies"].people == 10_000
    assert rows["cyp_counselling"].reason == finance.SEVERAL


# --- the page -------------------------------------------------------------------------------------

YEAR = "2031/32"


def _service(code: str, category: str, service_type: str, conditions: list, spend: int, funder):
    service = Service.objects.create(
        code=code, name=f"Test {code}", provider="Test provider", provider_type="nhs_trust",
        category=category, service_type=service_type, conditions=conditions, capacity=10,
        capacity_unit="caseload_places", annual_spend=spend, financial_year=YEAR, source="test",
    )  # fmt: skip
    ServiceFunding.objects.create(service=service, funder=funder, share_percent=100)


@pytest.fixture
def spending_year(db):
    _service("T-EIP", "clinical", "eip", ["psychosis"], 999_000, "nhs")
    _service("T-CAFE", "access", "crisis_cafe", ["any"], 1_000, "local_authority")


def _text(body: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body)))


def test_the_spending_page_rounds_shares_together_and_sets_spend_against_its_need(
    client, commissioner, spending_year
):
    client.force_login(commissioner)
    body = client.get(reverse("provision:financial_mapping") + f"?financial_year={YEAR}")
    text = _text(body.content.decode().split("<main")[1])
    # £999,000 and £1,000 of £1,000,000: 99.9% and 0.1%, never 100% and 0%
    assert "Clinical £0 £999,000 £999,000 >99%" in text
    assert "Access £1,000 £0 £1,000 <1%" in text
    assert "Share of all spend <1% >99% 100%" in text  # local authority, NHS (funders A to Z)
    assert not re.search(r"£[\d,]+\.\d", text)  # whole pounds throughout
    # early intervention serves psychosis only: its spend over the people with psychosis
    psychosis = [x for x in conditions_with_rates() if x.code == "psychosis"]
    need = need_estimates(year=None, scheme=default_locality_scheme(), conditions=psychosis)
    people = float(need.whole_area["expected_cases"].iloc[0])
    expected = f"Clinical £999,000 Psychotic disorder {rounding.people(people)} "
    assert expected + rounding.pounds(999_000 / people) in text
    assert "Access £1,000 any Not given: no estimate of people with “any”." in text
    assert "per estimated person with" not in text  # no longer all spend over one condition


def test_the_chapter_gives_the_years_spend_in_whole_pounds(finished_run):
    year = finished_run.inputs["financial_year"]
    Service.objects.filter(financial_year=year).update(annual_spend=0)
    _service("T-HALF", "clinical", "eip", ["psychosis"], 0, "nhs")
    Service.objects.filter(code="T-HALF").update(financial_year=year, annual_spend="1234.50")
    section = _provision(finished_run)
    # the year's only spend is £1,234.50: whole pounds, half a pound up
    assert "with a total spend of £1,235." in section.paragraphs[0]
    spend_table = section.tables[1]
    assert spend_table.rows[-1][-1] == "1,235"
