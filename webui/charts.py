"""The five dimensions as a bar chart: geometry only.

The SVG itself is drawn by ``templates/partials/chart.html`` from what :func:`dimension_chart`
returns, so every text in it goes through Jinja's autoescaping and every colour is a CSS class
(the Content-Security-Policy allows no inline styles). Each dimension takes two rows: its name,
then its bar on a 0–3 score scale, which keeps the text legible on a 360 px phone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 400
LEFT = 8
RIGHT = 8
TOP = 8
ROW = 50  # label line + bar
BAR = 16
LABEL_GAP = 6
AXIS = 28  # room for the scale labels under the last bar
SCALE_MAX = 3.0


@dataclass(frozen=True)
class Bar:
    id: str
    label: str
    rating: str | None
    rating_label: str
    score: float | None
    label_y: float
    bar_y: float
    width: float


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: float
    plot_width: float
    bar_height: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    thresholds: tuple[Tick, ...]
    axis_y: float
    plot_top: float

    @property
    def right(self) -> float:
        return self.plot_left + self.plot_width


def _x(score: float, plot_width: float) -> float:
    return LEFT + plot_width * max(0.0, min(score, SCALE_MAX)) / SCALE_MAX


def dimension_chart(dimensions: Sequence[Mapping[str, Any]],
                    scale: Sequence[tuple[float, str]],
                    thresholds: Sequence[tuple[float, str]] = ()) -> Chart:
    """``dimensions`` as in the result JSON (id, label, rating, rating_label, score);
    ``scale``: (score, label) of each rating; ``thresholds``: band limits to mark."""
    plot_width = WIDTH - LEFT - RIGHT
    bars = []
    for index, dimension in enumerate(dimensions):
        top = TOP + index * ROW
        score = dimension.get("score")
        width = _x(score, plot_width) - LEFT if score is not None else 0.0
        bars.append(Bar(
            id=str(dimension["id"]), label=str(dimension["label"]),
            rating=dimension.get("rating"), rating_label=str(dimension["rating_label"]),
            score=score, label_y=top + 16, bar_y=top + 16 + LABEL_GAP, width=round(width, 1)))
    axis_y = TOP + len(bars) * ROW
    return Chart(
        width=WIDTH, height=int(axis_y + AXIS), plot_left=LEFT, plot_width=plot_width,
        bar_height=BAR, bars=tuple(bars),
        ticks=tuple(Tick(round(_x(s, plot_width), 1), label) for s, label in sorted(scale)),
        thresholds=tuple(Tick(round(_x(s, plot_width), 1), label)
                         for s, label in sorted(thresholds)),
        axis_y=axis_y, plot_top=TOP + 16 + LABEL_GAP - 4)


# -- the trend of one assessment across its evaluations -------------------------------------
TREND_WIDTH = 400
TREND_HEIGHT = 200
TREND_LEFT = 28
TREND_RIGHT = 12
TREND_TOP = 10
TREND_BOTTOM = 24
SCALE_MIN = 1.0


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    score: float
    label: str  # the evaluation's date, for the point's title


@dataclass(frozen=True)
class Series:
    id: str  # "overall" or a dimension id; the CSS class of the line
    label: str
    number: int  # 1-based, for the legend and the line's marker
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        """The SVG path through the points; a gap where a dimension was not assessed."""
        parts = []
        previous: Point | None = None
        for point in self.points:
            parts.append(("L" if previous is not None else "M") + f"{point.x} {point.y}")
            previous = point
        return " ".join(parts)


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    series: tuple[Series, ...]
    x_ticks: tuple[Tick, ...]  # one per evaluation: its number
    y_ticks: tuple[tuple[float, str], ...]  # (y, rating label)


def trend_chart(evaluations: Sequence[tuple[str, Mapping[str, float | None]]],
                labels: Mapping[str, str],
                scale: Sequence[tuple[float, str]]) -> TrendChart:
    """``evaluations``: (date label, {"overall" or dimension id: score or None}) in time order;
    ``labels``: the series' names in the order to draw them; ``scale``: (score, rating label)."""
    count = max(len(evaluations), 1)
    plot_w = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    plot_h = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM

    def x(index: int) -> float:
        return round(TREND_LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2), 1)

    def y(score: float) -> float:
        share = (max(SCALE_MIN, min(score, SCALE_MAX)) - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)
        return round(TREND_TOP + plot_h * (1 - share), 1)

    series = []
    for number, (series_id, label) in enumerate(labels.items(), start=1):
        points = []
        for i, (when, scores) in enumerate(evaluations):
            score = scores.get(series_id)
            if score is not None:
                points.append(Point(x(i), y(float(score)), float(score), when))
        if points:
            series.append(Series(series_id, label, number, tuple(points)))
    return TrendChart(
        width=TREND_WIDTH, height=TREND_HEIGHT, left=TREND_LEFT, right=TREND_WIDTH - TREND_RIGHT,
        top=TREND_TOP, bottom=TREND_HEIGHT - TREND_BOTTOM, series=tuple(series),
        x_ticks=tuple(Tick(x(i), str(i + 1)) for i in range(len(evaluations))),
        y_ticks=tuple((y(score), label) for score, label in sorted(scale)))
