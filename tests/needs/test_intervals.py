"""Confidence intervals checked against the test data published with PHEindicatormethods.

Reference values come from the R package PHEindicatormethods (Public Health England, now UKHSA),
repository github.com/ukhsa-collaboration/PHEindicatormethods at commit
093fd288d8f8949dbcfbed70049dbbf385b6141d (version 2.1.0). Its test data are Excel workbooks
under tests/testthat/, loaded by data-raw/LoadTestdata.R; "row" below is the spreadsheet row
number (row 1 is the header). The workbooks store full double-precision values, and the
package's own tests compare against them with testthat's default tolerance,
sqrt(machine epsilon) ≈ 1.5e-8 relative, which is the tolerance used here too.

No database is needed: these are plain functions on numbers.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needs.prevalence.intervals import byar, byar_rate, dobson, exact_poisson, poisson, wilson

REL = 1.5e-8  # testthat::expect_equal's default tolerance, as PHEindicatormethods' tests use
CONFIDENCES = [0.95, 0.998]


def close(expected: float) -> pytest.approx:
    return pytest.approx(expected, rel=REL)


# --- Wilson: reference values -------------------------------------------------------------------

# tests/testthat/testdata_Byars_Wilson.xlsx, sheet testdata_B_W, rows 8-13 (method "Wilson"),
# used by tests/testthat/testWilson.R; columns x, n, lowercl, uppercl, confidence.
# tests/testthat/testdata_Proportion.xlsx, sheet testdata_Prop, rows 2-9 (multiplier 1),
# columns Numerator, Denominator, lower95_0cl, upper95_0cl (E, F) and lower99_8cl, upper99_8cl
# (G, H), used by tests/testthat/testProportions.R "test full output 2 CIs".
# Sheet testdata_Prop_g rows 2-9: the same areas summed (numerator and denominator doubled), 95%.
WILSON_CASES = [
    # (source, numerator, denominator, confidence, lower, upper)
    ("B_W row 8", 65, 100, 0.95, 0.55254443296887967, 0.73635751756902468),
    ("B_W row 9", 1045, 5000, 0.95, 0.19795549880013297, 0.22049130373189027),
    ("B_W row 10", 0.445, 1, 0.95, 4.3817447720588223e-2, 0.93346212769791559),
    ("B_W row 11", 65, 100, 0.998, 0.49549465740704313, 0.77835406140896968),
    ("B_W row 12", 1045, 5000, 0.998, 0.19179381799015244, 0.22731562902525818),
    ("B_W row 13", 0.445, 1, 0.998, 1.9347006132900975e-2, 0.97022599470195414),
    ("Prop row 2", 1, 100, 0.95, 1.7674320641406511e-3, 5.4486196178705294e-2),
    ("Prop row 2", 1, 100, 0.998, 8.73065697299977e-4, 0.10455445283705821),
    ("Prop row 3", 5, 100, 0.95, 2.154367915436798e-2, 0.11175046923191911),
    ("Prop row 3", 5, 100, 0.998, 1.3865320725997183e-2, 0.16458852282596442),
    ("Prop row 4", 20, 100, 0.95, 0.1333669333310325, 0.28882916559315885),
    ("Prop row 4", 20, 100, 0.998, 0.10519162066711432, 0.3471109417008601),
    ("Prop row 6", 9856, 12345, 0.95, 0.79121017529090687, 0.80536400736149094),
    ("Prop row 6", 9856, 12345, 0.998, 0.7869924108419063, 0.80930614125896261),
    ("Prop row 7", 7776456, 7564336677, 0.95, 1.0273201001641094e-3, 1.0287644578977231e-3),
    ("Prop row 7", 7776456, 7564336677, 0.998, 1.0269040118442213e-3, 1.0291812992698397e-3),
    ("Prop row 8", 222, 3215, 0.95, 6.0791690363636595e-2, 7.8339566813836331e-2),
    ("Prop row 8", 222, 3215, 0.998, 5.647101964624248e-2, 8.4184141852701344e-2),
    ("Prop row 9", 999, 3456, 0.95, 0.27418951080009873, 0.30440389662818057),
    ("Prop row 9", 999, 3456, 0.998, 0.26583995768074953, 0.31344754492799848),
    ("Prop_g row 2", 2, 200, 0.95, 2.746658133544438e-3, 3.5721761716176796e-2),
    ("Prop_g row 5", 130, 200, 0.95, 0.58163464336040083, 0.71271175872641923),
    ("Prop_g row 8", 444, 6430, 0.95, 6.3107995762980915e-2, 7.5509261831701299e-2),
]


@pytest.mark.parametrize(
    ("source", "numerator", "denominator", "confidence", "lower", "upper"), WILSON_CASES
)
def test_wilson_matches_phe_reference(source, numerator, denominator, confidence, lower, upper):
    got_lower, got_upper = wilson(
        numerator=numerator, denominator=denominator, confidence=confidence
    )
    assert got_lower == close(lower), source
    assert got_upper == close(upper), source


def test_wilson_is_vectorised_over_the_reference_rows():
    # testdata_B_W rows 8-10 at once, as testWilson.R calls wilson_lower(c(65,1045,0.445), ...).
    lower, upper = wilson(numerator=np.array([65, 1045, 0.445]), denominator=[100, 5000, 1])
    assert lower.shape == upper.shape == (3,)
    assert lower == pytest.approx([0.55254443296887967, 0.19795549880013297, 0.043817447720588223])
    assert upper == pytest.approx([0.73635751756902468, 0.22049130373189027, 0.93346212769791559])


# --- Byar: reference values for a count ---------------------------------------------------------

# tests/testthat/testdata_Byars_Wilson.xlsx, sheet testdata_B_W, rows 2-7 and 14 (method
# "Byars"), used by tests/testthat/testByars.R; columns x, lowercl, uppercl, confidence.
BYAR_COUNT_CASES = [
    # (source, count, confidence, lower, upper)
    ("B_W row 2", 65, 0.95, 50.163187710459454, 82.849138545939837),
    ("B_W row 3", 1045, 0.95, 982.59320180733255, 1110.3312129856499),
    ("B_W row 4", 1, 0.95, 1.3072132901504351e-2, 5.5637555824752605),
    ("B_W row 5", 65, 0.998, 42.880261471480203, 94.000290844318016),
    ("B_W row 6", 1045, 0.998, 947.94070356103737, 1148.8061609880331),
    ("B_W row 7", 10, 0.998, 2.916318374695686, 24.193724927880535),
]


@pytest.mark.parametrize(("source", "count", "confidence", "lower", "upper"), BYAR_COUNT_CASES)
def test_byar_matches_phe_reference(source, count, confidence, lower, upper):
    got_lower, got_upper = byar(count=count, confidence=confidence)
    assert got_lower == close(lower), source
    assert got_upper == close(upper), source


def test_byar_lower_limit_is_zero_where_the_formula_goes_negative():
    # testdata_B_W row 14: count 1 at 99.8% has upper 9.362180217908362 and a blank lower,
    # because PHEindicatormethods' byars_lower turns the negative result
    # 1 × (1 − 1/9 − 3.0902/3)³ ≈ −0.0033 into NA. Here the lower limit is 0 instead (the exact
    # Poisson lower limit, chi²(0.001; 2)/2 ≈ 0.0010, is barely above it).
    lower, upper = byar(count=1, confidence=0.998)
    assert lower == 0.0
    assert upper == close(9.362180217908362)


# --- Byar: reference values for a crude rate ----------------------------------------------------

# tests/testthat/testdata_Rate.xlsx, sheet testdata_Rate: columns Numerator, Denominator, value,
# lower95_0cl, upper95_0cl (E, F), lower99_8cl, upper99_8cl (G, H), multiplier (K); used by
# tests/testthat/testRates.R ("test full output 2 CIs", "test multiplier", "test num > denom").
# Only rows whose method is "Byars" (count >= 10): phe_rate uses the exact interval below 10.
# Sheet testdata_Rate_g rows 3-9: areas summed, 95%, per 100,000.
BYAR_RATE_CASES = [
    # (source, count, denominator, multiplier, confidence, value, lower, upper)
    ("Rate row 4", 20, 100, 100, 0.95, 20, 12.211428834875937, 30.889880369197066),
    ("Rate row 4", 20, 100, 100, 0.998, 20, 8.922802365144193, 38.085035625041911),
    ("Rate row 6", 9856, 12345, 100, 0.95, 79.837991089509913, 78.269490589767571,
     81.430016542721404),
    ("Rate row 7", 7776456, 7564336677, 100, 0.998, 0.10280420256339154, 0.102690317308454,
     0.10291817639509068),
    ("Rate row 13", 65, 100, 100_000, 0.95, 65000, 50163.187710459453, 82849.138545939844),
    ("Rate row 13", 65, 100, 100_000, 0.998, 65000, 42880.261471480204, 94000.290844318006),
    ("Rate row 16", 222, 3215, 100_000, 0.95, 6905.1321928460338, 6026.5748776526743,
     7875.7293708718507),
    ("Rate row 16", 222, 3215, 100_000, 0.998, 6905.1321928460338, 5560.7376952598534,
     8461.0466817334109),
    ("Rate row 17", 999, 3456, 100_000, 0.95, 28906.25, 27141.304936090521, 30755.833237378414),
    ("Rate row 17", 999, 3456, 100_000, 0.998, 28906.25, 26162.147596445768, 31845.604819822653),
    ("Rate row 21", 250, 220, 100_000, 0.95, 113636.36363636365, 99984.947385328764,
     128631.14487455782),
    ("Rate row 21", 250, 220, 100_000, 0.998, 113636.36363636365, 92710.005544389525,
     137651.23772147458),
    ("Rate_g row 3", 10, 200, 100_000, 0.95, 5000, 2393.7249569837822, 9195.7293028782369),
    ("Rate_g row 6", 19712, 24690, 100_000, 0.95, 79837.991089509916, 78727.300271336382,
     80960.432718132564),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "count", "denominator", "multiplier", "confidence", "value", "lower", "upper"),
    BYAR_RATE_CASES,
)
def test_byar_rate_matches_phe_reference(
    source, count, denominator, multiplier, confidence, value, lower, upper
):
    got = byar_rate(
        count=count, denominator=denominator, multiplier=multiplier, confidence=confidence
    )
    assert got == (close(value), close(lower), close(upper)), source


# --- Dobson: reference values for directly standardised rates -----------------------------------

# European Standard Population 2013, 19 bands 0-4 … 90+: data-raw/LoadTestdata.R line 20.
ESP2013 = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
           7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000]  # fmt: skip
# tests/testthat/testdata_DSR_ISR.xlsx, sheet testdata_multiarea: columns count, pop for the
# areas testdata_big (rows 2-20), testdata_small (rows 21-39) and testdata_tiny (rows 40-58,
# whose count for 10-14 in row 42 is blank). The three areas share one population.
POPULATION = [636, 558, 609, 543, 384, 594, 669, 843, 660, 576,
              606, 522, 426, 273, 300, 288, 153, 123, 207]  # fmt: skip
BIG = [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82, 91]
SMALL = [12, 4, 3, 2, 3, 4, 8, 2, 2, 3, 4, 5, 6, 8, 5, 6, 5, 5, 4]
TINY = [0, 0, np.nan, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 2, 3]
# Sheet testdata_1976 rows 2-19: count, pop and its own standard population esp1976 (18 bands).
COUNT_1976 = [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82]
POP_1976 = [
    636,
    558,
    609,
    543,
    384,
    594,
    669,
    843,
    660,
    576,
    606,
    522,
    426,
    273,
    300,
    288,
    153,
    123,
]
ESP1976 = [8000, 7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000,
           7000, 7000, 6000, 5000, 4000, 3000, 2000, 1000, 1000]  # fmt: skip

# Sheet testresults_DSR, used by tests/testthat/testDSRs.R: columns value (D), lower95_0cl (E),
# upper95_0cl (F), lower99_8cl (G), upper99_8cl (H). Rows 2-4 are per 10,000 ("test
# multiplier"), rows 6-8 per 100,000 ("test full output with 2 CIs").
DSR_BIG_PER_100K = {
    0.95: (10430.247991469423, 9717.709067985681, 11178.94091547925),  # row 6, D-F
    0.998: (10430.247991469423, 9323.2878802199029, 11620.595999522058),  # row 6, D, G-H
}
DSR_SMALL_PER_100K = {
    0.95: (1103.212025300104, 877.455767536709, 1367.0882227251795),  # row 7, D-F
    0.998: (1103.212025300104, 763.64203579398793, 1530.0328948244762),  # row 7, D, G-H
}


@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_dobson_matches_phe_reference_for_several_areas_at_once(confidence):
    dsr, lower, upper = dobson(
        counts=[BIG, SMALL, TINY],
        populations=[POPULATION] * 3,
        standard=ESP2013,
        confidence=confidence,
    )
    assert (dsr[0], lower[0], upper[0]) == tuple(map(close, DSR_BIG_PER_100K[confidence]))
    assert (dsr[1], lower[1], upper[1]) == tuple(map(close, DSR_SMALL_PER_100K[confidence]))
    # Row 8, testdata_tiny: total count 9, so "dsr NA for total count < 10" and blank values.
    assert np.isnan([dsr[2], lower[2], upper[2]]).all()


def test_dobson_matches_phe_reference_per_10000():
    # testresults_DSR rows 2 (testdata_big) and 3 (testdata_small), columns D-H.
    dsr, lower, upper = dobson(
        counts=[BIG, SMALL], populations=[POPULATION] * 2, standard=ESP2013, multiplier=10_000
    )
    assert dsr == pytest.approx([1043.0247991469423, 110.3212025300104], rel=REL)
    assert lower == pytest.approx([971.77090679856803, 87.745576753670903], rel=REL)
    assert upper == pytest.approx([1117.894091547925, 136.70882227251795], rel=REL)
    _, lower, upper = dobson(
        counts=[BIG, SMALL],
        populations=[POPULATION] * 2,
        standard=ESP2013,
        multiplier=10_000,
        confidence=0.998,
    )
    assert lower == pytest.approx([932.32878802199036, 76.36420357939879], rel=REL)
    assert upper == pytest.approx([1162.0595999522059, 153.00328948244763], rel=REL)


def test_dobson_matches_phe_reference_for_a_single_area_with_its_own_standard():
    # testresults_DSR row 9 (testdata_1976, per 100,000), columns D-F, compared in testDSRs.R
    # "test with user specified stdpop". Row 9's 99.8% columns (G, H) are not compared there;
    # they are exactly ten times the limits computed here (7659.28, 9599.21), apparently a
    # scaling slip in the workbook, so they are not used.
    dsr, lower, upper = dobson(counts=COUNT_1976, populations=POP_1976, standard=ESP1976)
    assert dsr.shape == lower.shape == upper.shape == ()
    assert dsr == close(8592.0975850223658)
    assert lower == close(7991.160931442103)
    assert upper == close(9225.2538803183179)


# --- Properties ---------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10**7)


@st.composite
def proportions(draw) -> tuple[int, int]:
    denominator = draw(st.integers(min_value=1, max_value=10**7))
    return draw(st.integers(min_value=0, max_value=denominator)), denominator


@settings(max_examples=200, deadline=None)
@given(proportions())
def test_wilson_limits_bracket_the_proportion_within_zero_to_one(case):
    numerator, denominator = case
    for confidence in CONFIDENCES:
        lower, upper = wilson(numerator=numerator, denominator=denominator, confidence=confidence)
        assert 0.0 <= lower <= numerator / denominator <= upper <= 1.0


@settings(max_examples=200, deadline=None)
@given(proportions())
def test_wilson_widens_at_99_8_percent(case):
    numerator, denominator = case
    lower_95, upper_95 = wilson(numerator=numerator, denominator=denominator)
    lower_998, upper_998 = wilson(numerator=numerator, denominator=denominator, confidence=0.998)
    assert lower_998 <= lower_95 and upper_95 <= upper_998
    assert upper_998 - lower_998 > upper_95 - lower_95


@settings(max_examples=200, deadline=None)
@given(counts)
def test_byar_limits_bracket_the_count_and_widen_at_99_8_percent(count):
    lower_95, upper_95 = byar(count=count)
    lower_998, upper_998 = byar(count=count, confidence=0.998)
    assert 0.0 <= lower_998 <= lower_95 <= count < upper_95 < upper_998


@settings(max_examples=200, deadline=None)
@given(counts, st.integers(min_value=1, max_value=10**8))
def test_byar_rate_limits_bracket_the_rate(count, denominator):
    for confidence in CONFIDENCES:
        value, lower, upper = byar_rate(count=count, denominator=denominator, confidence=confidence)
        assert value == pytest.approx(count / denominator * 100_000)
        assert 0.0 <= lower <= value < upper


@st.composite
def standardisation_inputs(draw) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    bands = draw(st.integers(min_value=1, max_value=19))
    band_counts = st.lists(st.integers(0, 5_000), min_size=bands, max_size=bands)
    observed = np.array(draw(band_counts.filter(lambda c: sum(c) >= 10)))
    populations = np.array(draw(st.lists(st.integers(1, 10**6), min_size=bands, max_size=bands)))
    standard = np.array(draw(st.lists(st.integers(1, 10_000), min_size=bands, max_size=bands)))
    return observed, populations, standard


@settings(max_examples=200, deadline=None)
@given(standardisation_inputs())
def test_dobson_limits_bracket_the_rate_and_widen_at_99_8_percent(case):
    observed, populations, standard = case
    dsr, lower_95, upper_95 = dobson(counts=observed, populations=populations, standard=standard)
    _, lower_998, upper_998 = dobson(
        counts=observed, populations=populations, standard=standard, confidence=0.998
    )
    assert lower_998 <= lower_95 <= dsr <= upper_95 <= upper_998


# --- Zero counts, shapes and refusals -----------------------------------------------------------


def test_a_zero_count_has_lower_limit_zero():
    lower, upper = byar(count=0)
    assert lower == 0.0
    # (0 + 1) × (1 − 1/9 + 1.959964/3)³ = 3.6880 (the exact limit is −ln(0.025) = 3.6889).
    assert upper == pytest.approx((1 - 1 / 9 + 1.959963984540054 / 3) ** 3)
    value, lower, _ = byar_rate(count=0, denominator=1_000)
    assert value == 0.0 and lower == 0.0


def test_a_zero_numerator_has_wilson_lower_limit_zero_and_a_full_one_upper_limit_one():
    lower, upper = wilson(numerator=[0, 50], denominator=[50, 50])
    assert lower[0] == 0.0 and upper[1] == 1.0
    # Upper limit for 0/50 at 95%: z² / (n + z²) = 3.8415 / 53.8415 = 0.07135.
    assert upper[0] == pytest.approx(1.959963984540054**2 / (50 + 1.959963984540054**2))


def test_a_standardised_rate_below_ten_events_is_missing_as_phe_publishes_it():
    dsr, lower, upper = dobson(counts=[9, 0], populations=[100, 100], standard=[1, 1])
    assert np.isnan([dsr, lower, upper]).all()
    dsr, _, _ = dobson(counts=[9, 0], populations=[100, 100], standard=[1, 1], min_total_count=1)
    assert dsr == pytest.approx(4_500)


def test_results_keep_the_shape_of_the_inputs():
    grid = np.array([[1, 2, 3], [40, 50, 60]])
    assert all(limit.shape == (2, 3) for limit in byar(count=grid))
    assert all(limit.shape == (2, 3) for limit in wilson(numerator=grid, denominator=100))
    assert all(part.shape == (2, 3) for part in byar_rate(count=grid, denominator=1_000))
    assert all(limit.shape == () for limit in byar(count=7))


def test_a_standard_population_applies_to_every_group():
    per_group, _, _ = dobson(
        counts=[BIG, SMALL], populations=[POPULATION] * 2, standard=[ESP2013] * 2
    )
    shared, _, _ = dobson(counts=[BIG, SMALL], populations=[POPULATION] * 2, standard=ESP2013)
    assert per_group.shape == shared.shape == (2,)
    np.testing.assert_allclose(per_group, shared)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: byar(count=[3, -1]), "counts must all be greater than or equal to zero"),
        (lambda: byar_rate(count=-1, denominator=10), "counts must all be greater than or equal"),
        (lambda: byar_rate(count=1, denominator=0), "denominators must all be greater than zero"),
        (lambda: byar_rate(count=1, denominator=10, multiplier=0), "multiplier must be greater"),
        (lambda: wilson(numerator=-1, denominator=10), "numerators must all be greater than or"),
        (lambda: wilson(numerator=11, denominator=10), "less than or equal to their denominators"),
        (lambda: wilson(numerator=0, denominator=0), "denominators must all be greater than zero"),
        (lambda: wilson(numerator=1, denominator=-5), "denominators must all be greater than"),
        (lambda: byar(count=1, confidence=95), "confidence must be a fraction strictly between"),
        (lambda: exact_poisson(count=[2, -1]), "counts must all be greater than or equal"),
        (lambda: exact_poisson(count=2, confidence=0), "confidence must be a fraction"),
        (lambda: wilson(numerator=1, denominator=2, confidence=1.0), "confidence must be"),
        (
            lambda: dobson(counts=[-1, 20], populations=[10, 10], standard=[1, 1]),
            "counts must all be greater than or equal to zero",
        ),
        (
            lambda: dobson(counts=[1, 20], populations=[10, 0], standard=[1, 1]),
            "populations must all be greater than zero",
        ),
        (
            lambda: dobson(counts=[1, 20], populations=[10, 10], standard=[1, -1]),
            "standard populations must all be greater than or equal to zero",
        ),
        (
            lambda: dobson(counts=[1, 20], populations=[10, np.nan], standard=[1, 1]),
            "cannot have missing values",
        ),
    ],
)
def test_invalid_inputs_are_refused_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- Exact Poisson: reference values ------------------------------------------------------------

# tests/testthat/testdata_Rate.xlsx, sheet testdata_Rate rows 2-3 (method "Exact", per 100 with
# denominator 100, so the limits are the count's own), columns lower95_0cl, upper95_0cl,
# lower99_8cl, upper99_8cl; sheet testdata_Rate_g row 2 (2 events per 200, per 100,000, 95%).
EXACT_CASES = [
    # (source, count, confidence, lower, upper)
    ("Rate row 2", 1, 0.95, 0.025317807984289897, 5.571643390938898),
    ("Rate row 2", 1, 0.998, 0.0010005003335835344, 9.233413476451585),
    ("Rate row 3", 5, 0.95, 1.62348639011842, 11.668332079322669),
    ("Rate row 3", 5, 0.998, 0.739371731917839, 16.454745203680105),
    ("Rate_g row 2", 2, 0.95, 121.10463927198258 * 200 / 1e5, 3612.3438338619794 * 200 / 1e5),
]


@pytest.mark.parametrize(("source", "count", "confidence", "lower", "upper"), EXACT_CASES)
def test_exact_poisson_matches_phe_reference(source, count, confidence, lower, upper):
    got_lower, got_upper = exact_poisson(count=count, confidence=confidence)
    assert got_lower == close(lower), source
    assert got_upper == close(upper), source


def test_exact_poisson_of_zero_is_zero_to_minus_log_of_the_tail():
    # P(no events | μ) = e^−μ = 0.025 at the upper limit: μ = −ln 0.025 = 3.6888794541139363.
    lower, upper = exact_poisson(count=[0, 0], confidence=0.95)
    assert list(lower) == [0.0, 0.0]
    assert upper == pytest.approx([3.6888794541139363] * 2, rel=1e-12)


def test_exact_poisson_agrees_with_byar_for_large_counts_and_keeps_missing_values():
    lower, upper = exact_poisson(count=[123_456, np.nan], confidence=0.998)
    byar_lower, byar_upper = byar(count=123_456, confidence=0.998)
    assert lower[0] == pytest.approx(byar_lower, rel=1e-6)
    assert upper[0] == pytest.approx(byar_upper, rel=1e-6)
    assert np.isnan(lower[1]) and np.isnan(upper[1])


def test_poisson_is_exact_below_ten_events_and_byar_from_ten():
    lower, upper = poisson(count=[9, 10, np.nan], confidence=0.95)
    exact_lower, exact_upper = exact_poisson(count=9)
    byar_lower, byar_upper = byar(count=10)
    assert (lower[0], upper[0]) == (exact_lower, exact_upper)
    assert (lower[1], upper[1]) == (byar_lower, byar_upper)
    assert exact_poisson(count=10)[0] != byar_lower  # the switch is visible
    assert np.isnan(lower[2]) and np.isnan(upper[2])


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=5000), st.sampled_from(CONFIDENCES))
def test_exact_poisson_limits_bracket_the_count(count, confidence):
    lower, upper = exact_poisson(count=count, confidence=confidence)
    assert 0 <= lower <= count < upper
