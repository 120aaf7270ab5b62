"""Map classes from meaningful steps: never narrower than the rounding or the uncertainty."""

import math

import numpy as np
import pytest

from needs import classing


@pytest.mark.parametrize(
    ("at_least", "width"),
    [(0.3, 0.5), (0.25, 0.25), (0.1, 0.1), (0.11, 0.2), (1.0, 1.0), (1.01, 2.0), (2.2, 2.5),
     (3.1, 5.0), (5.0, 5.0), (7.0, 10.0), (0.3 / 3, 0.1), (40.0, 50.0)],
)  # fmt: skip
def test_widths_are_round_numbers_no_narrower_than_asked(at_least, width):
    assert classing.nice_width(at_least) == pytest.approx(width)


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_a_width_must_be_positive_and_finite(bad):
    with pytest.raises(ValueError, match="positive"):
        classing.nice_width(bad)


def test_the_step_is_the_rounding_unless_the_median_half_width_is_larger():
    assert classing.meaningful_step(rounding=0.1) == classing.Step(0.1, False)
    wide = classing.meaningful_step(rounding=0.1, lower=[6, 7, 5], upper=[8, 10, 9])
    assert wide == classing.Step(1.5, True)  # half-widths 1, 1.5, 2 → median 1.5
    narrow = classing.meaningful_step(rounding=0.1, lower=[7.98], upper=[8.02])
    assert narrow == classing.Step(0.1, False)
    unknown = classing.meaningful_step(rounding=0.1, lower=[math.nan], upper=[math.nan])
    assert unknown == classing.Step(0.1, False)
    with pytest.raises(ValueError):
        classing.meaningful_step(rounding=0)


def test_a_spread_narrower_than_one_step_is_one_class():
    assert classing.step_edges([7.9, 8.0, 8.29], step=0.4, max_classes=5) == (7.9, 8.29)
    assert classing.step_edges([np.nan, np.nan], step=1, max_classes=5) == ()


def test_edges_are_round_multiples_of_one_width_and_respect_the_class_limit():
    assert classing.step_edges([1, 2, 3, 4, 5, 6], step=0.1, max_classes=5) == (0, 2, 4, 6, 8)
    assert classing.step_edges([7.9, 8.0, 8.3], step=0.1, max_classes=5) == (
        7.9, 8.0, 8.1, 8.2, 8.3, 8.4,
    )  # fmt: skip
    assert classing.step_edges([10, 55, 100], step=3, max_classes=3) == (0, 50, 100, 150)
    # The step wins over a finer split: a span of 2 with a step of 1 gives widths of 1, not 0.5.
    assert classing.step_edges([0.0, 2.0], step=1.0, max_classes=5) == (0, 1, 2, 3)
    with pytest.raises(ValueError):
        classing.step_edges([1, 2], step=1, max_classes=0)


def test_ties_share_a_class_and_missing_values_have_none():
    edges = (0.0, 2.0, 4.0, 6.0)
    assert classing.class_of([2.0, 2.0, 1.99, 6.0, np.nan], edges).tolist() == [1, 1, 0, 2, -1]
    assert classing.class_of([1.0], (1.0,)).tolist() == [-1]


def test_three_way_maps_one_two_or_three_classes_to_lower_similar_higher():
    assert classing.three_way([5.0, 5.1], (5.0, 5.1)).tolist() == [1, 1]
    assert classing.three_way([1.0, 3.0], (0.0, 2.0, 4.0)).tolist() == [0, 2]
    assert classing.three_way([1.0, 3.0, 5.0, np.nan], (0, 2, 4, 6)).tolist() == [0, 1, 2, -1]
    with pytest.raises(ValueError, match="three"):
        classing.three_way([1.0], (0, 1, 2, 3, 4))


@pytest.mark.parametrize(("width", "places"), [(20.0, 0), (2.5, 1), (0.05, 2), (0.1, 1), (1.0, 0)])
def test_labels_show_a_width_exactly(width, places):
    assert classing.decimals_for(width) == places


def test_missing_bounds_given_as_none_are_unknown_and_raise_no_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "mean of empty slice" from an all-unknown median
        step = classing.meaningful_step(rounding=0.1, lower=[None, 6], upper=[9, None])
        edges = classing.step_edges([None, 1.0, 3.0], step=1.0, max_classes=5)
    assert step == classing.Step(0.1, False)
    assert edges == (1, 2, 3, 4)


def test_a_half_width_equal_to_the_rounding_is_the_rounding():
    assert classing.meaningful_step(rounding=1.0, lower=[4.0], upper=[6.0]) == classing.Step(
        1.0, False
    )


def test_a_spread_of_exactly_one_step_is_two_classes():
    assert classing.step_edges([0.0, 1.0], step=1.0, max_classes=5) == (0, 1, 2)


def test_one_class_may_be_asked_for():
    assert classing.step_edges([0.0, 7.0], step=1.0, max_classes=1) == (0, 10)


def test_the_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="rounding must be positive, not 0"):
        classing.meaningful_step(rounding=0)
    with pytest.raises(ValueError, match=r"^at least one class is needed$"):
        classing.step_edges([1, 2], step=1, max_classes=0)


def test_class_of_takes_missing_values_as_none():
    assert classing.class_of([None, 1.0, 3.0], (0.0, 2.0, 4.0)).tolist() == [-1, 0, 1]


def test_three_way_without_classes_is_missing_everywhere():
    assert classing.three_way([1.0, 2.0], ()).tolist() == [-1, -1]
    with pytest.raises(ValueError, match=r"^a bivariate axis has at most three classes$"):
        classing.three_way([1.0], (0, 1, 2, 3, 4))


@pytest.mark.parametrize(("width", "places"), [(0.25, 2), (0.001, 3), (0.3 / 3 * 3, 1), (1e-6, 6)])
def test_labels_show_fine_widths_exactly(width, places):
    assert classing.decimals_for(width) == places
