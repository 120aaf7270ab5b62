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
            "was 10.0 in both 2019 and 2021, within",
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
    england = t.Series("England", (t.Point("2018", 9.5), *ENGLAND.points[:2]))
    chart = t.chart_data(local=wyre_forest(), england=england, title="Suicides")
    assert chart.periods == ("2018", "2019", "2020", "2021")  # 2021: the area's only
    # Values and limits 9.0 to 14.4: a span of 5.4 over 4 steps is 1.35 → round width 2, from 8.
    assert chart.ticks == (8.0, 10.0, 12.0, 14.0, 16.0)
    assert chart.description == t.describe(wyre_forest(), england)


@pytest.mark.parametrize(
    ("values", "ticks"),
    [
        ([], (0.0, 1.0)),
        ([0.42, 0.58], (0.4, 0.5, 0.6)),  # span 0.16 / 4 = 0.04 → 0.05 → whole tenths: 0.1
        ([4.2, 5.8], (4.0, 4.5, 5.0, 5.5, 6.0)),  # 1.6 / 4 = 0.4 → 0.5
        ([100.0, 100.0], (90.0, 95.0, 100.0, 105.0, 110.0)),  # one value: ±10% around it
        ([-20.0], (-22.0, -21.0, -20.0, -19.0, -18.0)),  # 4 / 4 = 1
        ([0.0, 0.0], (0.0, 0.5, 1.0)),  # all zero: 0 to 1; 0.25 is not a whole tenth
        ([97.0, 103.5], (96.0, 98.0, 100.0, 102.0, 104.0)),  # 6.5 / 4 = 1.625 → 2
        ([1.0, 1.05], (1.0, 1.1)),  # a span under one step: one step wide
        ([1.0, math.nan, 1.2], (1.0, 1.1, 1.2)),  # missing values are left out
    ],
)
def test_ticks_by_hand(values, ticks):
    assert t.ticks_for(values) == ticks


def test_share_ticks_are_whole_per_cents():
    # 0.45 to 0.55: 0.1 / 4 = 0.025 is 2.5 per cents, which would print 53% for 52.5%: 0.05.
    assert t.ticks_for([0.45, 0.55], step=rounding.SHARE_STEP) == (0.45, 0.5, 0.55)
    assert t.ticks_for([0.4, 0.6], step=rounding.SHARE_STEP) == (0.4, 0.45, 0.5, 0.55, 0.6)


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
    assert root.find(f"{SVG}desc").text == t.describe(wyre_forest(), ENGLAND)
    assert "England rose from 9.8 to 10.4" in root.find(f"{SVG}desc").text
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
    assert {c.get("r") for c in root.iter(f"{SVG}circle")} == {"4.5"}
    assert local.find(f"{SVG}polyline").get("stroke") == t.LOCAL_COLOUR
    legend = [node.text for node in groups["trend-legend"].iter(f"{SVG}text")]
    assert legend == ["Wyre Forest", "England", "Vertical lines: 95% confidence intervals"]


def test_a_single_period_without_england_or_intervals_draws_one_centred_point():
    _, root = render(t.Series("Wychavon", (t.Point("2021", 5.0),)), england=None)
    circles = list(root.iter(f"{SVG}circle"))
    assert [(c.get("cx")) for c in circles] == [
        "300.0",
        "70.0",
    ]  # the point; the legend's at 56 + 14
    assert root.find(f".//{SVG}polyline") is None
    legend = [
        node.text for node in root.iter(f"{SVG}text") if node.get("class") == "trend-legend-label"
    ]
    assert legend == ["Wychavon"]
    assert not [n for n in root.iter(f"{SVG}text") if n.get("class") == "trend-note"]


