"""Trends: the chart's data, its accessible SVG and the trend in words, worked by hand.

The SVG geometry: a 560 × 300 viewBox, plot from x = 56 + 24 to 560 − 16 − 24 (440 wide) and
y = 16 to 300 − 72 (212 high). Three periods sit at x = 80, 300 and 520; with ticks 8 to 16 a
value of 10.2 sits at y = 16 + 212 × (16 − 10.2) ÷ 8 = 169.7.
"""

import math
import xml.etree.ElementTree as ET

import pytest

from needs import rounding
from needs import trends as t

SVG = "{http://www.w3.org/2000/svg}"


def wyre_forest(name: str = "Wyre Forest") -> t.Series:
    return t.Series(
        name,
        (
            t.Point("2019", 10.2, 9.0, 11.5),
            t.Point("2020", 11.0, 9.8, 12.3),
            t.Point("2021", 13.1, 11.9, 14.4),
        ),
    )


ENGLAND = t.Series("England", (t.Point("2019", 9.8), t.Point("2020", 10.1), t.Point("2021", 10.4)))


# --- words --------------------------------------------------------------------------------------


def test_a_rise_beyond_chance_with_england_and_the_latest_comparison():
    # 2021's interval (11.9 to 14.4) is wholly above 2019's (9.0 to 11.5); England 10.4 lies below
    # 11.9, so the area is higher.
    assert t.describe(wyre_forest(), ENGLAND) == (
        "Wyre Forest rose from 10.2 in 2019 to 13.1 in 2021, a rise larger than chance would "
        "explain; England rose from 9.8 to 10.4. In 2021 Wyre Forest was higher than England."
    )


def test_a_fall_beyond_chance_and_a_latest_figure_similar_to_england():
    local = t.Series(
        "Bromsgrove", (t.Point("2015", 30.0, 28.0, 32.0), t.Point("2022", 25.0, 23.5, 26.5))
    )
    england = t.Series("England", (t.Point("2015", 29.0), t.Point("2022", 24.0)))
    assert t.describe(local, england, fmt=rounding.per_1000) == (
        "Bromsgrove fell from 30.0 in 2015 to 25.0 in 2022, a fall larger than chance would "
        "explain; England fell from 29.0 to 24.0. In 2022 Bromsgrove was similar to England."
    )


@pytest.mark.parametrize(
    ("last", "words"),
    [
        # Overlapping intervals either way: not beyond chance.
        (t.Point("2021", 11.0, 9.6, 12.4), "rose from 10.0 in 2019 to 11.0 in 2021, within"),
        (t.Point("2021", 9.0, 7.6, 10.4), "fell from 10.0 in 2019 to 9.0 in 2021, within"),
        (
            t.Point("2021", 10.0, 8.5, 11.5),
            "stayed level from 10.0 in 2019 to 10.0 in 2021, within",
        ),
        # Touching intervals (last lower = first upper, last upper = first lower): still chance.
        (t.Point("2021", 12.0, 11.0, 13.0), "rose from 10.0 in 2019 to 12.0 in 2021, within"),
        (t.Point("2021", 8.0, 7.0, 9.0), "fell from 10.0 in 2019 to 8.0 in 2021, within"),
    ],
)
def test_a_change_within_chance_is_said_to_be_so(last, words):
    local = t.Series("Redditch", (t.Point("2019", 10.0, 9.0, 11.0), last))
    assert t.describe(local, None) == f"Redditch {words} what chance alone could explain."


def test_without_intervals_chance_is_not_ruled_out_and_england_is_not_compared():
    local = t.Series(
        "Malvern Hills", (t.Point("2019", 5.0), t.Point("2020", math.nan), t.Point("2021", 4.0))
    )
    assert t.describe(local, ENGLAND) == (
        "Malvern Hills fell from 5.0 in 2019 to 4.0 in 2021 (no intervals are loaded, so chance "
        "is not ruled out); England rose from 9.8 to 10.4."
    )


def test_one_period_or_none():
    single = t.Series("Wychavon", (t.Point("2021", 5.0, 4.0, 6.0),))
    assert t.describe(single, ENGLAND) == (
        "Only one period is loaded for Wychavon (2021: 5.0), so there is no trend yet. In 2021 "
        "Wychavon was lower than England."
    )
    assert t.describe(t.Series("Wychavon", ()), ENGLAND) == "No figures for Wychavon are loaded."


def test_england_missing_a_period_is_left_out_of_the_words():
    england = t.Series("England", (t.Point("2020", 10.1),))
    assert t.describe(wyre_forest(), england) == (
        "Wyre Forest rose from 10.2 in 2019 to 13.1 in 2021, a rise larger than chance would "
        "explain."
    )


# --- chart data ---------------------------------------------------------------------------------


def test_chart_data_has_every_period_in_order_and_round_ticks_covering_the_intervals():
    england = t.Series("England", (t.Point("2018", 9.5), *ENGLAND.points))
    chart = t.chart_data(local=wyre_forest(), england=england, title="Suicides")
    assert chart.periods == ("2018", "2019", "2020", "2021")
    # Values and limits 9.0 to 14.4: a span of 5.4 over 4 steps is 1.35 → round width 2, from 8.
    assert chart.ticks == (8.0, 10.0, 12.0, 14.0, 16.0)
    assert chart.description == t.describe(wyre_forest(), england)


