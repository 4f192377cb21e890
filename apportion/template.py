"""The blank input workbook of ``apportion template``, built from :mod:`apportion.schema`.

Every sheet of docs/formats.md: the BOCES sheet with its items listed and values
blank, each table sheet with its headers. Each header (or item) carries a
comment saying what goes there and in what unit; choice and yes/no columns get
drop-down lists and date columns a date check. Code columns are formatted as
text so Excel keeps a BEDS code's leading zero. The bytes are deterministic
(fixed document dates), so the committed copy can be compared with a fresh one.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from .schema import BOCES_ITEMS, BOCES_SHEET, DATE_RANGE, EXPECTED, TABLE_SHEETS, Field, column_letter

CREATED = dt.datetime(2026, 1, 1)  # fixed so the same schema always gives the same bytes
LAST_ROW = 1_048_575  # validations cover the whole column below the header (0-based last Excel row)
HINTS = {
    "code": "a 12-digit BEDS code, typed as text so the leading zero stays",
    "key": "a code, e.g. 101",
    "text": "text",
    "year": "a school year like 2026-27",
    "fraction": "a number: 0-1, or a percent (1 or less is read as a fraction: 50% = 0.5)",
}


def describe_field(f: Field) -> str:
    """The comment on a header or item: what goes there, its unit, whether it is required, the default."""
    what = f.expected if f.whole else HINTS.get(f.kind) or EXPECTED.get(f.kind) or ""
    if f.kind == "choice":
        what = "one of: " + ", ".join(f.choices)
    lines = [f"{f.header}{' (required)' if f.required else ''}"]
    if f.help:
        lines.append(f.help)
    lines.append(f"Enter {what}." + (f" Unit: {f.unit}." if f.unit else ""))
    if f.default not in (None, "") and not f.required and "blank" not in f.help.casefold():
        shown = {True: "yes", False: "no"}.get(f.default, f.default) if isinstance(f.default, bool) else f.default
        lines.append(f"Blank = {shown}.")
    return "\n".join(lines)


def _validation(f: Field) -> dict | None:
    """The data validation for a value cell of ``f``: a drop-down, a date check or a number check."""
    if f.kind == "choice":
        return {"validate": "list", "source": list(f.choices), "error_type": "warning",
                "error_message": "Choose one of: " + ", ".join(f.choices)}
    if f.kind == "yesno":
        return {"validate": "list", "source": ["yes", "no"], "error_type": "warning",
                "error_message": "Enter yes or no."}
    if f.kind == "date":
        return {"validate": "date", "criteria": "between", "minimum": DATE_RANGE[0], "maximum": DATE_RANGE[1],
                "error_type": "warning", "error_message": "Enter a date, e.g. 2026-03-04."}
    if f.kind in ("money", "quantity"):
        return {"validate": "integer" if f.whole else "decimal", "criteria": ">=", "value": 0,
                "error_type": "warning", "error_message": f"Enter {f.expected}."}
    return None


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook):
        self.header = book.add_format({"bold": True, "bottom": 1, "bg_color": "#DDEBF7"})
        self.required = book.add_format({"bold": True, "bottom": 1, "bg_color": "#FCE4D6"})
        self.text = book.add_format({"num_format": "@"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.money = book.add_format({"num_format": "#,##0.00"})

    def cell(self, f: Field):
        return {"code": self.text, "key": self.text, "year": self.text, "quarter": self.text, "date": self.date,
                "money": self.money, "signed money": self.money}.get(f.kind)


def _comment(ws, row: int, col: int, f: Field) -> None:
    ws.write_comment(row, col, describe_field(f), {"x_scale": 2, "y_scale": 1.6, "author": "apportion"})


def _boces_sheet(book: xlsxwriter.Workbook, fmt: _Formats) -> None:
    ws = book.add_worksheet(BOCES_SHEET)
    ws.write_row(0, 0, ["Item", "Value"], fmt.header)
    ws.set_column(0, 0, 36)
    ws.set_column(1, 1, 28)
    for i, f in enumerate(BOCES_ITEMS, start=1):
        ws.write_string(i, 0, f.header, fmt.required if f.required else None)
        _comment(ws, i, 0, f)
        cell_format = fmt.cell(f)
        if cell_format is not None:
            ws.write_blank(i, 1, None, cell_format)
        rule = _validation(f)
        if rule is not None:
            ws.data_validation(i, 1, i, 1, rule)
    ws.freeze_panes(1, 0)


def _table_sheet(book: xlsxwriter.Workbook, fmt: _Formats, spec) -> None:
    ws = book.add_worksheet(spec.name)
    for j, f in enumerate(spec.fields):
        ws.write_string(0, j, f.header, fmt.required if f.required else fmt.header)
        _comment(ws, 0, j, f)
        ws.set_column(j, j, max(12, len(f.header) + 4), fmt.cell(f))
        rule = _validation(f)
        if rule is not None:
            ws.data_validation(1, j, LAST_ROW, j, rule)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, 0, len(spec.fields) - 1)


def write_template(output: Path) -> Path:
    """Write the blank input workbook to ``output`` (its folder is created)."""
    import io

    from .writers.atomic import write_file
    output = Path(output)
    buffer = io.BytesIO()  # built in memory, then written whole: a full disk leaves no half file
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_numbers": False,
                                        "strings_to_urls": False, "in_memory": True})
    book.set_properties({"title": "apportion input workbook", "author": "apportion", "created": CREATED})
    fmt = _Formats(book)
    _boces_sheet(book, fmt)
    for spec in TABLE_SHEETS:
        _table_sheet(book, fmt, spec)
    book.close()
    write_file(output, buffer.getvalue())
    return output


__all__ = ["write_template", "describe_field", "column_letter"]