def test_tick_labels_use_the_given_format():
    points = (t.Point("2022", 0.45, 0.42, 0.48), t.Point("2023", 0.55, 0.52, 0.58))
    chart = t.chart_data(
        local=t.Series("Area", points), england=None, title="Recovery", fmt=rounding.share,
        step=rounding.SHARE_STEP,
    )  # fmt: skip
    markup = t.svg(chart, chart_id="", fmt=rounding.share)
    root = ET.fromstring(markup)
    ticks = [n.text for n in root.iter(f"{SVG}text") if n.get("class") == "trend-tick"]
    assert ticks == ["40%", "45%", "50%", "55%", "60%"]
    assert root.get("aria-labelledby") == "trend-title trend-desc"
    assert chart.description.startswith("Area rose from 45% in 2022 to 55% in 2023, a rise")


def test_a_change_is_not_tested_unless_both_ends_have_intervals():
    local = t.Series("Wychavon", (t.Point("2019", 5.0, 4.0, 6.0), t.Point("2021", 9.0)))
    assert "(no intervals are loaded, so chance is not ruled out)" in t.describe(local, None)


def test_england_without_the_last_period_is_left_out_of_the_movement():
    england = t.Series("England", (t.Point("2019", 9.8),))
    assert "England rose" not in t.describe(wyre_forest(), england)


@pytest.mark.parametrize(
    ("chart_id", "identifier"),
    [("--Suicides: Wyre Forest!--", "suicides-wyre-forest"), ("  ", "trend"), ("ÄÖ", "trend")],
)
def test_chart_ids_become_safe_identifiers(chart_id, identifier):
    chart = t.chart_data(local=wyre_forest(), england=None, title="Suicides")
    root = ET.fromstring(t.svg(chart, chart_id=chart_id))
    assert root.get("aria-labelledby") == f"{identifier}-title {identifier}-desc"


# --- SVG layout: everything drawn where a reader expects it -------------------------------------


def numbers(element: ET.Element, *names: str) -> list[float]:
    return [float(element.get(name)) for name in names]


def test_the_svg_has_no_stray_text_and_keeps_every_mark_inside_the_view():
    _, root = render(wyre_forest())
    for element in root.iter():
        assert not (element.tail or "").strip(), element.tag
        if element.tag not in (f"{SVG}text", f"{SVG}title", f"{SVG}desc"):
            assert not (element.text or "").strip(), element.tag
    for element in root.iter():
        for name in ("x", "x1", "x2", "cx"):
            if element.get(name) is not None:
                assert 0 <= float(element.get(name)) <= t.WIDTH, (element.tag, name)
        for name in ("y", "y1", "y2", "cy"):
            if element.get(name) is not None:
                assert 0 <= float(element.get(name)) <= t.HEIGHT, (element.tag, name)
    for text in root.iter(f"{SVG}text"):
        assert (text.get("font-size"), text.get("fill")) == ("12", t.TEXT_COLOUR)
    assert [child.tag.removeprefix(SVG) for child in root][:2] == ["title", "desc"]


def test_tick_labels_sit_left_of_the_axis_centred_on_their_gridlines():
    _, root = render(wyre_forest())
    axes = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "trend-axes")
    gridlines = list(axes.iter(f"{SVG}line"))
    labels = [n for n in axes.iter(f"{SVG}text") if n.get("class") == "trend-tick"]
    assert [label.text for label in labels] == ["8.0", "10.0", "12.0", "14.0", "16.0"]
    for line, label in zip(gridlines, labels, strict=True):
        x1, x2, y1, y2 = numbers(line, "x1", "x2", "y1", "y2")
        assert (x1, x2, y1) == (t.LEFT, t.WIDTH - t.RIGHT, y2)
        assert line.get("stroke") == t.GRID_COLOUR
        assert label.get("text-anchor") == "end"
        assert numbers(label, "x", "y") == [t.LEFT - 6, y1 + 4]  # baseline 4 px below centre
    # 16 at the top of the plot, 8 at its foot.
    assert [float(line.get("y1")) for line in gridlines] == [228.0, 175.0, 122.0, 69.0, 16.0]


