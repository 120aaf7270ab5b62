"""Nobody is lost: the residents check a run makes before summing to localities."""

import pandas as pd
import pytest

from needs.demography.conservation import Residents, ResidentsLost, residents_check, totals_agree


def population(counts: dict[str, float]) -> pd.DataFrame:
    """Two rows per small area (F and M), so the check must sum rows per area."""
    rows = [(code, sex, count / 2) for code, count in counts.items() for sex in ("F", "M")]
    return pd.DataFrame(rows, columns=["area_code", "sex", "count"])


def membership(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["area_code", "locality_code"])


def test_every_small_area_in_one_locality_is_counted_once_at_each_level():
    counted = residents_check(
        population({"A": 100.0, "B": 250.5, "C": 49.5}),
        membership([("A", "north"), ("B", "north"), ("C", "south")]),
        scheme="Districts",
    )
    assert counted == Residents(total=400.0, small_areas=3, localities=2, in_localities=400.0)
    assert counted.sentence() == (
        "400 residents in 3 small areas, every one in a locality (2 localities)"
    )
    assert counted.as_dict()["sentence"] == counted.sentence()


def test_a_small_area_with_residents_in_no_locality_stops_the_run_and_is_named():
    with pytest.raises(ResidentsLost) as caught:
        residents_check(
            population({"A": 100.0, "B": 250.0, "C": 50.0}),
            membership([("A", "north"), ("C", "south")]),
            scheme="Wards",
        )
    assert str(caught.value) == (
        "250 residents in 1 small area(s) are in no locality of 'Wards': B. Choose a scheme that "
        "covers every small area, or upload one that does, and run again."
    )


def test_a_small_area_without_residents_may_be_outside_every_locality():
    counted = residents_check(
        population({"A": 100.0, "EMPTY": 0.0}), membership([("A", "north")]), scheme="S"
    )
    assert counted.total == 100.0 and counted.small_areas == 2


def test_a_small_area_in_two_localities_would_be_counted_twice_and_is_refused():
    with pytest.raises(ResidentsLost, match=r"1 small area\(s\) are in more than one locality "):
        residents_check(
            population({"A": 100.0, "B": 50.0}),
            membership([("A", "north"), ("A", "south"), ("B", "south")]),
            scheme="S",
        )


def test_a_locality_area_outside_the_population_does_not_count_as_a_locality():
    counted = residents_check(
        population({"A": 10.0}), membership([("A", "north"), ("Z", "south")]), scheme="S"
    )
    assert counted.localities == 1


def test_two_lost_areas_are_listed_with_commas():
    with pytest.raises(ResidentsLost, match=r"in no locality of 'S': A, B\. Choose"):
        residents_check(population({"A": 1.0, "B": 2.0}), membership([]), scheme="S")


def test_twenty_lost_areas_are_all_listed_with_no_more_to_say():
    codes = {f"E{n:08d}": 1.0 for n in range(20)}
    with pytest.raises(ResidentsLost) as caught:
        residents_check(population(codes), membership([]), scheme="S")
    assert "E00000019. Choose" in str(caught.value) and "more" not in str(caught.value)


def test_many_lost_areas_are_listed_twenty_and_counted():
    codes = {f"E{n:08d}": 1.0 for n in range(25)}
    with pytest.raises(ResidentsLost) as caught:
        residents_check(population(codes), membership([]), scheme="S")
    message = str(caught.value)
    assert message.startswith("25 residents in 25 small area(s)")
    assert "E00000019 and 5 more." in message and "E00000020" not in message


@pytest.mark.parametrize(
    ("small", "localities", "whole", "agree"),
    [
        (100.0, 100.0, 100.0, True),
        (100.0, 100.5, 99.5, True),
        (100.0, 100.6, 100.0, False),
        (100.0, 100.0, 99.4, False),
    ],
)
def test_totals_agree_to_half_a_person(small, localities, whole, agree):
    assert totals_agree(small, localities, whole) is agree