@pytest.mark.parametrize(
    ("values", "ticks"),
    [
        ([], (0.0, 1.0)),
        ([0.42, 0.58], (0.4, 0.45, 0.5, 0.55, 0.6)),  # span 0.16 / 4 = 0.04 → 0.05
        ([100.0, 100.0], (90.0, 95.0, 100.0, 105.0, 110.0)),  # one value: ±10% around it
        ([-20.0], (-22.0, -21.0, -20.0, -19.0, -18.0)),  # 4 / 4 = 1
        ([0.0, 0.0], (0.0, 0.25, 0.5, 0.75, 1.0)),  # all zero: 0 to 1
        ([97.0, 103.5], (96.0, 98.0, 100.0, 102.0, 104.0)),  # 6.5 / 4 = 1.625 → 2
    ],
)
def test_ticks_by_hand(values, ticks):
    assert t.ticks_for(values) == ticks


# --- SVG ----------------------------------------------------------------------------------------


def render(local: t.Series, england: t.Series | None = ENGLAND) -> tuple[str, ET.Element]:
    chart = t.chart_data(local=local, england=england, title="Suicides per 100,000 <people>")
    markup = t.svg(chart, chart_id="Suicides: Wyre Forest")
    return markup, ET.fromstring(markup)


def test_the_svg_is_accessible_markup_with_its_title_and_description():
    markup, root = render(wyre_forest())
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "suicides-wyre-forest-title suicides-wyre-forest-desc"
    assert root.find(f"{SVG}title").text == "Suicides per 100,000 <people>"
    assert root.find(f"{SVG}title").get("id") == "suicides-wyre-forest-title"
    assert root.find(f"{SVG}desc").text.startswith("Wyre Forest rose from 10.2 in 2019")
    assert "<script" not in markup and "style=" not in markup and " on" not in markup.lower()


def test_names_from_uploads_are_escaped():
    hostile = '<script>alert("x")</script> & "Wyre"'
    markup, root = render(wyre_forest(hostile))
    assert "<script>" not in markup
    labels = [node.text for node in root.iter(f"{SVG}text")]
    assert hostile in labels  # shown as text, intact
    assert root.find(f"{SVG}desc").text.startswith(hostile)


def test_the_svg_places_the_points_by_hand():
    _, root = render(wyre_forest())
    local = next(g for g in root.iter(f"{SVG}g") if "trend-local" in g.get("class", ""))
    circles = [(c.get("cx"), c.get("cy")) for c in local.iter(f"{SVG}circle")]
    assert circles[0] == ("80.0", "169.7")
    assert [x for x, _ in circles] == ["80.0", "300.0", "520.0"]
    # 95% intervals as vertical lines: 9.0 → 16 + 212 × 7 ÷ 8 = 201.5; 11.5 → 135.2.
    first_interval = next(local.iter(f"{SVG}line"))
    assert (first_interval.get("y1"), first_interval.get("y2")) == ("201.5", "135.2")
    assert local.find(f"{SVG}polyline").get("points").split()[0] == "80.0,169.7"


def test_england_is_dashed_with_squares_and_the_area_solid_with_circles():
    _, root = render(wyre_forest())
    groups = {g.get("class"): g for g in root.iter(f"{SVG}g")}
    england = groups["trend-series trend-england"]
    local = groups["trend-series trend-local"]
    assert england.find(f"{SVG}polyline").get("stroke-dasharray") == "6 4"
    assert local.find(f"{SVG}polyline").get("stroke-dasharray") is None
    assert len(list(england.iter(f"{SVG}rect"))) == 3 and not list(england.iter(f"{SVG}circle"))
    assert len(list(local.iter(f"{SVG}circle"))) == 3
    assert local.find(f"{SVG}polyline").get("stroke") == t.LOCAL_COLOUR
    legend = [node.text for node in groups["trend-legend"].iter(f"{SVG}text")]
    assert legend == ["Wyre Forest", "England", "Vertical lines: 95% confidence intervals"]


def test_a_single_period_without_england_or_intervals_draws_one_centred_point():
    _, root = render(t.Series("Wychavon", (t.Point("2021", 5.0),)), england=None)
    circles = list(root.iter(f"{SVG}circle"))
    assert [(c.get("cx")) for c in circles] == ["300.0", "70"]  # the point; the legend's at 56 + 14
    assert root.find(f".//{SVG}polyline") is None
    legend = [
        node.text for node in root.iter(f"{SVG}text") if node.get("class") == "trend-legend-label"
    ]
    assert legend == ["Wychavon"]
    assert not [n for n in root.iter(f"{SVG}text") if n.get("class") == "trend-note"]


def test_tick_labels_use_the_given_format():
    points = (t.Point("2022", 0.45, 0.42, 0.48), t.Point("2023", 0.55, 0.52, 0.58))
    chart = t.chart_data(
        local=t.Series("Area", points), england=None, title="Recovery", fmt=rounding.share
    )
    markup = t.svg(chart, chart_id="", fmt=rounding.share)
    root = ET.fromstring(markup)
    ticks = [n.text for n in root.iter(f"{SVG}text") if n.get("class") == "trend-tick"]
    assert ticks == ["40%", "45%", "50%", "55%", "60%"]
    assert root.get("aria-labelledby") == "trend-title trend-desc"
    assert chart.description.startswith("Area rose from 45% in 2022 to 55% in 2023, a rise")
