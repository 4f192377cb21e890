"""Every cell format of the Excel reports, defined once."""
from __future__ import annotations

from datetime import datetime

import xlsxwriter

NUMBER_FORMATS = {
    "money": "#,##0.00",
    "dollars": "#,##0",
    "ratio": "0.000",
    "mills": "0.0",
    "percent": "0.0000%",
    "units": "#,##0.######",
    "weight": "0.000000",
    "date": "yyyy-mm-dd",
    "impact": "#,##0.0000",
}

WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,  # text from inputs is always text (=HYPERLINK(...) stays text)
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def new_workbook(target, created: datetime, title: str) -> tuple[xlsxwriter.Workbook, dict]:
    """A workbook with fixed properties (deterministic bytes) and the shared formats."""
    book = xlsxwriter.Workbook(target, WORKBOOK_OPTIONS)
    book.set_properties({"title": title, "author": "apportion", "created": created, "company": ""})
    base = {"font_name": "Calibri", "font_size": 10}
    formats = {name: book.add_format(base | {"num_format": fmt}) for name, fmt in NUMBER_FORMATS.items()}
    formats["text"] = book.add_format(base)
    formats["wrap"] = book.add_format(base | {"text_wrap": True, "valign": "top"})
    formats["header"] = book.add_format(base | {"bold": True, "text_wrap": True, "valign": "top",
                                                "bg_color": "#DCE6F1", "border": 1})
    formats["title"] = book.add_format({"font_name": "Calibri", "bold": True, "font_size": 14})
    formats["subtitle"] = book.add_format(base | {"italic": True, "font_color": "#555555"})
    formats["label"] = book.add_format(base | {"bold": True})
    for name in ("money", "dollars", "ratio", "units", "weight", "percent"):
        formats[f"total_{name}"] = book.add_format(base | {"num_format": NUMBER_FORMATS[name], "bold": True, "top": 1})
    formats["total_text"] = book.add_format(base | {"bold": True, "top": 1})
    return book, formats
