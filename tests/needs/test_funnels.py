"""Funnel plots: Wilson limits around a target, each unit's call, the words, and an SVG that is
accessible, obeys the Content-Security-Policy and escapes names from uploads.

Limits worked by hand: p̄ ± z·sqrt(p̄(1 − p̄)/n) with z = 1.959964 (95%) and 3.090232 (99.8%). At
p̄ = 0.667 and n = 1,000: 95% 0.637790 to 0.696210; 99.8% 0.620945 to 0.713055. At n = 900
(the funnel's first point here: 95% of 1,000 rounded down to its leading digit): 95% 0.636210
to 0.697790; 99.8% 0.618454 to 0.715546.
"""

import re

import pytest

from needs import benchmarking as b
from needs import funnels

HOSTILE = "<script>alert(1)</script> & Sons"
NAMES = ["Low far", "Low near", "Middle", "High near", "High far"]
# 0.600 < 0.620945; 0.630 between 0.620945 and 0.637790; 0.700 between 0.696210 and 0.713055
REGISTERED = [600, 630, 670, 700, 720]


def ambition_chart(names: list[str] = NAMES) -> funnels.FunnelChart:
    return funnels.funnel_chart(
        title="Dementia diagnosis rate by locality",
        names=names,
        numerators=REGISTERED,
        denominators=[1000] * 5,
        target=0.667,
        target_name="the national ambition of 66.7%",
        unit_plural="localities",
        x_label="Expected people",
        y_label="On registers ÷ expected",
    )


def test_each_unit_is_called_against_the_limits_at_its_own_denominator():
    chart = ambition_chart()
    assert [unit.flag for unit in chart.units] == [
        b.LOW_998, b.LOW_95, b.NOT_SIGNIFICANT, b.HIGH_95, b.HIGH_998,
    ]  # fmt: skip


def test_the_limits_are_wilsons_around_the_target_at_the_funnels_points():
    chart = ambition_chart()
    assert chart.points[0] == 900
    assert chart.lower_95[0] == pytest.approx(0.636210, abs=1e-6)
    assert chart.upper_95[0] == pytest.approx(0.697790, abs=1e-6)
    assert chart.lower_998[0] == pytest.approx(0.618454, abs=1e-6)
    assert chart.upper_998[0] == pytest.approx(0.715546, abs=1e-6)
    assert chart.points[-1] == 1100  # 105% of 1,000 rounded up to two leading digits


def test_a_point_just_inside_a_limit_is_not_called():
    called = funnels.flags(
        numerators=[637.8, 637.7, 620.95, 620.94],
        denominators=[1000, 1000, 1000, 1000],
        target=0.667,
    )
    assert called == [b.NOT_SIGNIFICANT, b.LOW_95, b.LOW_95, b.LOW_998]


def test_a_register_larger_than_expected_is_called_not_refused():
    called = funnels.flags(numerators=[1200], denominators=[1000], target=0.667)
    assert called == [b.HIGH_998]


def test_the_words_name_the_units_beyond_each_limit():
    words = ambition_chart().description
    assert words == (
        "Against the national ambition of 66.7%: "
        "1 of 5 localities lies below the lower 99.8% limit: Low far; "
        "1 of 5 localities lies below the lower 95% limit (within 99.8%): Low near; "
        "1 of 5 localities lies above the upper 95% limit (within 99.8%): High near; "
        "1 of 5 localities lies above the upper 99.8% limit: High far; "
        "1 within the 95% limits."
    )


def test_the_words_say_when_every_unit_is_within_the_limits():
    chart = funnels.funnel_chart(
        title="t", names=["A", "B"], numerators=[10, 20], denominators=[1000, 2000],
        target=0.01, target_name="the area's overall value of 1.0%", unit_plural="practices",
        x_label="x", y_label="y",
    )  # fmt: skip
    assert chart.description == (
        "All 2 practices lie within the 95% limits around the area's overall value of 1.0%."
    )


def test_the_svg_is_accessible_and_obeys_the_content_security_policy():
    markup = funnels.svg(ambition_chart(), chart_id="Dementia localities")
    assert markup.startswith("<svg") and 'role="img"' in markup
    assert '<title id="funnel-dementia-localities-title">' in markup
    assert "<desc id=" in markup and "1 of 5 localities lies below" in markup
    assert "<script" not in markup and not re.search(r"\sstyle=", markup)
    assert not re.search(r"\son[a-z]+=", markup)
    assert "Expected people" in markup and "On registers ÷ expected" in markup  # axis labels
    for label in ("95% limits", "99.8% limits", "Within 95%", "Outside 99.8%"):
        assert f">{label}</text>" in markup  # the legend


