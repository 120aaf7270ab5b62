"""Services shared out over the small areas they serve, on hand-worked cases."""

import pandas as pd
import pytest

from provision.attribution import (
    RULE_CATCHMENT,
    RULE_SITE,
    RULE_WHOLE_AREA,
    AttributionError,
    attribute_services,
    candidate_pairs,
    served_population,
)


def services(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["service_code", "capacity", "spend"])


def served(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["service_code", "area_code", "population"])


def test_a_catchment_service_is_split_by_population_and_keeps_its_total():
    result = attribute_services(
        services(("S1", 1000.0, 50_000.0)),
        pd.DataFrame({"service_code": ["S1", "S1"], "area_code": ["A", "B"]}),
        served([("S1", "A", 300.0), ("S1", "B", 100.0), ("S1", "C", 600.0)]),
    ).set_index("area_code")
    assert result.loc["A", "capacity"] == pytest.approx(750.0)
    assert result.loc["B", "capacity"] == pytest.approx(250.0)
    assert "C" not in result.index
    assert result["capacity"].sum() == pytest.approx(1000.0)
    assert result["spend"].sum() == pytest.approx(50_000.0)
    assert set(result["rule"]) == {RULE_CATCHMENT}


def test_a_service_without_catchment_serves_the_whole_area_by_population():
    result = attribute_services(
        services(("S2", 100.0, 0.0)),
        pd.DataFrame(columns=["service_code", "area_code"]),
        served([("S2", "A", 1.0), ("S2", "B", 3.0)]),
    ).set_index("area_code")
    assert result.loc["B", "capacity"] == pytest.approx(75.0)
    assert set(result["rule"]) == {RULE_WHOLE_AREA}


def test_a_catchment_with_nobody_in_it_is_refused_naming_the_service():
    with pytest.raises(AttributionError, match="S3"):
        attribute_services(
            services(("S3", 10.0, 0.0)),
            pd.DataFrame({"service_code": ["S3"], "area_code": ["A"]}),
            served([("S3", "A", 0.0)]),
        )


def test_served_population_counts_only_the_ages_a_service_is_for():
    population = pd.DataFrame(
        {"area_code": ["A", "A", "A", "B"], "age": [10, 16, 80, 30], "count": [5, 7, 11, 13]}
    )
    frame = pd.DataFrame(
        {"service_code": ["ADULT", "CHILD"], "age_min": [16, 0], "age_max": [None, 17]}
    )
    result = served_population(population, frame).set_index(["service_code", "area_code"])
    assert result.loc[("ADULT", "A"), "population"] == 18
    assert result.loc[("ADULT", "B"), "population"] == 13
    assert result.loc[("CHILD", "A"), "population"] == 12
    assert result.loc[("CHILD", "B"), "population"] == 0


def test_without_a_catchment_a_service_reaches_the_areas_its_sites_lie_in():
    result = attribute_services(
        services(("S4", 90.0, 900.0)),
        pd.DataFrame(columns=["service_code", "area_code"]),
        served([("S4", "A", 100.0), ("S4", "B", 200.0), ("S4", "C", 700.0)]),
        sites=pd.DataFrame({"service_code": ["S4", "S4"], "area_code": ["A", "B"]}),
    ).set_index("area_code")
    assert list(result.index) == ["A", "B"]
    assert result.loc["B", "capacity"] == pytest.approx(60.0)
    assert set(result["rule"]) == {RULE_SITE}


def test_a_catchment_wins_over_a_site():
    result = attribute_services(
        services(("S5", 10.0, 0.0)),
        pd.DataFrame({"service_code": ["S5"], "area_code": ["C"]}),
        served([("S5", "A", 1.0), ("S5", "C", 1.0)]),
        sites=pd.DataFrame({"service_code": ["S5"], "area_code": ["A"]}),
    )
    assert list(result["area_code"]) == ["C"] and set(result["rule"]) == {RULE_CATCHMENT}


def test_population_for_chosen_pairs_matches_the_full_table():
    population = pd.DataFrame(
        {"area_code": ["A", "A", "B", "C"], "age": [10, 40, 40, 70], "count": [5, 7, 11, 13]}
    )
    frame = pd.DataFrame({"service_code": ["S", "T"], "age_min": [16, 0], "age_max": [None, 17]})
    full = served_population(population, frame).set_index(["service_code", "area_code"])
    pairs = candidate_pairs(
        frame,
        pd.DataFrame({"service_code": ["S"], "area_code": ["B"]}),
        pd.DataFrame(columns=["service_code", "area_code"]),
        pd.Index(["A", "B", "C"]),
    )
    chosen = served_population(population, frame, pairs).set_index(["service_code", "area_code"])
    # S has a catchment (B only); T has none, so it may reach every area.
    assert sorted(chosen.index) == [("S", "B"), ("T", "A"), ("T", "B"), ("T", "C")]
    for key, row in chosen.iterrows():
        assert row["population"] == full.loc[key, "population"]


