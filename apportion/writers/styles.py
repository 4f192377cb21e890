"""Every look of the Excel reports, defined once: number formats, cell styles, page setup and chart colours.

Writers never spell a number format or a colour themselves: they ask
:class:`Styles` for a *role* (body, header, total, key figure …) combined with
a *number format* name from :data:`NUMBER_FORMATS`, and call :func:`printable`
to set up a sheet for paper.
"""
from __future__ import annotations

import math
from datetime import datetime

import xlsxwriter

from .xlsx import Workbook

NUMBER_FORMATS = {
    "text": "@",
    "general": "General",
    "money": "#,##0.00",  # dollars and cents (held as int cents)
    "dollars": "#,##0",  # whole dollars (aid, approved expenses)
    "ratio": "0.000",  # aid ratios (held as int thousandths)
    "mills": "0.0",  # tax rate (held as int tenths of a mill)
    "percent": "0.0000%",  # a district's share of a pool
    "share": "0.00%",  # a fraction such as the aidable part of a budget
    "change": "0.0%",  # year-over-year change
    "units": "#,##0.00####_)",  # quantities: RWADA, pupils, staff; exact to millionths (a space after, before a unit)
    "count": "#,##0",  # whole numbers of things
    "weight": "0.000000",  # blended basis weights
    "impact": "#,##0.0000",  # dollars per $1,000 of full value
    "date": "yyyy-mm-dd",
}

FONT = {"font_name": "Calibri", "font_size": 10, "valign": "top"}
NAVY = "#1F3864"
BLUE = "#2E75B6"
PALE = "#DDEBF7"
GREY = "#595959"

HEADER = {"bold": True, "text_wrap": True, "font_color": "#FFFFFF", "bg_color": NAVY, "border": 1, "border_color": "#BFBFBF"}
TOTAL = {"bold": True, "top": 1, "bottom": 6, "bg_color": PALE}
# Text set off from a number to its left (a working beside its amount, a note beside a value). An indent
# shows only on text aligned left (Excel and LibreOffice ignore it under the general alignment), so each
# of these says left.
INDENTED = {"indent": 1, "align": "left"}

ROLES = {
    "body": {},
    "header": HEADER,
    "header_right": HEADER | {"align": "right"},
    "header_indented": HEADER | INDENTED,
    "total": TOTAL,
    "total_working": TOTAL | INDENTED | {"text_wrap": True},
    "label": {"bold": True},
    "key": {"bold": True, "font_size": 12, "font_color": NAVY},
    "title": {"bold": True, "font_size": 16, "font_color": NAVY},
    "subtitle": {"italic": True, "font_color": GREY},
    # a title, subtitle or header value too long for the page's width, wrapped across it (a 200-character name)
    "title_wrap": {"bold": True, "font_size": 16, "font_color": NAVY, "text_wrap": True, "valign": "top"},
    "subtitle_wrap": {"italic": True, "font_color": GREY, "text_wrap": True, "valign": "top"},
    "value_wrap": {"text_wrap": True, "valign": "top"},
    "section": {"bold": True, "font_size": 12, "font_color": NAVY, "bottom": 2, "bottom_color": BLUE},
    "aside": {"italic": True, "font_color": GREY} | INDENTED,
    "note": {"italic": True, "font_color": GREY, "text_wrap": True},
    "wrap": {"text_wrap": True} | INDENTED,  # a table's wrapped text column
    "working": {"text_wrap": True} | INDENTED,
    "detail": {"text_wrap": True},  # a detail line's label (its own leading spaces indent it)
    "left": {"align": "left"},
    "emphasis": {"bold": True, "bg_color": PALE},
}
#: column-width units an indented text cell gives up to its indent (one level is about 1.5 digits wide)
INDENT_WIDTH = 2

WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,  # text from inputs is always text (=HYPERLINK(...) stays text)
    "strings_to_numbers": False,
    "strings_to_urls": False,
}

