"""Splitting small-area persons by sex: England's ratio by age, raked to each area's sex totals.

Pure: no database. The real-data check needs ../shared/data/worcestershire and is skipped
without it.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from needs.importers.sex_split import (
    METHODS,
    RAKED,
    SEED_ONLY,
    SEED_PATH,
    SEED_SOURCE,
    UNIFORM,
    seed_from_fixture,
    split_persons,
)
from tests.conftest import SHARED_DATA

AGES = np.arange(91)
WORCESTERSHIRE = SHARED_DATA / "worcestershire"
# ONS mid-2020 estimates, MYE1 "Population estimates: Summary for the UK, mid-2020", England
# (E92000001), in ukpopestimatesmid2020on2021geography.xls, the workbook the fixture comes from.
ENGLAND_MID_2020 = {"persons": 56_550_138, "female": 28_567_320, "male": 27_982_818}


def seed_with_shares(shares: np.ndarray, size: float = 1000.0) -> pd.DataFrame:
    return pd.DataFrame({"age": AGES, "female": shares * size, "male": (1 - shares) * size})


def persons_table(counts: np.ndarray, codes: list[str] | None = None) -> pd.DataFrame:
    """Long persons rows from an areas × 91 matrix of counts."""
    codes = codes or [f"E0100000{i}" for i in range(len(counts))]
    return pd.DataFrame(
        {
            "area_code": np.repeat(codes, 91),
            "age": np.tile(AGES, len(codes)),
            "count": np.asarray(counts, dtype=float).ravel(),
        }
    )


def sex_totals(female: list[float], male: list[float]) -> pd.DataFrame:
    """Sex totals for areas E01000000, E01000001, … in that order."""
    codes = [f"E0100000{i}" for i in range(len(female))]
    return pd.DataFrame({"area_code": codes, "female": female, "male": male})


def sexes(result_frame: pd.DataFrame) -> pd.DataFrame:
    """area_code × age rows with F and M side by side."""
    return result_frame.pivot_table(
        index=["area_code", "age"], columns="sex", values="count", observed=True
    )


def female_share_by_area(result_frame: pd.DataFrame) -> pd.Series:
    totals = result_frame.groupby(["area_code", "sex"], observed=True)["count"].sum().unstack()
    return totals["F"] / (totals["F"] + totals["M"])


@pytest.fixture(scope="module")
def england() -> pd.DataFrame:
    return seed_from_fixture()


# The fixture: real published figures


def test_the_fixture_has_one_row_for_each_age_0_to_90(england):
    assert england["age"].tolist() == list(range(91))
    assert SEED_PATH.name == "england_population_sex_age.csv"


def test_the_fixture_adds_up_to_the_published_england_total(england):
    assert england["female"].sum() == ENGLAND_MID_2020["female"]
    assert england["male"].sum() == ENGLAND_MID_2020["male"]
    assert (england["female"] + england["male"]).sum() == ENGLAND_MID_2020["persons"]


def test_more_boys_are_born_and_more_women_live_past_90(england):
    share = england["female"] / (england["female"] + england["male"])
    assert share.iloc[0] < 0.5
    assert share.iloc[90] > 0.6


def test_the_fixture_names_its_source_on_every_row():
    raw = pd.read_csv(SEED_PATH)
    columns = ["source", "source_table", "source_year", "source_url", "retrieved_from"]
    assert list(raw.columns) == ["age", "female", "male", *columns]
    assert (raw[columns].nunique() == 1).all()
    assert raw["source_year"].iloc[0] == 2020
    assert "MYE2 - Females" in raw["source_table"].iloc[0]
    assert raw["source_url"].iloc[0].startswith("https://www.ons.gov.uk/")
    assert "@" in raw["retrieved_from"].iloc[0]
    assert "56,550,138" in SEED_SOURCE


# Raking


def test_every_area_and_age_keeps_its_persons_total(england):
    counts = np.random.default_rng(1).integers(0, 60, size=(4, 91))
    persons = persons_table(counts)
    totals = sex_totals([60, 1], [40, 3])
    result = split_persons(persons, seed=england, sex_totals=totals)
    both = sexes(result.frame)
    assert np.allclose(both["F"] + both["M"], counts.ravel(), rtol=0, atol=1e-9)
    assert (both.to_numpy() >= 0).all()


def test_each_raked_area_matches_its_target_female_share(england):
    counts = np.random.default_rng(2).integers(0, 60, size=(3, 91))
    totals = pd.DataFrame(
        {
            "area_code": ["E01000000", "E01000001", "E01000002"],
            "female": [700, 1, 5],
            "male": [300, 9, 1000],
        }
    )
    result = split_persons(persons_table(counts), seed=england, sex_totals=totals)
    wanted = totals.set_index("area_code").eval("female / (female + male)")
    got = female_share_by_area(result.frame)
    assert np.allclose(got[wanted.index], wanted, rtol=1e-9, atol=0)
    assert result.summary == {RAKED: 3}
    assert (result.frame["method"] == RAKED).all()


def test_areas_without_sex_totals_keep_englands_ratio_by_age(england):
    counts = np.random.default_rng(3).integers(1, 60, size=(2, 91))
    totals = sex_totals([10], [90])
    result = split_persons(persons_table(counts), seed=england, sex_totals=totals)
    england_share = (england["female"] / (england["female"] + england["male"])).to_numpy()
    both = sexes(result.frame).loc["E01000001"]
    assert np.allclose(both["F"] / (both["F"] + both["M"]), england_share, rtol=1e-12)
    assert result.summary == {RAKED: 1, SEED_ONLY: 1}
    methods = result.frame.set_index("area_code")["method"]
    assert set(methods.loc["E01000001"]) == {SEED_ONLY}
    assert result.areas.set_index("area_code").loc["E01000001", "odds_multiplier"] == 1.0


def test_raking_is_the_same_as_iterative_proportional_fitting(england):
    """Alternate scaling of the sex totals and of each age's persons reaches the same table."""
    population = np.random.default_rng(4).integers(0, 80, size=91).astype(float)
    female_share = 0.46
    persons = persons_table(population[np.newaxis, :])
    totals = sex_totals([46], [54])
    result = split_persons(persons, seed=england, sex_totals=totals)
    table = england[["female", "male"]].to_numpy(dtype=float)
    wanted = np.array([female_share, 1 - female_share]) * population.sum()
    for _ in range(2000):
        table *= wanted / table.sum(axis=0)
        table *= (population / table.sum(axis=1))[:, np.newaxis]
    both = sexes(result.frame).loc["E01000000"]
    assert np.allclose(both["F"], table[:, 0], rtol=1e-9, atol=1e-9)


