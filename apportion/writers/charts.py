"""The summary's charts: bar charts by district drawn from the report's own tables.

Each chart points at a table already written (a :class:`~.tables.Placed`), so
it always shows the figures in the workbook; xlsxwriter stores the data with
the chart, so viewers that do not recalculate draw it too. Nothing here is
random or clock-dependent: the same result gives the same bytes.
"""
from __future__ import annotations

import math

from .styles import CHART_COLORS, CHART_FONT, CHART_TITLE_FONT, NUMBER_FORMATS
from .tables import Placed

WIDTH = 760  # pixels
BAR_PIXELS = 22  # height per district (per bar group)
MIN_HEIGHT = 260
MAX_HEIGHT = 660  # a chart never runs over a printed page
PAGE_PIXELS = 700  # chart height that fits one printed summary page
ROW_PIXELS = 20  # a default row
GAP_ROWS = 2


def chart_height(districts: int, series: int = 1) -> int:
    """Tall enough that every district's label shows, up to a page."""
    return int(min(MAX_HEIGHT, max(MIN_HEIGHT, 90 + districts * BAR_PIXELS * (1 + 0.5 * (series - 1)))))


def place_charts(ws, charts: list, row: int) -> tuple[int, list[int]]:
    """Insert ``charts`` one under another from ``row``; a chart that would cross a page starts a new one.

    Returns the next free row and the rows before which a page must break.
    """
    breaks, used = [], 0
    for chart in charts:
        if used and used + chart.height > PAGE_PIXELS:
            breaks.append(row)
            used = 0
        ws.insert_chart(row, 0, chart, {"x_offset": 4, "y_offset": 6, "object_position": 3})
        rows = math.ceil((chart.height + 6) / ROW_PIXELS) + GAP_ROWS
        row += rows
        used += rows * ROW_PIXELS
    return row, breaks


def district_bars(book, title: str, table: Placed, category: str, series: list[tuple[str, str, str]],
                  number: str, axis_title: str):
    """A horizontal bar chart, one bar group per district (first row at the top).

    ``series`` lists ``(name, column key, colour name)``; ``number`` names the
    axis number format in :data:`~.styles.NUMBER_FORMATS`.
    """
    chart = book.add_chart({"type": "bar"})
    for name, key, colour in series:
        chart.add_series({
            "name": name,
            "categories": table.ref(category),
            "values": table.ref(key),
            "fill": {"color": CHART_COLORS[colour]},
            "border": {"none": True},
            "gap": 60,
        })
    chart.set_title({"name": title, "name_font": CHART_TITLE_FONT, "overlay": False})
    chart.set_x_axis({"name": axis_title, "num_format": NUMBER_FORMATS[number], "num_font": CHART_FONT,
                      "name_font": CHART_FONT | {"bold": False},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    # categories top to bottom in table order; the value axis stays at the bottom
    chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": CHART_FONT, "major_tick_mark": "none"})
    chart.set_legend({"position": "bottom", "font": CHART_FONT} if len(series) > 1 else {"none": True})
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})
    chart.set_size({"width": WIDTH, "height": chart_height(table.rows, len(series))})
    return chart


def summary_charts(book, administrative: Placed, aid: Placed, net: Placed) -> list:
    """Administrative shares, sharing ratios and charges against aid, by district."""
    charts = []
    if administrative.rows > 0 and "administrative" in administrative.columns:
        charts.append(district_bars(book, "Administrative share by district", administrative, "district_name",
                                    [("Administrative share", "administrative", "share")], "dollars", "dollars"))
    if aid.rows > 0 and "sharing_ratio" in aid.columns:
        charts.append(district_bars(book, "Sharing ratio by district", aid, "district_name",
                                    [("Sharing ratio", "sharing_ratio", "ratio")], "ratio", "sharing ratio"))
    if net.rows > 0:
        charts.append(district_bars(book, "Charges and BOCES aid by district", net, "district_name",
                                    [("Total charges", "total_charges", "charges"), ("BOCES aid", "total_aid", "aid")],
                                    "dollars", "dollars"))
    return charts