@pytest.mark.django_db
def test_a_site_goes_to_a_real_2021_lsoa_before_a_synthetic_or_2011_one():
    from shapely.geometry import shape

    from needs.models import Area
    from needs.selectors import small_area_at

    demo = Area.objects.filter(level="lsoa21", is_synthetic=True).first()
    point = shape(demo.geometry).representative_point()
    assert small_area_at(lon=point.x, lat=point.y) == demo
    older = Area.objects.create(
        code="E01999998", name="Real 2011", level="lsoa11", geometry=demo.geometry
    )
    assert small_area_at(lon=point.x, lat=point.y) == older  # real before synthetic
    newer = Area.objects.create(
        code="E01999999", name="Real 2021", level="lsoa21", geometry=demo.geometry
    )
    assert small_area_at(lon=point.x, lat=point.y) == newer  # and 2021 before 2011


def test_pairs_carry_a_unique_index_for_the_steps_after():
    pairs = candidate_pairs(
        services(("S1", 1.0, 0.0), ("S2", 1.0, 0.0)),
        pd.DataFrame({"service_code": ["S1"], "area_code": ["A"]}),
        pd.DataFrame({"service_code": ["S1"], "area_code": ["B"]}),
        pd.Index(["A", "B"]),
    )
    assert pairs.index.is_unique
    assert sorted(map(tuple, pairs.to_numpy())) == [
        ("S1", "A"),
        ("S1", "B"),
        ("S2", "A"),
        ("S2", "B"),
    ]


def test_both_sexes_are_summed_and_the_top_age_is_served():
    population = pd.DataFrame(
        {"area_code": ["A", "A", "A"], "age": [64, 64, 65], "count": [10.0, 30.0, 100.0]}
    )  # two sexes at 64
    service = pd.DataFrame({"service_code": ["S1"], "age_min": [18], "age_max": [64]})
    full = served_population(population, service)
    assert full.columns.tolist() == ["service_code", "area_code", "population"]
    assert full["population"].tolist() == [40.0]
    pairs = pd.DataFrame({"service_code": ["S1", "S1"], "area_code": ["A", "Z"]})
    chosen = served_population(population, service, pairs)
    # Z has no population: the pair is dropped, not read from another area's row.
    assert chosen.columns.tolist() == ["service_code", "area_code", "population"]
    assert chosen.to_numpy().tolist() == [["S1", "A", 40.0]]


def test_a_catchment_area_with_no_population_row_gets_no_share_but_stays_listed():
    result = attribute_services(
        services(("S1", 100.0, 10.0)),
        pd.DataFrame({"service_code": ["S1", "S1"], "area_code": ["A", "B"]}),
        served([("S1", "A", 50.0)]),
    ).set_index("area_code")
    assert result.loc["B", "share"] == 0 and result.loc["A", "share"] == 1


def test_the_refusal_names_at_most_ten_services_and_says_what_to_check():
    codes = [f"S{i:02d}" for i in range(11)]
    with pytest.raises(AttributionError) as refused:
        attribute_services(
            services(*[(code, 1.0, 0.0) for code in codes]),
            pd.DataFrame({"service_code": codes, "area_code": ["A"] * 11}),
            served([(code, "A", 0.0) for code in codes]),
        )
    assert str(refused.value) == (
        "No population lives in the catchment of service(s) "
        f"{', '.join(codes[:10])} (no residents of the ages they serve live in the small areas "
        "they reach): check their catchment areas, sites and ages, and the population year."
    )


def test_a_small_area_reached_twice_counts_once():
    # The catchment names district D and, again, its small area A (each expansion keeps where it
    # came from): A is one of the service's areas, not two, so the shares stay 3:1.
    catchments = pd.DataFrame(
        {"service_code": ["S1", "S1", "S1"], "area_code": ["A", "B", "A"], "from": ["D", "D", "A"]}
    )
    result = attribute_services(
        services(("S1", 400.0, 0.0)), catchments, served([("S1", "A", 300.0), ("S1", "B", 100.0)])
    )
    assert sorted(result["area_code"]) == ["A", "B"]
    assert result.set_index("area_code")["capacity"].to_dict() == pytest.approx(
        {"A": 300.0, "B": 100.0}
    )