def test_extra_key_columns_are_kept_and_females_come_first(england):
    counts = np.random.default_rng(5).integers(0, 9, size=(1, 91))
    persons = persons_table(counts).assign(year=2020, area_name="Bromsgrove 009A")
    result = split_persons(persons, seed=england)
    frame = result.frame
    assert list(frame.columns) == [
        "area_code",
        "year",
        "area_name",
        "age",
        "sex",
        "count",
        "method",
    ]
    assert frame["sex"].tolist() == ["F"] * 91 + ["M"] * 91
    assert (frame["year"] == 2020).all()
    assert frame["count"].dtype == float


def test_each_year_of_an_area_is_raked_on_its_own(england):
    counts = np.random.default_rng(6).integers(0, 40, size=(2, 91))
    persons = pd.concat(
        [persons_table(counts[[0]]).assign(year=2019), persons_table(counts[[1]]).assign(year=2020)]
    )
    totals = sex_totals([3], [1])
    result = split_persons(persons, seed=england, sex_totals=totals)
    by_year = result.frame.groupby(["year", "sex"], observed=True)["count"].sum().unstack()
    assert np.allclose(by_year["F"] / by_year.sum(axis=1), 0.75, rtol=1e-9)
    assert len(result.areas) == 2


def test_an_areas_rows_need_not_be_together(england):
    counts = np.random.default_rng(7).integers(0, 40, size=(2, 91))
    persons = persons_table(counts).sample(frac=1, random_state=1)
    totals = sex_totals([1, 2], [1, 1])
    result = split_persons(persons, seed=england, sex_totals=totals)
    assert len(result.areas) == 2
    got = female_share_by_area(result.frame)
    assert np.allclose(got[["E01000000", "E01000001"]], [0.5, 2 / 3], rtol=1e-9)