def test_the_calls_differ_by_marker_shape_as_well_as_colour():
    markup = funnels.svg(ambition_chart(), chart_id="shapes")
    units = markup.split('<g class="funnel-units">', 1)[1].split("</g>\n</g>", 1)[0]
    assert units.count("<circle cx=") == 1  # the one within the 95% limits
    assert re.search(r'<polygon [^>]*class="funnel-low-998"', units)
    assert re.search(r'<polygon [^>]*class="funnel-high-95"', units)
    low_95 = re.search(r'<polygon points="([^"]+)"[^>]*class="funnel-low-95"', units)[1]
    high_95 = re.search(r'<polygon points="([^"]+)"[^>]*class="funnel-high-95"', units)[1]
    assert len(low_95.split()) == len(high_95.split()) == 3  # triangles
    # pointing down below the funnel (apex under the base), up above it
    apex_low, base_low = (float(p.split(",")[1]) for p in low_95.split()[:2])
    apex_high, base_high = (float(p.split(",")[1]) for p in high_95.split()[:2])
    assert apex_low > base_low and apex_high < base_high


def test_names_from_uploads_are_escaped_in_the_svg_and_the_table():
    chart = ambition_chart(names=[HOSTILE, *NAMES[1:]])
    markup = funnels.svg(chart, chart_id=HOSTILE)
    assert "<script" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons" in markup
    assert 'id="funnel-script-alert-1-script-sons-title"' in markup
    rows = funnels.table_rows(chart, fmt=funnels.share_1dp)
    assert rows[0] == {
        "name": HOSTILE,
        "numerator": "600",
        "denominator": "1,000",
        "value": "60.0%",
        "call": "below the lower 99.8% limit",
        "css": "funnel-low-998",
    }  # fmt: skip  (escaped by the template, which autoescapes)


def test_a_funnel_needs_units_with_denominators():
    with pytest.raises(ValueError, match="denominator above zero"):
        funnels.funnel_chart(
            title="t", names=["A"], numerators=[1], denominators=[0], target=0.5,
            target_name="half", unit_plural="practices", x_label="x", y_label="y",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("outside", "total", "overdispersed"),
    [
        # P(X ≥ k), X ~ Binomial(n, 0.002), worked by hand: n = 63, k = 2: 1 − 0.88151 − 0.11129
        # = 0.0072; k = 3: 0.0072 − 0.00691 = 0.00028 (below 1 in 1,000).
        (0, 63, False), (1, 1, False), (2, 63, False), (3, 63, True), (44, 63, True),
        (1, 6, False), (2, 6, True),  # n = 6, k = 2: 15 × 0.002² × 0.998⁴ ≈ 0.00006
    ],
)  # fmt: skip
def test_far_more_units_outside_the_998_limits_than_chance_is_called_overdispersion(
    outside, total, overdispersed
):
    assert funnels.overdispersed(outside, total) is overdispersed


def test_the_words_warn_of_overdispersion_only_when_chance_cannot_explain_it():
    def units(flags: list[str]) -> tuple[funnels.Unit, ...]:
        return tuple(funnels.Unit(f"P{i}", 10, 100, flag) for i, flag in enumerate(flags))

    many = units([b.LOW_998] * 3 + [b.NOT_SIGNIFICANT] * 60)
    few = units([b.HIGH_998] + [b.NOT_SIGNIFICANT] * 62)
    warned = funnels.describe(
        many, unit_plural="practices", target_name="the area", own_average=True
    )
    # Against an ambition, units outside are a shift from it, not a spread: no warning.
    shifted = funnels.describe(many, unit_plural="practices", target_name="the ambition")
    assert "over-dispersion" not in shifted
    assert warned.endswith(
        "That is far more outside the 99.8% limits than chance would put there (1 in 500): these "
        "practices differ by more than chance alone (over-dispersion), which the limits do not "
        "allow for, so read each call as a prompt to look closer, not as a verdict."
    )
    assert "over-dispersion" not in funnels.describe(
        few, unit_plural="practices", target_name="x", own_average=True
    )
