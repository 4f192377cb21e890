"""Writing report blocks: a frame as a table with a total row, label/value pairs, notes and sections.

Every value is converted by its *kind* (:data:`KINDS`: int cents, whole
dollars, thousandths, millionths …) — a table column at a time, a single cell
through :func:`write_value` — and text is written with ``write_string`` only,
so text from the inputs can never become a formula. Totals are formulas that
carry their computed values, so a viewer that does not recalculate still shows
the right figure.

Writing cost is per cell (xlsxwriter's XML), so blank values are not written,
long tables are plain filtered ranges rather than Excel tables, and workbook
writers run with the cyclic garbage collector paused (:func:`gc_paused`).
"""
from __future__ import annotations

import functools
import gc
import math
import operator
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_rowcol_to_cell

from .sheetxml import set_rows
from .styles import CHARS_PER_WIDTH, INDENT_WIDTH, ROW_HEIGHT, WIDTHS, Styles
from .text import clean_text


def gc_paused(write):
    """Run a workbook writer with Python's cyclic garbage collector paused.

    A workbook holds a small object for every cell until it is closed; with the collector on, each
    collection walks them all again, which made up a fifth of the writing time. Cells are freed by
    reference counting as usual; any cycles are collected once the collector is back on.
    """
    @functools.wraps(write)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return write(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()
    return paused


def _blank(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _number(value) -> float:
    return float(Decimal(value)) if isinstance(value, Decimal) else float(value)


# the kinds held as whole numbers of a unit: how many make one of what Excel shows (cents in a dollar, …)
_UNITS = {"cents": 100, "ratio": 1000, "mills": 10, "millionths": 1_000_000, "impact": 10_000}


def _per(n: int):
    return lambda v: int(v) / n


# kind → (number format, how a stored value becomes what Excel holds)
KINDS = {
    "text": ("general", str),
    "cents": ("money", _per(_UNITS["cents"])),
    "dollars": ("dollars", int),
    "ratio": ("ratio", _per(_UNITS["ratio"])),
    "mills": ("mills", _per(_UNITS["mills"])),
    "percent": ("percent", lambda v: float(v) / 100),  # a float percent (75.45 → 75.4500 %)
    "share": ("share", _number),  # a fraction 0-1
    "change": ("change", lambda v: float(v) / 100),  # a float percent
    "units": ("units", _number),  # a Decimal or float quantity
    "millionths": ("units", _per(_UNITS["millionths"])),  # a quantity held as int millionths
    "count": ("count", int),
    "weight": ("weight", _number),
    "impact": ("impact", _per(_UNITS["impact"])),  # dollars per $1,000, held × 10,000
    "number": ("general", _number),
    "date": ("date", lambda v: v),
}
SUMMABLE = {"cents", "dollars", "units", "millionths", "count", "number"}
MAX_FIT = 48  # widest a text column grows to fit its values
MAX_TABLE_ROWS = 500  # longer tables are plain ranges with an autofilter (xlsxwriter checks every cell of a table)


@dataclass(frozen=True)
class Col:
    """A report column: header, source key in the frame, kind of value, width and whether it is totalled."""

    header: str
    key: str
    kind: str = "text"
    width: float | None = None
    total: bool = False
    wrap: bool = False
    kind_key: str | None = None  # a frame column naming each row's kind, for a column of mixed values

    @property
    def shown_width(self) -> float:
        return self.width if self.width is not None else WIDTHS[self.kind]

    @property
    def numeric(self) -> bool:
        return self.kind not in ("text", "date")


def lines_needed(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` units wide."""
    per_line = max(int(width * CHARS_PER_WIDTH), 1)
    text = str(text)
    if "\n" not in text:  # most text: one paragraph, no split (-(-a // b) is ceil(a / b) in integers)
        return max(1, -(-len(text) // per_line))
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


_TEXT_OR_NONE = frozenset({str, type(None)})


def lines_column(texts: list, width: float) -> list[int]:
    """:func:`lines_needed` of each of ``texts`` (a blank, None, is one line), the line's width worked out
    once for the column: one paragraph (most text) is its length over the characters a line holds."""
    per_line = max(int(width * CHARS_PER_WIDTH), 1)
    if not _TEXT_OR_NONE.issuperset(map(type, texts)):  # a document's texts are already (no copy made)
        texts = [None if t is None else str(t) for t in texts]
    return [1 if t is None else lines_needed(t, width) if "\n" in t else (-(-len(t) // per_line) or 1) for t in texts]


def fitted_widths(frame: pd.DataFrame | Columns, columns: list[Col]) -> list[float]:
    """Each column's width: its own, widened for unwrapped text values up to :data:`MAX_FIT`, and for
    numbers to the widest as formatted (its total included), so none prints as ``###``."""
    widths = []
    for c in columns:
        width = c.shown_width
        fitted = (c.kind == "text" and not c.wrap) or (c.numeric and c.kind_key is None)
        values = frame.get(c.key) if fitted else None
        if values is not None and len(values) and c.kind == "text":
            width = max(width, min(MAX_FIT, math.ceil(longest_text(values) / CHARS_PER_WIDTH) + 2))
        elif values is not None and len(values):
            width = max(width, number_width(values, c.kind, c.total))
        widths.append(width)
    return widths


PLACES = {"cents": 2, "dollars": 0, "ratio": 3, "mills": 1, "percent": 4, "share": 2, "change": 1, "units": 2,
          "millionths": 2, "count": 0, "weight": 6, "impact": 4, "number": 2}  # as NUMBER_FORMATS show them
PERCENT_KINDS = {"percent", "share", "change"}


def number_width(values: pd.Series | list, kind: str, total: bool = False) -> float:
    """The width a numeric column needs for its widest value as its number format shows it (digits are one
    unit wide; a grouping comma, point, sign or % about half): the largest magnitude, or the column's sum."""
    if isinstance(values, list):  # a table's column (:class:`Columns`), measured in Python
        numbers = [abs(v) for v in values if v is not None]
        if not numbers:
            return 0
        types = set(map(type, numbers))
        # the largest of any numbers is the same in Python; a sum only of ints (pandas adds floats pairwise)
        if types == {int} or (not total and types <= {int, float, Decimal} and all(map(math.isfinite, numbers))):
            return _number_width(float(max(numbers)), float(sum(numbers)) if total else 0.0, kind)
        values = pd.Series(values, dtype=object)  # any other numbers as pandas reads them
    # an integer column (int64, or Int64 with blanks) in numpy: a few µs, where a Series per step costs 100
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu" and len(values):
        numbers = np.abs(values.to_numpy())
    elif pd.api.types.is_integer_dtype(values.dtype):
        if values.array.isna().all():
            return 0
        numbers = np.abs(values.to_numpy(dtype=np.int64, na_value=0))  # a blank as 0 changes no max, no sum
    else:
        numbers = pd.to_numeric(values, errors="coerce").abs()
        if not numbers.notna().any():
            return 0
    return _number_width(float(numbers.max()), float(numbers.sum()) if total else 0.0, kind)


def _number_width(largest: float, total: float, kind: str) -> float:
    """:func:`number_width` from a column's largest magnitude and (when it is totalled) its sum."""
    largest = max(largest, total)
    shown = cell_value(largest, kind) if kind not in ("units", "number", "weight") else largest
    shown = abs(float(shown or 0)) * (100 if kind in PERCENT_KINDS else 1)
    digits = len(f"{int(shown):d}") + PLACES.get(kind, 2) + (1 if kind in PERCENT_KINDS else 0)
    marks = digits // 3 + 2  # grouping commas, the point and a minus sign
    return math.ceil(digits + marks * 0.5 + 2)


def longest_text(values: pd.Series) -> int:
    """The length of the longest text in a column; 0 when it holds none.

    One pass over the strings (blanks are not strings): cheaper than pandas' ``.str.len()`` for the short
    columns of a statement (9 µs against 200 µs) and no dearer on long ones.
    """
    return max((len(v) for v in _listed(values) if isinstance(v, str)), default=0)


def cell_value(value, kind: str):
    """The number (or text, or date) Excel should hold for a stored value of ``kind``; None when blank."""
    if _blank(value):
        return None
    return KINDS[kind][1](value)


def write_value(ws, row: int, col: int, value, kind: str, styles: Styles, role: str = "body") -> None:
    """One cell: text always as text, numbers with the kind's number format, blanks kept formatted."""
    v = cell_value(value, kind)
    fmt = styles(KINDS[kind][0], role)
    if v is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(v, str):
        ws.write_string(row, col, v, fmt)
    elif isinstance(v, (date, datetime)):
        ws.write_datetime(row, col, pd.Timestamp(v).to_pydatetime(), fmt)
    else:
        ws.write_number(row, col, v, fmt)


def subtotal_formula(col: int, first: int, last: int) -> str:
    """The total of a table column's visible rows (plain A1 references: every spreadsheet program reads them)."""
    return f"SUBTOTAL(109,{xl_rowcol_to_cell(first, col)}:{xl_rowcol_to_cell(last, col)})"


@dataclass(frozen=True)
class Columns:
    """A table's values as one list per key, None where blank, and its number of rows: each column of a
    data sheet sized, written and totalled from one list (taking a column out of a DataFrame costs some
    20 µs each time, and its blanks another pass)."""

    values: dict[str, list]
    rows: int

    @classmethod
    def of(cls, frame: pd.DataFrame, columns: list[Col]) -> Columns:
        """The frame's columns that ``columns`` show (or name the kinds of)."""
        keys = dict.fromkeys(k for c in columns for k in (c.key, c.kind_key) if k is not None and k in frame)
        return cls({key: listed(frame[key]) for key in keys}, len(frame))

    def get(self, key: str):
        return self.values.get(key)

    def __getitem__(self, key: str) -> list:
        return self.values[key]

    def __len__(self) -> int:
        return self.rows


@dataclass(frozen=True)
class Placed:
    """Where a table landed: header row, data rows and the column of each key (for charts and formulas)."""

    sheet: str
    header_row: int
    first: int
    last: int
    columns: dict[str, int] = field(default_factory=dict)
    next_row: int = 0
    width: float = 0  # the table's width in column-width units
    lines: list[int] = field(default_factory=list)  # each data row's lines of wrapped text

    @property
    def rows(self) -> int:
        return self.last - self.first + 1

    def ref(self, key: str) -> list:
        """A chart range ``[sheet, first_row, col, last_row, col]`` for column ``key``."""
        c = self.columns[key]
        return [self.sheet, self.first, c, self.last, c]


def header_height(columns: list[Col], widths: list[float]) -> float:
    """A header row tall enough for its longest wrapped header (bold: a little wider than body text)."""
    lines = max(lines_needed(c.header, (w - 1) / 1.1) for c, w in zip(columns, widths))
    return ROW_HEIGHT * lines + 3


def exact_total(frame: pd.DataFrame | dict, col: Col):
    """A column's total, exact for integer kinds (cents stay cents); ``frame`` a DataFrame or lists by key."""
    column = frame.get(col.key)
    if column is None:
        return 0
    if isinstance(column, list):  # a document's or a table's column: its blanks are None
        if col.kind in ("cents", "dollars", "count", "millionths") and set(map(type, column)) <= {int, type(None)}:
            return sum(filter(None, column))  # whole numbers summed in C (a blank, like a 0, adds nothing)
        values = [v for v in column if v is not None]
    else:
        values = [v for v, blank in zip(column.tolist(), blanks(column)) if not blank]
    if col.kind in ("cents", "dollars", "count", "millionths"):
        return sum(map(int, values))
    return sum((Decimal(v) if isinstance(v, Decimal) else Decimal(str(float(v))) for v in values), Decimal(0))


def blanks(values: pd.Series | list) -> list[bool]:
    """Which values of a column are blank (None, NA, NaN, NaT); none can be in a numpy integer or bool column.
    A list is a document's column, its blanks None (a document's values are JSON's)."""
    if isinstance(values, list):
        return [v is None for v in values]
    missing = _missing(values)
    return [False] * len(values) if missing is None else missing.tolist()


def _missing(column: pd.Series) -> np.ndarray | None:
    """A column's blanks as an array; None for a numpy integer or bool column, where none can be."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iub":
        return None
    return np.asarray(column.array.isna())  # a nullable column's mask, not an object array of it


def listed(column: pd.Series) -> list:
    """A column's values as a list, None where blank (a table's column in :class:`Columns`)."""
    values = column.tolist()
    missing = _missing(column)
    if missing is None or not missing.any():  # most columns: no pass over the values
        return values
    return [None if blank else v for v, blank in zip(values, missing.tolist())]


def document_columns(rows: list[dict], keys: list[str]) -> dict[str, list]:
    """A document's table rows as a list of values per key (a key a row lacks: None), taken from all the rows
    in one pass (one item getter over the rows, then the tuples turned into columns)."""
    if not rows:
        return {key: [] for key in keys}
    try:
        taken = map(operator.itemgetter(*keys), rows)
        columns = [list(c) for c in zip(*taken)] if len(keys) > 1 else [list(taken)]
    except KeyError:  # a row without some key
        columns = [[r.get(key) for r in rows] for key in keys]
    return dict(zip(keys, columns))


def _listed(values: pd.Series | list) -> list:
    return values if isinstance(values, list) else values.tolist()


def excel_values(values: pd.Series | list, kind: str) -> list:
    """What Excel should hold for each value of a column of ``kind`` (None where blank), converted in one pass.

    A list (a document's column, blanks None) of text is its own values; of ints in units (:data:`_UNITS`)
    each is divided with no call per value (an int over an int is the same float ``int(v) / n`` gives); of
    any other numbers (but floats) each distinct value is converted once (a charges table repeats its units)."""
    convert = KINDS[kind][1]
    if not isinstance(values, list):
        return [None if blank else convert(v) for v, blank in zip(values.tolist(), blanks(values))]
    types = set(map(type, values)) - {type(None)}
    if kind == "text":
        return values if types <= {str} else [None if v is None else convert(v) for v in values]
    if types == {int} and kind in _UNITS:
        n = _UNITS[kind]
        return [None if v is None else v / n for v in values]
    if float in types:  # 0.0 and -0.0 are one key but two values
        return [None if v is None else convert(v) for v in values]
    distinct = dict.fromkeys(values)
    distinct.pop(None, None)
    converted = {v: convert(v) for v in distinct}
    return list(map(converted.get, values))


def write_column(ws, styles: Styles, row: int, col: int, values: pd.Series | list, kind: str,
                 role: str = "body") -> None:
    """One column's values down from ``row``: the format and the write method chosen once for the column.

    Blank values are left out: a body cell's format shows nothing on an empty cell, and every cell
    written costs its share of the file.
    """
    if kind == "date":  # few and varied: each through write_value
        for i, value in enumerate(_listed(values)):
            if not _blank(value):
                write_value(ws, row + i, col, value, kind, styles, role)
        return
    ws.write_cells(row, col, excel_values(values, kind), styles(KINDS[kind][0], role), text=kind == "text")


def write_table(ws, styles: Styles, frame: pd.DataFrame | Columns | list[dict], columns: list[Col], first_row: int = 0,
                name: str | None = None, total_label: str = "Total", freeze_cols: int | None = None,
                set_widths: bool = True, empty_text: str = "None.", widths: list[float] | None = None,
                table: bool | None = None) -> Placed:
    """Write ``frame`` under a header row, with a total row when a column is totalled.

    Up to :data:`MAX_TABLE_ROWS` rows (or when ``table`` is true) the rows are an Excel table, banded
    with filter buttons; longer ones (or when ``table`` is false) are a plain range with an autofilter,
    because xlsxwriter checks every cell of a table. Either way the total row holds SUBTOTAL formulas
    carrying their values. Text columns widen to fit their values (unless ``widths`` gives them); rows
    with wrapped text grow to show it all. ``freeze_cols`` freezes the header row and that many leading
    columns. Returns where the table landed; ``next_row`` is the first free row after it, leaving one
    blank row; ``lines`` each data row's lines of wrapped text.

    ``frame`` may also be a document's rows (dicts by key, a blank None): their columns are then taken
    as lists, with no DataFrame made (a statement's charges). A DataFrame's columns are taken out once, as
    :class:`Columns` (or given so).
    """
    n = len(frame)
    if isinstance(frame, list):
        widths = widths or fitted_widths(pd.DataFrame(frame, columns=[c.key for c in columns]), columns)
        frame = document_columns(frame, [c.key for c in columns])
    else:
        frame = frame if isinstance(frame, Columns) else Columns.of(frame, columns)
        widths = widths or fitted_widths(frame, columns)
    if set_widths:
        for j, width in enumerate(widths):
            ws.set_column(j, j, width)
    ws.set_row(first_row, header_height(columns, widths))
    positions = {c.key: j for j, c in enumerate(columns)}
    sheet = ws.get_name()
    heads = [styles["header_right"] if c.numeric else styles["header"] for c in columns]
    if n == 0:
        _write_headers(ws, columns, heads, first_row)
        ws.write_string(first_row + 1, 0, empty_text, styles["aside"])
        return Placed(sheet, first_row, first_row + 1, first_row, positions, first_row + 3, sum(widths))
    lines = _write_body(ws, styles, frame, columns, widths, first_row + 1, n)
    last_data = first_row + n
    has_total = any(c.total for c in columns)
    totals = {j: cell_value(exact_total(frame, c), c.kind if c.kind in SUMMABLE else "cents") or 0
              for j, c in enumerate(columns) if c.total and j > 0}
    as_table = n <= MAX_TABLE_ROWS if table is None else table
    if as_table:
        _add_table(ws, columns, heads, first_row, last_data, totals if has_total else None, total_label, name)
    else:
        _write_headers(ws, columns, heads, first_row)
        _autofilter(ws, first_row, last_data, len(columns) - 1)
    if has_total:
        _write_total_row(ws, styles, columns, totals, first_row + 1, last_data, total_label)
    if freeze_cols is not None:
        ws.freeze_panes(first_row + 1, freeze_cols)
    return Placed(sheet, first_row, first_row + 1, last_data, positions,
                  last_data + (2 if has_total else 1) + 1, sum(widths), lines)


def _write_headers(ws, columns: list[Col], heads: list, row: int) -> None:
    """The header row of a table that is not an Excel table (which writes its own)."""
    for j, c in enumerate(columns):
        ws.write_string(row, j, c.header, heads[j])


def _add_table(ws, columns: list[Col], heads: list, first_row: int, last_data: int, totals: dict | None,
               total_label: str, name: str | None) -> None:
    """An Excel table over the header row, the data rows and (when ``totals`` is given) the total row."""
    specs = []
    for j, (c, head) in enumerate(zip(columns, heads)):
        # table XML escapes no control character, and a tab or carriage return in the column's name attribute
        # reads back as a space (XML attribute normalisation; a line feed is escaped), unlike its header cell:
        # Excel would "repair" the table. So a tab is a space and a CR a line break, in the cell and the name
        header = clean_text(c.header).replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")
        spec = {"header": header, "header_format": head}
        if totals is not None and j == 0:
            spec["total_string"] = total_label
        elif totals is not None and j in totals:
            spec |= {"total_function": subtotal_formula(j, first_row + 1, last_data), "total_value": totals[j]}
        specs.append(spec)
    options = {"columns": specs, "style": "Table Style Light 1", "autofilter": True, "total_row": totals is not None}
    if name:
        options["name"] = name
    ws.add_table(first_row, 0, last_data + (1 if totals is not None else 0), len(columns) - 1, options)


_FILTERED: weakref.WeakSet = weakref.WeakSet()  # worksheets given their (only) autofilter


def _autofilter(ws, header_row: int, last_data: int, last_col: int) -> None:
    """Filter buttons on the header row, unless the sheet already has its one autofilter."""
    if ws not in _FILTERED:
        ws.autofilter(header_row, 0, last_data, last_col)
        _FILTERED.add(ws)


def _write_total_row(ws, styles: Styles, columns: list[Col], totals: dict, first: int, last: int,
                     label: str) -> None:
    """The total row under the data: the label, a SUBTOTAL of each totalled column (with its value), blanks."""
    row = last + 1
    for j, c in enumerate(columns):
        if j == 0:
            ws.write_string(row, 0, label, styles["total"])
        elif j in totals:
            fmt = styles(KINDS[c.kind if c.kind in SUMMABLE else "cents"][0], "total")
            ws.write_formula(row, j, "=" + subtotal_formula(j, first, last), fmt, totals[j])
        else:
            ws.write_blank(row, j, None, styles["total"])


def _write_body(ws, styles: Styles, frame: dict | Columns, columns: list[Col], widths: list[float],
                row: int, n: int) -> list[int]:
    """The ``n`` data rows from ``row``, column by column (``frame`` lists by key, None where blank, as
    :func:`write_table` makes them); a row with wrapped text grows to show it all. Returns each row's lines."""
    lines = [1] * n
    for j, c in enumerate(columns):
        values = frame.get(c.key)
        if values is None:
            values = [None] * n
        role = "wrap" if c.wrap else "body"
        if c.kind_key:  # a column of mixed kinds: each value its own
            for i, (value, kind) in enumerate(zip(values, frame[c.kind_key])):
                if not _blank(value):
                    write_value(ws, row + i, j, value, kind, styles, role)
        else:
            write_column(ws, styles, row, j, values, c.kind, role)
        if c.wrap:  # wrapped text is indented
            lines = list(map(max, lines, lines_column(values, widths[j] - INDENT_WIDTH)))
    set_rows(ws, row, [ROW_HEIGHT * count + 2 if count > 1 else None for count in lines])
    return lines


def write_pairs(ws, styles: Styles, row: int, pairs: list[tuple], col: int = 0) -> int:
    """Label / value rows: each pair is ``(label, value, kind[, role[, note]])``.

    The label goes in ``col``, the value in ``col + 1`` and a note, if any, in
    ``col + 2``. A value that is a :class:`Formula` is written as one, with its
    computed value cached. Returns the next free row.
    """
    for pair in pairs:
        label, value, kind = pair[:3]
        role = pair[3] if len(pair) > 3 else "body"
        note = pair[4] if len(pair) > 4 else ""
        ws.write_string(row, col, label, styles["label"] if role in ("body", "left") else styles[role])
        if isinstance(value, Formula):
            ws.write_formula(row, col + 1, value.text, styles(KINDS[kind][0], role),
                             cell_value(value.value, kind) or 0)
        else:
            write_value(ws, row, col + 1, value, kind, styles, role)
        if note:
            ws.write_string(row, col + 2, note, styles["aside"])
        row += 1
    return row


@dataclass(frozen=True)
class Formula:
    """A formula for :func:`write_pairs` with the value it computes (stored in the kind's units)."""

    text: str
    value: object


def write_section(ws, styles: Styles, row: int, title: str, last_col: int = 1) -> int:
    """A section heading underlined across ``0..last_col``; returns the next row."""
    ws.write_string(row, 0, title, styles["section"])
    for c in range(1, last_col + 1):
        ws.write_blank(row, c, None, styles["section"])
    ws.set_row(row, ROW_HEIGHT + 5)
    return row + 1


def write_note(ws, styles: Styles, row: int, text: str, last_col: int, width: float) -> int:
    """Explanatory text wrapped across columns ``0..last_col`` (``width`` characters in all); returns the next row."""
    lines = lines_needed(text, width)
    if last_col > 0:
        ws.merge_range(row, 0, row, last_col, "", styles["note"])
    ws.write_string(row, 0, text, styles["note"])
    ws.set_row(row, ROW_HEIGHT * lines + 1)
    return row + 1
