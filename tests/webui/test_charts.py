"""webui/charts.py: the geometry of the five-dimension chart."""

from __future__ import annotations

from webui.charts import WIDTH, dimension_chart

SCALE = [(3.0, "Good"), (1.0, "Poor"), (2.0, "Fair")]


def test_bars_are_proportional_to_the_score():
    chart = dimension_chart([
        {"id": "a", "label": "A", "rating": "good", "rating_label": "Good", "score": 3.0},
        {"id": "b", "label": "B", "rating": "fair", "rating_label": "Fair", "score": 1.5},
        {"id": "c", "label": "C", "rating": None, "rating_label": "Not assessed", "score": None},
    ], SCALE, [(2.75, "Good"), (1.75, "Fair")])
    full, half, empty = chart.bars
    assert full.width == chart.plot_width
    assert half.width == chart.plot_width / 2
    assert empty.width == 0 and empty.score is None
    assert [tick.label for tick in chart.ticks] == ["Poor", "Fair", "Good"]
    assert chart.ticks[-1].x == chart.right <= WIDTH
    assert [round(t.x) for t in chart.thresholds] == [round(chart.plot_left + chart.plot_width
                                                            * s / 3) for s in (1.75, 2.75)]
    assert full.bar_y < half.bar_y < empty.bar_y < chart.axis_y < chart.height


def test_the_chart_is_drawn_as_inline_svg_without_styles(client, save, seed_case):
    page = client.get(f"/assessments/{save(seed_case)}").get_data(as_text=True)
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Kualitas: Cukup baik (2,5)" in svg
    assert "style=" not in svg
