"""Line charts: valid, accessible, escaped SVG with the target as a dashed line."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from vcio.core.charts import HIGHLIGHT, MAX_MARKERS, Series, line_chart

SVG = "{http://www.w3.org/2000/svg}"
JAN, FEB, APR = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 4, 1)


def parse(svg: str) -> ET.Element:
    """The chart as XML: fails the test if it is not well-formed."""
    return ET.fromstring(str(svg))


def dots(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{SVG}circle"))


def target_lines(root: ET.Element) -> list[ET.Element]:
    """Dashed lines in a titled group (the legend's dashed swatch has no title)."""
    return [
        line
        for g in root.iter(f"{SVG}g")
        if g.find(f"{SVG}title") is not None
        for line in g.findall(f"{SVG}line")
        if line.get("stroke-dasharray") and line.get("stroke") == HIGHLIGHT
    ]


def test_a_line_chart_is_valid_accessible_svg():
    svg = line_chart([JAN, FEB], [80, 90], title="Patched devices", desc="Share patched")
    root = parse(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Patched devices"
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert root.find(f"{SVG}desc").text == "Share patched"
    assert root.get("width") == "100%" and root.get("height") is None
    assert "<script" not in svg


def test_points_are_placed_by_date_and_value_with_their_own_titles():
    root = parse(line_chart([JAN, FEB, APR], [Decimal("50"), 75, 100], title="KPI"))
    circles = dots(root)
    xs = [float(c.get("cx")) for c in circles]
    ys = [float(c.get("cy")) for c in circles]
    # February is 31 days after January, April 59 days after February.
    assert (xs[2] - xs[1]) / (xs[1] - xs[0]) == pytest.approx(59 / 31, rel=0.01)
    assert ys[0] > ys[1] > ys[2]  # higher values are higher up (smaller y)
    assert [c.find(f"{SVG}title").text for c in circles] == [
        "2026-01-01: 50",
        "2026-02-01: 75",
        "2026-04-01: 100",
    ]
    assert len(list(root.iter(f"{SVG}polyline"))) == 1


def test_the_target_is_a_dashed_line_named_in_the_legend_and_description():
    root = parse(line_chart([JAN, FEB], [60, 70], title="KPI", target=95, target_label="Goal"))
    (target,) = target_lines(root)
    assert target.get("y1") == target.get("y2")
    # The target sits above both values on the axis.
    assert float(target.get("y1")) < min(float(c.get("cy")) for c in dots(root))
    assert "Goal 95" in ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "Target: 95." in root.find(f"{SVG}desc").text
    assert "2026-01-01: 60; 2026-02-01: 70" in root.find(f"{SVG}desc").text


def test_text_from_user_data_is_escaped():
    svg = line_chart(
        [JAN],
        [Series("<R&D> uptime", [1])],
        title='<script>alert("x")</script>',
        target=2,
        target_label="<b>Target</b>",
    )
    root = parse(svg)
    assert "<script>" not in svg and "<b>" not in svg
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script>'


def test_a_missing_value_breaks_the_line_instead_of_dropping_to_zero():
    root = parse(line_chart([1, 2, 3, 4], [10, None, 20, 30], title="Gappy"))
    polylines = list(root.iter(f"{SVG}polyline"))
    assert len(polylines) == 1  # the lone first point has a dot but no segment
    assert len(polylines[0].get("points").split()) == 2
    assert len(dots(root)) == 3


def test_negative_values_extend_the_axis_below_zero():
    root = parse(line_chart([1, 2], [-15, 10], title="Delta"))
    labels = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert any(label.startswith("-") for label in labels)
    assert "0" in labels


def test_empty_single_and_long_series_do_not_break():
    assert parse(line_chart([], [], title="Nothing")).find(f"{SVG}desc").text == "No data."
    one = parse(line_chart([JAN], [5], title="One", target=10))
    assert len(dots(one)) == 1
    days = [JAN + datetime.timedelta(days=i) for i in range(200)]
    long = parse(line_chart(days, list(range(200)), title="Daily"))
    assert len(dots(long)) == 1  # only the latest value keeps its dot
    assert MAX_MARKERS < 200
    assert "200 values from 2026-01-01 (0)" in long.find(f"{SVG}desc").text


def test_several_series_get_a_legend_and_wrong_lengths_are_refused():
    root = parse(
        line_chart([1, 2], [Series("Acme", [1, 2]), Series("Globex", [2, 1])], title="Two")
    )
    labels = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert {"Acme", "Globex"} <= set(labels)
    with pytest.raises(ValueError, match="has 1 values for 2 points"):
        line_chart([1, 2], [Series("Short", [1])], title="Bad")


def test_output_is_deterministic_and_ids_differ_between_charts():
    a = line_chart([JAN, FEB], [1, 2], title="A")
    assert a == line_chart([JAN, FEB], [1, 2], title="A")
    assert parse(a).get("id") != parse(line_chart([JAN, FEB], [1, 3], title="A")).get("id")