# Degenerate cases


def test_a_target_share_of_0_or_1_makes_everyone_male_or_female(england):
    counts = np.random.default_rng(8).integers(0, 40, size=(2, 91))
    totals = sex_totals([0, 50], [50, 0])
    result = split_persons(persons_table(counts), seed=england, sex_totals=totals)
    both = sexes(result.frame)
    assert (both.loc["E01000000", "F"] == 0).all()
    assert (both.loc["E01000001", "M"] == 0).all()
    assert not result.frame["count"].isna().any()
    assert result.areas["odds_multiplier"].tolist() == [0.0, np.inf]


def test_an_area_with_no_people_gives_zeros_not_nan(england):
    totals = sex_totals([5], [5])
    result = split_persons(persons_table(np.zeros((1, 91))), seed=england, sex_totals=totals)
    assert (result.frame["count"] == 0).all()


def test_sex_totals_of_zero_people_are_no_target(england):
    totals = sex_totals([0], [0])
    result = split_persons(persons_table(np.ones((1, 91))), seed=england, sex_totals=totals)
    assert result.summary == {SEED_ONLY: 1}


def test_ages_that_are_all_one_sex_in_the_seed_stay_so():
    shares = np.full(91, 0.5)
    shares[:10], shares[80:] = 0.0, 1.0
    counts = np.full((1, 91), 10.0)
    totals = sex_totals([1], [3])
    result = split_persons(persons_table(counts), seed=seed_with_shares(shares), sex_totals=totals)
    both = sexes(result.frame).loc["E01000000"]
    assert (both["F"].iloc[:10] == 0).all()
    assert (both["M"].iloc[80:] == 0).all()
    assert both["F"].sum() == pytest.approx(0.25 * 910, rel=1e-9)


def test_a_target_the_seed_cannot_reach_gets_as_close_as_it_can():
    """With 11 of 91 ages all female in the seed, no area can be under 11/91 female."""
    shares = np.full(91, 0.5)
    shares[80:] = 1.0
    totals = sex_totals([0], [10])
    result = split_persons(
        persons_table(np.full((1, 91), 10.0)), seed=seed_with_shares(shares), sex_totals=totals
    )
    both = sexes(result.frame).loc["E01000000"]
    assert both["F"].sum() == 110
    assert not result.frame["count"].isna().any()


# Without an England ratio by age


def test_without_a_seed_each_area_is_split_at_its_census_share_at_every_age():
    counts = np.random.default_rng(9).integers(0, 40, size=(1, 91))
    totals = sex_totals([52], [48])
    result = split_persons(persons_table(counts), seed=None, sex_totals=totals)
    both = sexes(result.frame).loc["E01000000"]
    assert np.allclose(both["F"], 0.52 * counts[0], rtol=1e-12)
    assert result.summary == {UNIFORM: 1}


def test_without_a_seed_every_area_needs_sex_totals():
    with pytest.raises(ValueError, match="E01000001"):
        split_persons(
            persons_table(np.ones((2, 91))),
            seed=None,
            sex_totals=sex_totals([1], [1]),
        )


# Bad input


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.assign(age=p["age"] + 1), "age is not a whole number from 0 to 90"),
        (lambda p: p.assign(count=-p["count"]), "count is missing, negative"),
        (lambda p: pd.concat([p, p.head(1)]), "the same area and age appear more than once"),
        (lambda p: p.drop(columns="count"), "missing column"),
    ],
)
def test_bad_persons_are_refused_with_the_rows_named(england, change, message):
    with pytest.raises(ValueError, match=message):
        split_persons(change(persons_table(np.ones((1, 91)))), seed=england)


def test_a_seed_without_every_age_is_refused(england):
    with pytest.raises(ValueError, match="one row for each age"):
        split_persons(persons_table(np.ones((1, 91))), seed=england.head(90))


def test_every_method_has_a_plain_sentence():
    assert RAKED == "raked to Census 2021 sex totals"
    assert SEED_ONLY == "England ratio by age only (no sex totals for this area)"
    assert len(set(METHODS)) == 3


# Any persons, any seed, any targets