# chart series colours, by meaning
CHART_COLORS = {"share": BLUE, "ratio": "#548235", "charges": NAVY, "aid": "#70AD47"}
CHART_FONT = {"name": "Calibri", "size": 9}
CHART_TITLE_FONT = {"name": "Calibri", "size": 11, "bold": True, "color": NAVY}

# column widths (characters) by the kind of value a column holds, unless a column sets its own
WIDTHS = {"text": 16, "cents": 16, "dollars": 14, "ratio": 10, "mills": 10, "percent": 11, "share": 10,
          "change": 10, "units": 14, "millionths": 14, "count": 10, "weight": 12, "impact": 12, "date": 12,
          "number": 12}
CODE_WIDTH = 14
NAME_WIDTH = 30
ROW_HEIGHT = 13.5  # points, one line of body text
CHARS_PER_WIDTH = 1.25  # characters of body text that fit in one unit of column width (proportional font)
PAGE_WIDTH = 230  # column-width units printed across one landscape page before the scale gets too small
PAGE_WIDTH_PORTRAIT = 554  # points printed across a portrait letter page within the margins below
PAGE_HEIGHT = 690  # points printed down a portrait letter page within the margins, header and footer


def width_points(width: float) -> float:
    """The printed width (points) of a column ``width`` characters wide (Excel: 7 pixels a character + 5)."""
    return (width * 7 + 5) * 0.75


class Styles:
    """The formats of one workbook: ``styles(number, role)`` gives the format, made once on first use."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self._made: dict[tuple[str, str], object] = {}

    def __call__(self, number: str = "general", role: str = "body"):
        key = (number, role)
        made = self._made.get(key)
        if made is None:
            spec = dict(FONT) | ROLES[role]
            if number != "general":
                spec["num_format"] = NUMBER_FORMATS[number]
            made = self._made[key] = self.book.add_format(spec)
        return made

    def __getitem__(self, role: str):
        """A role with no number format (``styles["title"]``)."""
        return self(role="body" if role == "text" else role)


def new_workbook(target, created: datetime, title: str, subject: str = "", book_class=None) -> tuple[xlsxwriter.Workbook, Styles]:
    """A workbook with fixed properties (deterministic bytes) and the shared styles; ``book_class`` is
    :class:`.xlsx.Workbook` unless given (the statements use :class:`.sheetxml.Workbook`)."""
    book = (book_class or Workbook)(target, WORKBOOK_OPTIONS)
    book.set_properties({"title": title, "subject": subject, "author": "apportion", "created": created,
                         "company": ""})
    book.set_size(1600, 1000)
    return book, Styles(book)


def header_text(text: str, limit: int = 120) -> str:
    """Text safe for a page header or footer: ``&`` doubled (it starts a code there), length bounded."""
    text = str(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("&", "&&")


def printable(ws, footer_left: str, footer_right: str = "", repeat: tuple[int, int] | None = None,
              landscape: bool = True, gridlines: bool = True, width: float = 0,
              repeat_cols: tuple[int, int] | None = None, pages_high: int = 0) -> None:
    """Page setup for paper: letter, landscape, one page wide, header rows repeated, page numbers in the footer.

    A sheet ``width`` units wide that would print too small on one page is
    spread over as many pages across as it needs, with ``repeat_cols`` (the
    district code and name) repeated on each. ``pages_high`` fits it to that
    many pages down as well (0: as many as it takes).
    """
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(1)  # US letter
    across = max(1, math.ceil(width / PAGE_WIDTH))
    ws.fit_to_pages(across, pages_high)
    if across > 1 and repeat_cols is not None:
        ws.repeat_columns(*repeat_cols)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer(f"&L&8{header_text(footer_left)}&C&8Page &P of &N&R&8{header_text(footer_right)}")
    if repeat is not None:
        ws.repeat_rows(*repeat)
    if not gridlines:
        ws.hide_gridlines(2)
