"""The needs heat map (units × topics): geometry only, drawn by
``templates/training/_heatmap.html``. Colours are CSS classes ``heat-0`` … ``heat-4`` (the
Content-Security-Policy allows no inline style); every cell also prints its number, so the
map reads without colour and in print."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LABEL_WIDTH = 230
CELL_WIDTH = 100
CELL_HEIGHT = 26
HEADER = 62
LEVELS = 4


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    count: int
    level: int
    topic: str
    unit: str


@dataclass(frozen=True)
class Column:
    x: int
    label: str


@dataclass(frozen=True)
class Row:
    y: int
    label: str


@dataclass(frozen=True)
class HeatMap:
    width: int
    height: int
    cell_width: int
    cell_height: int
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    cells: tuple[Cell, ...]
    maximum: int


def heat_map(counts: Mapping[tuple[str, str], int], topics: Sequence[tuple[str, str]],
             units: Sequence[str]) -> HeatMap:
    """``counts``: (topic, unit) → assessments; ``topics``: (id, label) in display order."""
    maximum = max(counts.values(), default=0)
    columns = tuple(Column(LABEL_WIDTH + i * CELL_WIDTH + CELL_WIDTH // 2, label)
                    for i, (_, label) in enumerate(topics))
    rows = tuple(Row(HEADER + i * CELL_HEIGHT + CELL_HEIGHT // 2 + 4, unit)
                 for i, unit in enumerate(units))
    cells = []
    for r, unit in enumerate(units):
        for c, (topic, _) in enumerate(topics):
            count = counts.get((topic, unit), 0)
            level = 0 if count == 0 or maximum == 0 else max(1, -(-count * LEVELS // maximum))
            cells.append(Cell(LABEL_WIDTH + c * CELL_WIDTH, HEADER + r * CELL_HEIGHT, count,
                              level, topic, unit))
    return HeatMap(LABEL_WIDTH + len(topics) * CELL_WIDTH + 4,
                   HEADER + len(units) * CELL_HEIGHT + 4, CELL_WIDTH, CELL_HEIGHT, columns, rows,
                   tuple(cells), maximum)