@st.composite
def splits(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    areas = draw(st.integers(1, 4))
    counts = draw(arrays(float, (areas, 91), elements=st.integers(0, 500).map(float)))
    female = draw(arrays(float, 91, elements=st.sampled_from([0.0, 1.0, 7.0, 300.0, 5000.0])))
    male = draw(arrays(float, 91, elements=st.sampled_from([0.0, 1.0, 7.0, 300.0, 5000.0])))
    male[(female + male) == 0] = 1.0
    targets = draw(
        arrays(
            float, (areas, 2), elements=st.one_of(st.just(0.0), st.integers(0, 10_000).map(float))
        )
    )
    return counts, np.column_stack([female, male]), targets


@settings(max_examples=80, deadline=None)
@given(splits())
def test_any_split_keeps_totals_and_meets_every_reachable_target(case):
    counts, seed_counts, targets = case
    codes = [f"E0100000{i}" for i in range(len(counts))]
    seed = pd.DataFrame({"age": AGES, "female": seed_counts[:, 0], "male": seed_counts[:, 1]})
    totals = pd.DataFrame({"area_code": codes, "female": targets[:, 0], "male": targets[:, 1]})
    result = split_persons(persons_table(counts, codes), seed=seed, sex_totals=totals)

    values = result.frame["count"].to_numpy()
    female, male = (
        values[: counts.size].reshape(counts.shape),
        values[counts.size :].reshape(counts.shape),
    )
    assert np.isfinite(values).all() and (values >= 0).all()
    assert np.allclose(female + male, counts, rtol=1e-12, atol=1e-9)

    share = seed_counts[:, 0] / seed_counts.sum(axis=1)
    lowest = counts[:, share == 1].sum(axis=1)  # these ages are all female whatever the target
    highest = counts[:, share > 0].sum(axis=1)
    for area in range(len(counts)):
        if targets[area].sum() == 0:
            continue
        wanted = targets[area, 0] / targets[area].sum() * counts[area].sum()
        nearest = min(max(wanted, lowest[area]), highest[area])
        assert female[area].sum() == pytest.approx(nearest, rel=1e-9, abs=1e-9)


# Real data: Worcestershire, mid-2020 estimates raked to Census 2021


@pytest.mark.skipif(
    not WORCESTERSHIRE.is_dir(), reason=f"real ONS files not found: {WORCESTERSHIRE} is absent"
)
def test_worcestershire_unchanged_lsoas_match_their_census_female_share(england):
    wide = pd.read_csv(WORCESTERSHIRE / "population_mid2020_lsoa11_single_year_of_age_persons.csv")
    lookup = pd.read_csv(WORCESTERSHIRE / "lookup_lsoa11_to_lsoa21.csv")
    census = pd.read_csv(WORCESTERSHIRE / "census2021_ts008_sex_lsoa21.csv")
    unchanged = lookup.loc[lookup["change_code"] == "U", "lsoa11_code"]
    assert len(unchanged) == 355
    wide = wide[wide["lsoa11_code"].isin(unchanged)].drop(columns="total_population")
    persons = wide.melt(id_vars=["lsoa11_code", "lsoa11_name"], var_name="age", value_name="count")
    persons = persons.rename(columns={"lsoa11_code": "area_code", "lsoa11_name": "area_name"})
    persons["age"] = persons["age"].str.rstrip("+").astype(int)
    totals = census.rename(
        columns={
            "geography code": "area_code",
            "Sex: Female; measures: Value": "female",
            "Sex: Male; measures: Value": "male",
        }
    )[["area_code", "female", "male"]]

    result = split_persons(persons, seed=england, sex_totals=totals)

    assert result.summary == {RAKED: 355}
    got = female_share_by_area(result.frame)
    wanted = totals.set_index("area_code").eval("female / (female + male)")[got.index]
    assert np.allclose(got, wanted, rtol=1e-9, atol=0)
    both = sexes(result.frame)
    persons_total = persons.set_index(["area_code", "age"])["count"]
    assert np.allclose(both["F"] + both["M"], persons_total[both.index], rtol=0, atol=1e-9)
    assert result.frame["count"].sum() == pytest.approx(persons["count"].sum(), rel=1e-12)
