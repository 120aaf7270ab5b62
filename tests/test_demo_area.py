"""The synthetic demo county: structure, geometry, population, deprivation and services.

Pure tests: no Django, no database. The default area is generated once per module.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from jsna.demo_area import DEMO_SEED, SYNTHETIC_LABEL, DemoArea, generate_demo_area

ONS_CODE = re.compile(r"^E\d{8}$")
DEMO_PREFIX = {"county": "E109", "lad": "E079", "msoa21": "E029", "lsoa21": "E019"}
PARENT_LEVEL = {"lad": "county", "msoa21": "lad", "lsoa21": "msoa21"}
CATEGORIES = {
    "access", "accommodation", "carers", "clinical", "cmht", "continuing_care", "day_services",
    "home_care", "offenders", "secure", "support", "therapy", "other",
}  # fmt: skip
PROVIDER_TYPES = {"nhs_trust", "primary_care", "local_authority", "third_sector", "independent"}
FUNDERS = {"nhs", "local_authority", "pooled", "other"}
UNITS = {"caseload_places", "referrals_per_year", "courses_per_year", "beds", "hours_per_week"}
CONDITIONS = {"cmd", "psychosis", "dementia", "cyp_any", "perinatal", "eating_disorder", "any"}


@pytest.fixture(scope="module")
def demo() -> DemoArea:
    return generate_demo_area()


def _level(demo: DemoArea, level: str) -> pd.DataFrame:
    return demo.areas[demo.areas["level"] == level]


def _shapes(frame: pd.DataFrame) -> dict[str, shapely.Geometry]:
    return {code: shape(g) for code, g in zip(frame["area_code"], frame["geometry"], strict=True)}


def _district_of_lsoa(demo: DemoArea) -> pd.Series:
    parent = demo.areas.set_index("area_code")["parent_code"]
    lsoas = _level(demo, "lsoa21")["area_code"]
    return pd.Series(parent[parent[lsoas].to_numpy()].to_numpy(), index=lsoas.to_numpy())


def _density_quartiles(demo: DemoArea) -> tuple[pd.Index, pd.Index]:
    """LSOAs in the densest and the sparsest quarter (people per unit area)."""
    people = demo.population.groupby("area_code")["count"].sum()
    area = pd.Series({code: g.area for code, g in _shapes(_level(demo, "lsoa21")).items()})
    density = (people / area).sort_values()
    quarter = len(density) // 4
    return density.index[-quarter:], density.index[:quarter]


# --- Determinism -----------------------------------------------------------------------


def test_the_same_seed_gives_the_same_area(demo: DemoArea) -> None:
    again = generate_demo_area(seed=DEMO_SEED)
    for name in ("areas", "population", "deprivation", "services"):
        pd.testing.assert_frame_equal(getattr(demo, name), getattr(again, name))


def test_a_different_seed_gives_a_different_area(demo: DemoArea) -> None:
    other = generate_demo_area(seed=DEMO_SEED + 1)
    for name in ("areas", "population", "deprivation", "services"):
        with pytest.raises(AssertionError):
            pd.testing.assert_frame_equal(getattr(demo, name), getattr(other, name))


def test_the_default_seed_is_the_published_one() -> None:
    assert DEMO_SEED == 20261123
    assert "synthetic" in SYNTHETIC_LABEL.lower()


# --- Areas -----------------------------------------------------------------------------


def test_the_county_has_about_300_lsoas_60_msoas_5_districts_and_one_county(
    demo: DemoArea,
) -> None:
    counts = demo.areas["level"].value_counts()
    assert counts["county"] == 1
    assert counts["lad"] == 5
    assert 50 <= counts["msoa21"] <= 70
    assert 280 <= counts["lsoa21"] <= 320
    assert set(counts.index) == {"county", "lad", "msoa21", "lsoa21"}


def test_area_codes_look_like_ons_codes_in_unused_ranges_and_are_unique(demo: DemoArea) -> None:
    codes = demo.areas["area_code"]
    assert codes.is_unique
    assert codes.map(lambda code: bool(ONS_CODE.match(code))).all()
    for level, prefix in DEMO_PREFIX.items():
        assert _level(demo, level)["area_code"].str.startswith(prefix).all()
    county = _level(demo, "county").iloc[0]
    assert county["area_code"] == "E10900001"
    assert list(_level(demo, "lad")["area_code"]) == [f"E0790000{n}" for n in range(1, 6)]


def test_every_area_but_the_county_has_a_parent_one_level_up(demo: DemoArea) -> None:
    level_of = demo.areas.set_index("area_code")["level"]
    county = _level(demo, "county").iloc[0]
    assert county["parent_code"] is None
    for level, parent_level in PARENT_LEVEL.items():
        parents = _level(demo, level)["parent_code"]
        assert parents.isin(level_of.index).all()
        assert (level_of[parents.to_numpy()] == parent_level).all()
    # Every district and MSOA actually has children.
    assert set(_level(demo, "lad")["area_code"]) == set(_level(demo, "msoa21")["parent_code"])
    assert set(_level(demo, "msoa21")["area_code"]) == set(_level(demo, "lsoa21")["parent_code"])


def test_names_follow_the_ons_pattern(demo: DemoArea) -> None:
    name_of = demo.areas.set_index("area_code")["name"]
    assert _level(demo, "county").iloc[0]["name"] == "Wyvern Vale (synthetic)"
    lads = _level(demo, "lad")
    assert lads["name"].is_unique
    assert not lads["name"].str.contains("synthetic").any()
    for _, msoa in _level(demo, "msoa21").iterrows():
        assert re.fullmatch(re.escape(name_of[msoa["parent_code"]]) + r" \d{3}", msoa["name"])
    for _, lsoa in _level(demo, "lsoa21").iterrows():
        assert re.fullmatch(re.escape(name_of[lsoa["parent_code"]]) + r"[A-Z]", lsoa["name"])
    assert _level(demo, "lsoa21")["name"].is_unique


def test_every_geometry_is_a_valid_polygon_in_the_english_midlands(demo: DemoArea) -> None:
    for geometry in demo.areas["geometry"]:
        assert geometry["type"] in {"Polygon", "MultiPolygon"}
        polygon = shape(geometry)
        assert polygon.is_valid
        assert not polygon.is_empty
        minx, miny, maxx, maxy = polygon.bounds
        assert -2.7 < minx < maxx < -1.5
        assert 51.9 < miny < maxy < 52.5


def test_geometries_are_plain_json_with_six_decimal_coordinates(demo: DemoArea) -> None:
    geometry = _level(demo, "lsoa21").iloc[0]["geometry"]
    ring = geometry["coordinates"][0]
    assert isinstance(ring, list)
    assert isinstance(ring[0], list)
    assert all(round(value, 6) == value for point in ring for value in point)


def test_the_county_is_roughly_60_by_50_km(demo: DemoArea) -> None:
    minx, miny, maxx, maxy = shape(_level(demo, "county").iloc[0]["geometry"]).bounds
    width_km = (maxx - minx) * 111.2 * math.cos(math.radians(52.2))
    height_km = (maxy - miny) * 111.2
    assert 45 < width_km < 75
    assert 38 < height_km < 65


def test_lsoas_tile_the_county_without_overlaps_or_gaps(demo: DemoArea) -> None:
    lsoas = list(_shapes(_level(demo, "lsoa21")).values())
    union = shapely.union_all(lsoas)
    county = shape(_level(demo, "county").iloc[0]["geometry"])
    assert sum(p.area for p in lsoas) == pytest.approx(union.area, rel=1e-3)
    assert union.area == pytest.approx(county.area, rel=5e-3)
    assert union.symmetric_difference(county).area < 5e-3 * county.area


def test_shapes_are_organic_not_rectangles(demo: DemoArea) -> None:
    county = shape(_level(demo, "county").iloc[0]["geometry"])
    assert county.minimum_rotated_rectangle.area > 1.1 * county.area
    assert len(county.exterior.coords) > 50
    lsoas = _shapes(_level(demo, "lsoa21")).values()
    many_sided = [len(shapely.get_coordinates(p.exterior)) - 1 >= 5 for p in lsoas]
    assert np.mean(many_sided) > 0.6


def test_each_lsoa_lies_within_its_msoa_and_district(demo: DemoArea) -> None:
    shapes = _shapes(demo.areas)
    parent = demo.areas.set_index("area_code")["parent_code"]
    for code in _level(demo, "lsoa21")["area_code"]:
        lsoa, msoa = shapes[code], parent[code]
        assert lsoa.buffer(-1e-6).within(shapes[msoa])
        assert lsoa.buffer(-1e-6).within(shapes[parent[msoa]])


def test_districts_and_msoas_are_each_one_connected_piece(demo: DemoArea) -> None:
    grouped = demo.areas[demo.areas["level"].isin(["lad", "msoa21"])]
    assert (grouped["geometry"].map(lambda g: g["type"]) == "Polygon").all()


def test_msoas_group_a_handful_of_lsoas(demo: DemoArea) -> None:
    sizes = _level(demo, "lsoa21")["parent_code"].value_counts()
    assert sizes.min() >= 3
    assert sizes.max() <= 8
    assert 4 <= sizes.mean() <= 6


def test_town_lsoas_are_much_smaller_than_rural_ones(demo: DemoArea) -> None:
    areas = np.array([p.area for p in _shapes(_level(demo, "lsoa21")).values()])
    assert np.percentile(areas, 90) > 10 * np.percentile(areas, 10)


# --- Population ------------------------------------------------------------------------


def test_population_has_one_row_per_lsoa_sex_and_single_year_of_age(demo: DemoArea) -> None:
    population = demo.population
    lsoas = _level(demo, "lsoa21")["area_code"]
    assert list(population.columns) == ["area_code", "year", "sex", "age", "count"]
    assert len(population) == len(lsoas) * 2 * 91
    assert not population.duplicated(["area_code", "sex", "age"]).any()
    assert set(population["area_code"]) == set(lsoas)
    assert set(population["sex"]) == {"F", "M"}
    assert set(population["age"]) == set(range(91))
    assert (population["year"] == 2023).all()
    assert pd.api.types.is_integer_dtype(population["count"])
    assert (population["count"] >= 0).all()


def test_lsoa_and_county_totals_are_realistic(demo: DemoArea) -> None:
    totals = demo.population.groupby("area_code")["count"].sum()
    assert totals.between(1_000, 3_000).all()
    assert 450_000 <= totals.sum() <= 500_000


def _age_shares(population: pd.DataFrame) -> pd.Series:
    by_age = population.groupby("age")["count"].sum()
    return by_age / by_age.sum()


def test_the_age_structure_has_englands_broad_shares(demo: DemoArea) -> None:
    shares = _age_shares(demo.population)
    assert 0.18 <= shares.loc[:15].sum() <= 0.19
    assert 0.62 <= shares.loc[16:64].sum() <= 0.64
    assert 0.18 <= shares.loc[65:].sum() <= 0.19
    assert 0.006 <= shares.loc[90] <= 0.010


def test_the_pyramid_has_englands_shape(demo: DemoArea) -> None:
    shares = _age_shares(demo.population)
    assert shares.loc[0:18].between(0.0095, 0.013).all()  # about 1.1% per year of age
    assert 50 <= shares.loc[30:70].idxmax() <= 62  # the broad middle-age bulge
    assert shares.loc[55] > shares.loc[35]
    declining = shares.loc[70:89].to_numpy()
    assert (np.diff(declining) < 0).mean() > 0.9  # a steady fall after 70


def test_women_outnumber_men_in_old_age_and_boys_outnumber_girls_at_birth(
    demo: DemoArea,
) -> None:
    by = demo.population.groupby(["sex", "age"])["count"].sum()
    assert by["M"].loc[0] >= by["F"].loc[0]
    assert by["F"].loc[85:].sum() > by["M"].loc[85:].sum()
    assert 1.7 <= by["F"].loc[90] / by["M"].loc[90] <= 2.3
    assert 0.95 <= by["F"].loc[30:50].sum() / by["M"].loc[30:50].sum() <= 1.06


def test_towns_have_more_young_adults_and_fewer_pensioners_than_villages(demo: DemoArea) -> None:
    towns, villages = _density_quartiles(demo)
    population = demo.population

    def share(codes: pd.Index, low: int, high: int) -> float:
        rows = population[population["area_code"].isin(codes)]
        return rows.loc[rows["age"].between(low, high), "count"].sum() / rows["count"].sum()

    assert share(towns, 18, 29) > 1.2 * share(villages, 18, 29)
    assert share(towns, 65, 90) < share(villages, 65, 90)


# --- Deprivation -----------------------------------------------------------------------


def test_deprivation_has_one_row_per_lsoa(demo: DemoArea) -> None:
    deprivation = demo.deprivation
    assert list(deprivation.columns) == ["area_code", "imd_score", "imd_rank", "imd_decile"]
    assert list(deprivation["area_code"]) == list(_level(demo, "lsoa21")["area_code"])


def test_every_imd_decile_appears_at_least_five_times(demo: DemoArea) -> None:
    counts = demo.deprivation["imd_decile"].value_counts()
    assert set(counts.index) == set(range(1, 11))
    assert counts.min() >= 5


def test_imd_ranks_are_national_ranks_consistent_with_deciles(demo: DemoArea) -> None:
    deprivation = demo.deprivation
    assert deprivation["imd_rank"].between(1, 33_755).all()
    assert deprivation["imd_rank"].max() - deprivation["imd_rank"].min() > 25_000
    expected = np.ceil(deprivation["imd_rank"] / 3_375.5).astype(int)
    assert (deprivation["imd_decile"] == expected).all()


def test_higher_imd_scores_get_more_deprived_ranks(demo: DemoArea) -> None:
    deprivation = demo.deprivation
    spearman = deprivation["imd_score"].rank().corr(deprivation["imd_rank"].rank())
    assert spearman < -0.95


def test_imd_scores_are_in_a_realistic_right_skewed_range(demo: DemoArea) -> None:
    score = demo.deprivation["imd_score"]
    assert score.between(1.0, 90.0).all()
    assert score.max() > 45
    assert score.mean() > score.median()


def test_town_centres_are_more_deprived_than_the_countryside(demo: DemoArea) -> None:
    towns, villages = _density_quartiles(demo)
    score = demo.deprivation.set_index("area_code")["imd_score"]
    assert score[towns].mean() > 1.5 * score[villages].mean()


# --- Services --------------------------------------------------------------------------


def test_there_are_40_to_45_services_with_unique_demo_codes(demo: DemoArea) -> None:
    services = demo.services
    assert 40 <= len(services) <= 45
    assert services["service_code"].is_unique
    assert services["service_code"].str.fullmatch(r"DEMO-SVC-\d{3}").all()
    assert (services["financial_year"] == "2024/25").all()
    assert (services["source"] == SYNTHETIC_LABEL).all()


def test_services_use_only_the_allowed_vocabularies(demo: DemoArea) -> None:
    services = demo.services
    assert set(services["category"]) == CATEGORIES
    assert set(services["provider_type"]) <= PROVIDER_TYPES
    assert set(services["capacity_unit"]) <= UNITS
    assert set(services["funder"]) <= FUNDERS
    assert all(
        set(conditions) <= CONDITIONS and conditions for conditions in services["conditions"]
    )
    assert services["service_type"].str.fullmatch(r"[a-z_]+").all()


def test_at_least_three_funders_including_a_pooled_budget(demo: DemoArea) -> None:
    funders = set(demo.services["funder"])
    assert len(funders) >= 3
    assert "pooled" in funders


def test_exactly_one_talking_therapies_service_per_district(demo: DemoArea) -> None:
    services = demo.services
    talking = services[services["service_type"] == "talking_therapies"]
    districts = list(_level(demo, "lad")["area_code"])
    assert sorted(code for (code,) in talking["catchment_codes"]) == districts
    assert (talking["category"] == "therapy").all()
    assert (talking["provider_type"] == "nhs_trust").all()
    assert (talking["funder"] == "nhs").all()
    assert (talking["capacity_unit"] == "courses_per_year").all()
    assert all(conditions == ("cmd",) for conditions in talking["conditions"])
    assert (talking["age_min"] == 16).all()
    assert talking["age_max"].isna().all()


def test_talking_therapies_capacity_is_18_to_45_courses_per_1000_adults(demo: DemoArea) -> None:
    adults = (
        demo.population[demo.population["age"] >= 16]
        .groupby(demo.population["area_code"].map(_district_of_lsoa(demo)))["count"]
        .sum()
    )
    talking = demo.services[demo.services["service_type"] == "talking_therapies"]
    rates = []
    for _, service in talking.iterrows():
        (district,) = service["catchment_codes"]
        assert service["capacity"] % 10 == 0
        rates.append(service["capacity"] / adults[district] * 1000)
    assert all(17.5 <= rate <= 45.5 for rate in rates)
    assert max(rates) - min(rates) > 5  # districts differ clearly
    spend_per_course = talking["annual_spend"] / talking["capacity"]
    assert spend_per_course.between(245, 405).all()


def test_every_service_site_lies_inside_its_site_lsoa(demo: DemoArea) -> None:
    lsoas = _shapes(_level(demo, "lsoa21"))
    for _, service in demo.services.iterrows():
        site = shapely.Point(service["lon"], service["lat"])
        assert lsoas[service["site_area_code"]].contains(site), service["service_code"]


def test_sites_are_inside_their_catchment(demo: DemoArea) -> None:
    district_of = _district_of_lsoa(demo)
    lads = set(_level(demo, "lad")["area_code"])
    for _, service in demo.services.iterrows():
        catchment = service["catchment_codes"]
        assert isinstance(catchment, tuple)
        assert set(catchment) <= lads
        if catchment:  # an empty catchment means the whole county
            assert district_of[service["site_area_code"]] in catchment


def test_capacities_spend_and_ages_are_sensible(demo: DemoArea) -> None:
    services = demo.services
    assert (services["capacity"] > 0).all()
    assert (services["annual_spend"] > 0).all()
    assert pd.api.types.is_integer_dtype(services["annual_spend"])
    assert services["annual_spend"].between(20_000, 30_000_000).all()
    for _, service in services.iterrows():
        assert isinstance(service["age_min"], int | np.integer)
        assert service["age_max"] is None or service["age_min"] < service["age_max"]


def test_inpatient_beds_cost_150k_to_250k_each(demo: DemoArea) -> None:
    beds = demo.services[demo.services["service_type"] == "psychiatric_inpatient"]
    assert len(beds) == 1
    assert (beds["capacity_unit"] == "beds").all()
    per_bed = beds["annual_spend"] / beds["capacity"]
    assert per_bed.between(145_000, 255_000).all()


# --- Other seeds -----------------------------------------------------------------------


# Seed 24 has four nearly cocircular LSOA seed points; rounding each polygon on its own
# once split an MSOA there into two pieces.
@pytest.mark.parametrize("seed", [1, 2, 3, 24])
def test_other_seeds_also_give_well_formed_areas(seed: int) -> None:
    demo = generate_demo_area(seed=seed)
    counts = demo.areas["level"].value_counts()
    assert 280 <= counts["lsoa21"] <= 320
    assert 50 <= counts["msoa21"] <= 70
    assert counts["lad"] == 5
    grouped = demo.areas[demo.areas["level"].isin(["lad", "msoa21"])]
    assert (grouped["geometry"].map(lambda g: g["type"]) == "Polygon").all()
    lsoas = list(_shapes(_level(demo, "lsoa21")).values())
    assert all(p.is_valid for p in lsoas)
    assert sum(p.area for p in lsoas) == pytest.approx(shapely.union_all(lsoas).area, rel=1e-3)
    assert demo.deprivation["imd_decile"].value_counts().reindex(range(1, 11)).min() >= 5
    assert (demo.services["service_type"] == "talking_therapies").sum() == 5
