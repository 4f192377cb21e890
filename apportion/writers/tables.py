"""Writing a frame as a formatted Excel table, column by column, with a total row."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd
from xlsxwriter.utility import xl_rowcol_to_cell


@dataclass(frozen=True)
class Col:
    """A report column: header, source key, kind of value and width.

    kinds: ``text``, ``cents`` (int cents shown as dollars), ``dollars`` (whole
    dollars), ``ratio`` (thousandths), ``mills`` (tenths), ``percent`` (a float
    percent), ``units`` (Decimal), ``weight``, ``date``, ``number``.
    """

    header: str
    key: str
    kind: str = "text"
    width: float = 14
    total: bool = False


def cell_value(value, kind: str):
    """The number (or text) Excel should hold for a value of ``kind``; None when blank."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if kind == "cents":
        return int(value) / 100
    if kind == "ratio":
        return int(value) / 1000
    if kind == "mills":
        return int(value) / 10
    if kind == "percent":
        return float(value) / 100
    if kind in ("units", "weight", "number", "dollars"):
        return float(Decimal(value)) if isinstance(value, Decimal) else float(value)
    if kind == "date":
        return value
    return str(value)


FORMAT_OF = {"cents": "money", "dollars": "dollars", "ratio": "ratio", "mills": "mills", "percent": "percent",
             "units": "units", "weight": "weight", "number": "units", "date": "date", "text": "text"}


def write_value(ws, row: int, col: int, value, kind: str, formats: dict) -> None:
    v = cell_value(value, kind)
    fmt = formats[FORMAT_OF[kind]]
    if v is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(v, str):
        ws.write_string(row, col, v, fmt)
    elif isinstance(v, date):
        ws.write_datetime(row, col, pd.Timestamp(v).to_pydatetime(), fmt)
    else:
        ws.write_number(row, col, v, fmt)


def write_table(ws, formats: dict, frame: pd.DataFrame, columns: list[Col], first_row: int = 0,
                name: str | None = None, total_label: str = "Total") -> int:
    """Write ``frame`` under a header row as an Excel table; returns the next free row.

    Totals are formulas that carry their computed value, so viewers that do not
    recalculate still show the right figure.
    """
    n = len(frame)
    for j, c in enumerate(columns):
        ws.set_column(j, j, c.width)
    header = [{"header": c.header, "header_format": formats["header"]} for c in columns]
    has_total = any(c.total for c in columns) and n > 0
    for j, c in enumerate(columns):
        values = frame[c.key].tolist() if c.key in frame.columns else [None] * n
        for i, value in enumerate(values):
            write_value(ws, first_row + 1 + i, j, value, c.kind, formats)
    if n:
        options = {"columns": header, "style": "Table Style Light 9", "autofilter": True}
        if name:
            options["name"] = name
        ws.add_table(first_row, 0, first_row + n, len(columns) - 1, options)
    else:
        for j, c in enumerate(columns):
            ws.write_string(first_row, j, c.header, formats["header"])
    next_row = first_row + n + 1
    if has_total:
        ws.write_string(next_row, 0, total_label, formats["total_text"])
        for j, c in enumerate(columns):
            if not c.total or j == 0:
                continue
            values = [cell_value(v, c.kind) for v in (frame[c.key] if c.key in frame.columns else [])]
            total = sum(v for v in values if v is not None)
            if c.kind == "cents":
                total = sum(int(v) for v in frame[c.key].dropna()) / 100  # exact cents, then dollars
            top = xl_rowcol_to_cell(first_row + 1, j)
            bottom = xl_rowcol_to_cell(first_row + n, j)
            kind = FORMAT_OF[c.kind] if FORMAT_OF[c.kind] in ("money", "dollars", "ratio", "units", "weight", "percent") else "money"
            ws.write_formula(next_row, j, f"=SUBTOTAL(109,{top}:{bottom})", formats[f"total_{kind}"], total)
        next_row += 1
    return next_row
