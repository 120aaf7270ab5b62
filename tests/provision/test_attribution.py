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
