"""The one rounding rule every page, table, map, statement and export uses."""

import math
from decimal import Decimal

import numpy as np
import pytest

from needs import rounding


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"), (4.9, "0"), (5.0, "10"), (994.0, "990"), (995.0, "1,000"),
        (999.0, "1,000"), (1_024.0, "1,000"), (1_025.0, "1,050"), (2_175.0, "2,200"),
        (2_185.0, "2,200"), (9_974.0, "9,950"), (9_975.0, "10,000"), (10_049.0, "10,000"),
        (10_050.0, "10,100"), (12_345.0, "12,300"), (-1_025.0, "-1,050"),
    ],
)  # fmt: skip
def test_people_round_to_10_50_or_100_by_size_half_away_from_zero(value, text):
    assert rounding.people(value) == text


def test_the_step_changes_exactly_at_one_thousand_and_ten_thousand():
    assert [rounding.people_step(v) for v in (999.99, 1_000, 9_999.99, 10_000)] == [10, 50, 50, 100]


@pytest.mark.parametrize("value", [None, math.nan, math.inf, "abc"])
def test_missing_figures_say_so(value):
    assert rounding.people(value) == "not available"
    assert rounding.per_1000(value) == "not available"
    assert rounding.share(value) == "not available"


def test_numpy_and_decimal_numbers_round_like_floats():
    assert rounding.people(np.float32(2_185.0)) == rounding.people(Decimal("2185")) == "2,200"
    assert rounding.people(np.int64(12_345)) == "12,300"


def test_small_counts_are_suppressed_at_and_above_the_threshold_shown():
    assert rounding.people_or_fewer(9.99, suppress_below=10) == "fewer than 10"
    assert rounding.people_or_fewer(10.0, suppress_below=10) == "10"
    assert rounding.people_or_fewer(None, suppress_below=10) == "an unknown number of"


def test_intervals_in_words():
    assert rounding.between(1_890.0, 2_512.0) == "between about 1,900 and 2,500"
    assert rounding.between(3.0, 40.0, suppress_below=10) == "up to about 40"
    assert rounding.between(3.0, 8.0, suppress_below=10) == "fewer than 10"
    assert rounding.between(math.nan, 10.0) == ""


def test_shares_are_whole_per_cents_and_small_ones_are_not_zero():
    assert rounding.share(0.0) == "0%"
    assert rounding.share(0.0001) == "<1%"
    assert rounding.share(0.00499) == "<1%"
    assert rounding.share(0.005) == "1%"
    assert rounding.share(0.125) == "13%"
    assert rounding.share(0.667) == "67%"


def test_rates_per_1000_show_one_decimal():
    assert rounding.per_1000(7.96) == "8.0" and rounding.per_1000(1_234.56) == "1,234.6"


def test_an_upper_bound_of_exactly_the_threshold_is_not_suppressed():
    assert rounding.between(3.0, 10.0, suppress_below=10) == "up to about 10"


def test_nothing_is_suppressed_unless_asked():
    assert (
        rounding.between(0.2, 0.8)
        == f"between about {rounding.people(0.2)} and {rounding.people(0.8)}"
    )
    assert "fewer" not in rounding.between(0.2, 0.8)


def test_a_half_is_fifty_per_cent_and_ninety_nine_point_four_is_ninety_nine():
    assert rounding.share(0.5) == "50%"
    assert rounding.share(0.994) == "99%"


@pytest.mark.parametrize(
    ("value", "signed", "text"),
    [
        (1_234.4, False, "£1,234"), (1_234.5, False, "£1,235"), (0.5, False, "£1"),
        (-45.5, False, "\u2212£46"), (-0.4, False, "£0"), (0.0, True, "£0"),
        (1_234.5, True, "+£1,235"), (-2.5, True, "\u2212£3"), (None, False, "not available"),
        (math.inf, True, "not available"),
    ],
)  # fmt: skip
def test_pounds_are_whole_half_away_from_zero_with_a_true_minus_and_a_plus_when_signed(
    value, signed, text
):
    assert rounding.pounds(value, signed=signed) == text


def test_pounds_are_unsigned_unless_asked():
    assert rounding.pounds(12.0) == "£12"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.17, "+17%"), (-0.06, "\u22126%"), (0.004, "+<1%"), (-0.004, "\u2212<1%"),
        (0.0, "0%"), (0.995, "+100%"), (None, "not available"), (math.nan, "not available"),
    ],
)  # fmt: skip
def test_a_change_carries_its_sign_and_no_sign_at_zero(value, text):
    assert rounding.signed_share(value) == text


@pytest.mark.parametrize(
    ("amounts", "percents"),
    [
        ([1, 1, 1], [34, 33, 33]),  # remainders tie: the earlier amount takes the spare point
        ([2, 1], [67, 33]),
        ([1, 2], [33, 67]),
        ([0, 5, 5], [0, 50, 50]),
        ([3, 0], [100, 0]),
        ([0.2, 99.8], [0, 100]),
        ([0.6, 99.4], [1, 99]),
        ([115, 125, 760], [12, 12, 76]),  # 11.5, 12.5, 76: both halves lose; the earlier gains
        ([14.6, 14.6, 70.8], [15, 14, 71]),  # .6 .6 .8: the largest remainder first, then the tie
    ],
)
def test_whole_percents_add_up_to_one_hundred_by_largest_remainder(amounts, percents):
    result = rounding.whole_percents(amounts)
    assert result == percents
    assert sum(result) == 100
    assert all(isinstance(p, int) for p in result)


@pytest.mark.parametrize("amounts", [[1, -1], [1, math.nan], [1, math.inf]])
def test_whole_percents_refuse_negative_or_missing_amounts(amounts):
    with pytest.raises(
        ValueError, match=r"^Shares need amounts that are numbers of zero or more\.$"
    ):
        rounding.whole_percents(amounts)


@pytest.mark.parametrize("amounts", [[0, 0], []])
def test_whole_percents_refuse_shares_of_nothing(amounts):
    with pytest.raises(ValueError, match=r"^Shares of nothing cannot be shown\.$"):
        rounding.whole_percents(amounts)


@pytest.mark.parametrize(
    ("amounts", "texts"),
    [
        ([0.2, 99.8], ["<1%", ">99%"]),
        ([0, 10], ["0%", "100%"]),
        ([2, 1], ["67%", "33%"]),
        ([0.6, 99.4], ["1%", "99%"]),
        ([0, 0], ["not available", "not available"]),
        ([1, None], ["not available", "not available"]),
        ([1, -1], ["not available", "not available"]),
        ([1, math.inf], ["not available", "not available"]),
        ([], []),
    ],
)
def test_shares_adding_up_mark_a_part_hidden_by_rounding(amounts, texts):
    assert rounding.shares_adding_up(amounts) == texts