def test_period_labels_sit_under_their_points():
    _, root = render(wyre_forest())
    periods = [n for n in root.iter(f"{SVG}text") if n.get("class") == "trend-period"]
    assert [(p.text, *numbers(p, "x", "y"), p.get("text-anchor")) for p in periods] == [
        ("2019", 80.0, 246.0, "middle"),  # 18 px below the plot's foot at 228
        ("2020", 300.0, 246.0, "middle"),
        ("2021", 520.0, 246.0, "middle"),
    ]


def test_markers_are_centred_on_the_lines_vertices():
    _, root = render(wyre_forest())
    groups = {g.get("class"): g for g in root.iter(f"{SVG}g")}
    for css, marker in (("trend-england", "rect"), ("trend-local", "circle")):
        group = groups[f"trend-series {css}"]
        vertices = [
            tuple(map(float, pair.split(",")))
            for pair in group.find(f"{SVG}polyline").get("points").split()
        ]
        marks = list(group.iter(f"{SVG}{marker}"))
        if marker == "rect":
            centres = [(x + w / 2, y + h / 2) for x, y, w, h in
                       (numbers(m, "x", "y", "width", "height") for m in marks)]  # fmt: skip
            assert {m.get("width") for m in marks} == {"8"}
        else:
            centres = [tuple(numbers(m, "cx", "cy")) for m in marks]
        assert centres == vertices, css
    assert groups["trend-series trend-england"].find(f"{SVG}rect").get("fill") == t.ENGLAND_COLOUR
    assert groups["trend-series trend-england"].find(f"{SVG}polyline").get("stroke") == (
        t.ENGLAND_COLOUR
    )


def test_two_periods_are_joined_by_a_line():
    local = t.Series("Area", (t.Point("2022", 1.0), t.Point("2023", 2.0)))
    _, root = render(local, england=None)
    assert root.find(f".//{SVG}polyline") is not None


def test_the_legend_shows_each_series_swatch_then_its_name_without_overlap():
    _, root = render(wyre_forest())
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "trend-legend")
    swatches = list(legend.iter(f"{SVG}line"))
    labels = [n for n in legend.iter(f"{SVG}text") if n.get("class") == "trend-legend-label"]
    assert [numbers(s, "x1", "x2", "y1", "y2") for s in swatches] == [
        [56, 84, 278, 278],
        # "Wyre Forest" is 11 characters: 56 + 28 + 6 + 11 × 8 + 24 = 202.
        [202, 230, 278, 278],
    ]
    assert [s.get("stroke-dasharray") for s in swatches] == [None, "6 4"]
    assert [s.get("stroke") for s in swatches] == [t.LOCAL_COLOUR, t.ENGLAND_COLOUR]
    assert [(*numbers(n, "x", "y"), n.get("text-anchor")) for n in labels] == [
        (90.0, 282.0, "start"),
        (236.0, 282.0, "start"),
    ]
    circle = legend.find(f"{SVG}circle")
    square = legend.find(f"{SVG}rect")
    assert numbers(circle, "cx", "cy") == [70.0, 278.0]
    assert numbers(square, "x", "y") == [212.0, 274.0]  # centred on 216, 278
    note = next(n for n in legend.iter(f"{SVG}text") if n.get("class") == "trend-note")
    assert numbers(note, "x", "y") == [56.0, 296.0]
    assert note.get("text-anchor") == "start"


def test_a_change_the_rounding_hides_is_not_called_a_rise():
    # 16,012 and 16,040 both show as 16,000 (people rounded to 100 above 10,000).
    local = t.Series("Depressive episode", (t.Point("2019", 16_012.0), t.Point("2020", 16_040.0)))
    words = t.describe(local, None, fmt=rounding.people)
    assert words == (
        "Depressive episode was 16,000 in both 2019 and 2020, as rounded (no intervals are "
        "loaded, so chance is not ruled out)."
    )
    moved = t.Series("Depressive episode", (t.Point("2019", 16_012.0), t.Point("2020", 16_060.0)))
    assert t.describe(moved, None, fmt=rounding.people).startswith(
        "Depressive episode rose from 16,000 in 2019 to 16,100 in 2020"
    )
