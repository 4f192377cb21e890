"""The summary's charts: bar charts by district drawn from the report's own tables.

Each chart points at cells of the workbook (a :class:`~.tables.Placed`), so it
always shows the figures in the workbook; xlsxwriter stores the data with the
chart, so viewers that do not recalculate draw it too. A chart is as tall as
its districts need for every name to show; a BOCES with more districts than
fit one printed page gets the largest :data:`TOP` and "all others" instead,
from a small table beside the summary (outside its print area). Nothing here
is random or clock-dependent: the same result gives the same bytes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .styles import CHART_COLORS, CHART_FONT, CHART_TITLE_FONT, NUMBER_FORMATS
from .tables import Placed, write_column

WIDTH = 760  # pixels
BAR_PIXELS = 28  # height per district and series: room for a district name on two lines
MIN_HEIGHT = 220
ROW_PIXELS = 20  # a default row
GAP_ROWS = 2
MOST_BARS = 32  # bars of one series a chart shows before it shows the largest TOP and "all others"
TOP = 15
DATA_COLUMN = 9  # column J: where the charts' own small tables go, beside the summary's print area


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart by district: its title, the frame it draws (district name and the value columns) and
    each series as ``(name, column key, colour name, kind of value)``; ``number`` names the axis format;
    ``others`` whether the values add up (money) so that "all others" can be one bar."""

    title: str
    frame: pd.DataFrame
    series: list[tuple[str, str, str, str]]
    number: str
    axis: str
    others: bool = True


def chart_height(districts: int, series: int = 1) -> int:
    """Tall enough that every district's name shows beside its bars."""
    return int(max(MIN_HEIGHT, 90 + districts * BAR_PIXELS * (1 + 0.6 * (series - 1))))


def fewer(spec: ChartSpec) -> tuple[ChartSpec, bool]:
    """The chart as drawn: every district, or past :data:`MOST_BARS` the :data:`TOP` largest (by the first
    series) and, where the values add up, one bar for all the others. True when it was cut down."""
    frame = spec.frame
    if len(frame) <= MOST_BARS:
        return spec, False
    first = spec.series[0][1]
    ranked = frame.sort_values([first, "district_name"], ascending=[False, True], kind="stable")
    top, rest = ranked.head(TOP), ranked.iloc[TOP:]
    if spec.others:
        others = {"district_name": f"All others ({len(rest)} districts)"}
        others |= {key: rest[key].sum() for _, key, _, _ in spec.series}
        top = pd.concat([top, pd.DataFrame([others])], ignore_index=True)
        title = f"{spec.title}: the {TOP} largest of {len(frame)} districts and the others"
    else:
        title = f"{spec.title}: the {TOP} highest of {len(frame)} districts"
    return ChartSpec(title, top.reset_index(drop=True), spec.series, spec.number, spec.axis, spec.others), True


def write_chart_data(ws, st, spec: ChartSpec, row: int) -> Placed:
    """A cut-down chart's rows as a small table at column J from ``row`` (beside the print area)."""
    ws.write_string(row, DATA_COLUMN, spec.title, st["label"])
    write_column(ws, st, row + 1, DATA_COLUMN, spec.frame["district_name"], "text")
    columns = {"district_name": DATA_COLUMN}
    for j, (_, key, _, kind) in enumerate(spec.series, start=1):
        write_column(ws, st, row + 1, DATA_COLUMN + j, spec.frame[key], kind)
        columns[key] = DATA_COLUMN + j
    return Placed(ws.get_name(), row, row + 1, row + len(spec.frame), columns, row + len(spec.frame) + 2)


def place_charts(ws, charts: list, row: int, page_pixels: float) -> tuple[int, list[int]]:
    """Insert ``charts`` one under another from ``row`` (which starts a page); a chart that would cross
    the foot of a page starts the next. Returns the next free row and the rows a page must break before."""
    breaks, used = [], 0
    for chart in charts:
        height = chart.height + 6
        if used and used + height > page_pixels:
            breaks.append(row)
            used = 0
        ws.insert_chart(row, 0, chart, {"x_offset": 4, "y_offset": 6, "object_position": 3})
        rows = math.ceil(height / ROW_PIXELS) + GAP_ROWS
        row += rows
        used += rows * ROW_PIXELS
    return row, breaks


def district_bars(book, spec: ChartSpec, table: Placed):
    """A horizontal bar chart, one bar group per district (first row at the top), every name shown."""
    chart = book.add_chart({"type": "bar"})
    for name, key, colour, _ in spec.series:
        chart.add_series({
            "name": name,
            "categories": table.ref("district_name"),
            "values": table.ref(key),
            "fill": {"color": CHART_COLORS[colour]},
            "border": {"none": True},
            "gap": 60,
        })
    chart.set_title({"name": spec.title, "name_font": CHART_TITLE_FONT, "overlay": False})
    chart.set_x_axis({"name": spec.axis, "num_format": NUMBER_FORMATS[spec.number], "num_font": CHART_FONT,
                      "min": 0,  # a bar's length is its value: the axis starts at nought
                      "name_font": CHART_FONT | {"bold": False},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    # categories top to bottom in table order, every one labelled; the value axis stays at the bottom
    chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": CHART_FONT | {"size": 7.5},
                      "major_tick_mark": "none", "interval_unit": 1})
    chart.set_legend({"position": "bottom", "font": CHART_FONT} if len(spec.series) > 1 else {"none": True})
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})
    chart.set_size({"width": WIDTH, "height": chart_height(table.rows, len(spec.series))})
    return chart


def summary_chart_specs(administrative: pd.DataFrame, aid: pd.DataFrame, net: pd.DataFrame) -> list[ChartSpec]:
    """Administrative shares, sharing ratios and charges against aid, by district (frames in sheet order)."""
    specs = []
    if len(administrative) and "administrative" in administrative:
        specs.append(ChartSpec("Administrative share by district", administrative,
                               [("Administrative share", "administrative", "share", "cents")], "dollars", "dollars"))
    if len(aid) and "sharing_ratio" in aid:
        specs.append(ChartSpec("Sharing ratio by district", aid,
                               [("Sharing ratio", "sharing_ratio", "ratio", "ratio")], "ratio", "sharing ratio",
                               others=False))
    if len(net):
        specs.append(ChartSpec("Charges and BOCES aid by district", net,
                               [("Total charges", "total_charges", "charges", "cents"),
                                ("BOCES aid", "total_aid", "aid", "dollars")], "dollars", "dollars"))
    return specs
