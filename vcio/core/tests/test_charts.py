"""Server-side SVG charts: valid, accessible, escaped, and faithful to the data."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from vcio.core.charts import HIGHLIGHT, Series, bar_chart, compact_number, histogram, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """The chart as XML: fails the test if it is not well-formed."""
    return ET.fromstring(str(svg))


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def bars(root: ET.Element) -> list[ET.Element]:
    """The data rectangles (not the legend swatches or outlines)."""
    return [
        r
        for g in root.iter(f"{SVG}g")
        if g.find(f"{SVG}title") is not None
        for r in g.findall(f"{SVG}rect")
        if r.get("fill") != "none"
    ]


def test_a_bar_chart_is_valid_accessible_svg():
    svg = bar_chart(["Q1", "Q2", "Q3"], [100, 250, 0], title="Cost", desc="Cost by quarter")
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    # Labelled by its own title and description, by id.
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Cost"
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert root.find(f"{SVG}desc").text == "Cost by quarter"
    # Scales with its container: a viewBox, no fixed pixel size.
    assert root.get("viewBox") == "0 0 720 300" and root.get("width") == "100%"
    assert root.get("height") is None
    assert "<script" not in svg


def test_bars_are_proportional_with_values_and_labels():
    root = parse(bar_chart(["Q1", "Q2", "Q3"], [100, 200, 0], title="Cost"))
    heights = [float(r.get("height")) for r in bars(root)]
    assert len(heights) == 2  # a zero value draws no bar
    assert heights[1] == pytest.approx(2 * heights[0], rel=0.01)
    labels = texts(root)
    assert {"Q1", "Q2", "Q3", "100", "200"} <= set(labels)
    # Each bar has its own tooltip naming the category and the value.
    titles = [t.text for g in root.iter(f"{SVG}g") if (t := g.find(f"{SVG}title")) is not None]
    assert titles[:2] == ["Q1: 100", "Q2: 200"]


def test_labels_and_titles_are_escaped():
    evil = '<script>alert("x")</script> & R&D'
    svg = bar_chart([evil, "ok"], [1, 2], title=f"Cost of {evil}", desc=evil, notes=[evil, "n"])
    assert "<script>" not in svg
    root = parse(svg)  # still well-formed
    assert root.find(f"{SVG}title").text == f"Cost of {evil}"
    assert root.find(f"{SVG}desc").text == evil
    assert any(evil[:5] in t for t in texts(root))  # shown as text, shortened to fit
    hist = histogram([(evil, 3)], title=evil, x_label=evil, highlight_label=evil, highlight_from=0)
    assert "<script>" not in hist
    assert parse(hist).find(f"{SVG}title").text == evil


def test_stacked_series_stack_and_get_a_legend():
    svg = bar_chart(
        ["2025", "2026"],
        [Series("Laptops", [3, 1]), Series("Servers", [1, None], color="#123456")],
        title="Replacements",
    )
    root = parse(svg)
    rects = bars(root)
    assert len(rects) == 3  # 2025: two pieces, 2026: one (None counts as 0)
    first, second = rects[0], rects[1]
    # The second series sits on top of the first in the same column.
    assert first.get("x") == second.get("x")
    assert float(second.get("y")) + float(second.get("height")) == pytest.approx(
        float(first.get("y"))
    )
    assert second.get("fill") == "#123456"
    assert {"Laptops", "Servers", "4"} <= set(texts(root))  # legend and the column total


def test_multi_line_labels_notes_and_highlight():
    svg = bar_chart(
        ["Q1\nFY2027", "Q2\nFY2027"],
        [Decimal("1500.50"), Decimal("0")],
        title="Forecast",
        notes=["3 devices", "0 devices"],
        highlight=[True, False],
        value_format=lambda v: f"${v:,.0f}",
    )
    root = parse(svg)
    assert [t.text for t in root.iter(f"{SVG}tspan")][:2] == ["Q1", "FY2027"]
    assert "$1,500" in texts(root) and "3 devices" in texts(root)
    outlines = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "none"]
    assert len(outlines) == 1 and outlines[0].get("stroke") == HIGHLIGHT


def test_empty_and_zero_data_do_not_break():
    for svg in (
        bar_chart([], [], title="Nothing"),
        bar_chart(["a"], [0], title="Zero"),
        histogram([], title="Nothing"),
    ):
        root = parse(svg)
        assert bars(root) == []
    assert parse(bar_chart([], [], title="Nothing")).find(f"{SVG}desc").text == "No data."


def test_a_series_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        bar_chart(["a", "b", "c"], [Series("s", [1, 2])], title="x")


def test_histogram_bins_touch_and_old_bins_are_highlighted():
    svg = histogram(
        [("0–1", 4), ("1–2", 0), ("2–3", 8), ("3+", 2)],
        title="Devices by age",
        x_label="Age in years",
        highlight_from=2,
        highlight_label="Past policy",
    )
    root = parse(svg)
    rects = bars(root)
    assert [r.get("fill") == HIGHLIGHT for r in rects] == [False, True, True]
    assert {"0–1", "1–2", "2–3", "3+", "Age in years", "Past policy", "8"} <= set(texts(root))
    assert "0–1: 4" in root.find(f"{SVG}desc").text


def test_output_is_deterministic_and_ids_differ_between_charts():
    a = bar_chart(["x"], [1], title="A")
    assert a == bar_chart(["x"], [1], title="A")
    b = bar_chart(["x"], [2], title="A")
    assert parse(a).get("id") != parse(b).get("id")


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (12, "12"), (2.5, "2.5"), (1234, "1.2k"), (250000, "250k"), (2_500_000, "2.5M")],
)
def test_compact_numbers(value, text):
    assert compact_number(value) == text


@pytest.mark.parametrize(
    ("top", "maximum"), [(0, 1), (7, 8), (95, 100), (1234, 1600), (220100, 240000)]
)
def test_axis_maximum_is_round_and_above_the_data(top, maximum):
    got, step = nice_ceiling(top)
    assert got == maximum and got >= top and got / step == 4


def test_count_axes_have_whole_steps():
    assert nice_ceiling(3, integer=True) == (4, 1)
    assert nice_ceiling(0, integer=True) == (4, 1)
    assert nice_ceiling(3) == (3.2, 0.8)
    root = parse(histogram([("0–1", 3)], title="Age"))
    assert "0.8" not in texts(root) and "4" in texts(root)


def test_a_legend_too_long_for_one_row_wraps_instead_of_running_off_the_chart():
    names = [
        "Initiatives, one-time",
        "Forecast replacements",
        "Initiatives, recurring",
        "Licences and subscriptions",
        "Practice fee",
    ]
    svg = bar_chart(["Q1", "Q2"], [Series(n, [1, 2]) for n in names], title="B", width=760)
    root = ET.fromstring(str(svg))
    ns = "{http://www.w3.org/2000/svg}"
    entries = {
        t.text: (float(t.get("x")), float(t.get("y")))
        for t in root.iter(f"{ns}text")
        if t.text in names
    }
    assert set(entries) == set(names)
    # At 10 px a character is at most ~6.5 px wide: every name ends inside the 760 px.
    assert all(x + 6.5 * len(name) <= 760 for name, (x, _) in entries.items())
    rows = {y for _, y in entries.values()}
    assert len(rows) == 2
    bars = [r for r in root.iter(f"{ns}rect") if r.get("width") != "10" and r.get("fill") != "none"]
    bars = [r for r in bars if r.get("height") and float(r.get("height")) > 0 and r.get("x")]
    # Every bar starts below the legend's last row.
    assert min(float(r.get("y")) for r in bars if float(r.get("x")) > 56) > max(rows)
