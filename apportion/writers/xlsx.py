"""xlsxwriter with less Python per cell: the same worksheet XML, written faster.

Every report is an xlsxwriter workbook; most of a run's time went into
xlsxwriter turning cells into XML (about 8 µs a cell). :class:`Workbook` is
xlsxwriter's own workbook with three changes underneath its interface:

* its worksheets (:class:`Worksheet`) store a column of cells in one call
  (:meth:`Worksheet.write_cells`) as one object, whose cells' XML is made a
  column at a time when the sheet is written (a summary's data sheets are tens
  of thousands of such cells), take the row/column write calls without the
  A1-notation wrapper (a string or formatted blank at int coordinates stored in
  one call), merge part of a row in one pass, and write the ``<sheetData>`` of
  plain cells (numbers, dates, shared strings, formatted blanks) and the
  ``<mergeCells>`` with one string template per item;
* the shared-strings part is written the same way, escaping ``&<>`` and
  marking kept whitespace as xlsxwriter does;
* the zip is deflated at level 1 rather than 6 (:data:`DEFLATE_LEVEL`): a
  fifth larger, a third of the deflate time.

Any other cell (a formula, a boolean, a cell without a format,
a row with comments, a string with control characters) goes through xlsxwriter's own
code, so the XML of every part is byte for byte what xlsxwriter writes — except that a string shaped like
rich text (``<r>…</r>``) is written as the text it is, where xlsxwriter would pass it through as markup
(``tests/test_xlsx.py`` checks each part against plain xlsxwriter, and reads
the files back with openpyxl and calamine).
"""
from __future__ import annotations

import re
from math import isfinite

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.exceptions import OverlappingRange
from xlsxwriter.packager import Packager as _Packager
from xlsxwriter.sharedstrings import SharedStrings as _SharedStrings
from xlsxwriter.utility import xl_col_to_name, xl_range, xl_rowcol_to_cell
from xlsxwriter.worksheet import (CellBlankTuple, CellDatetimeTuple, CellNumberTuple, CellStringTuple,
                                  Worksheet as _Worksheet, convert_range_args)

#: zlib level for every part of the zip: 1 deflates in a third of level 6's time, for about 20 % more bytes
DEFLATE_LEVEL = 1

# A string that xlsxwriter changes on its way into the XML (escapes, control characters and their _xHHHH_
# form, leading or trailing whitespace kept with xml:space): not written from the plain template.
_SPECIAL_STRING = re.compile(r"^\s|\s$|[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_ESCAPE_DATA = re.compile("[&<>]")
# What xlsxwriter rewrites in a shared string: a literal _xHHHH_ (its underscore escaped, so it reads back as
# typed), the control characters XML cannot carry and U+FFFE/U+FFFF (as _xHHHH_), and &<>. A string with none
# of SPECIAL_CHARACTER and no "_x" is written as it is (a plain substring test is far cheaper than a regex).
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
SPECIAL_CHARACTER = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]")
_PLAIN_NUMBER = (int, float)
_PLAIN_NUMBER_SET = frozenset(_PLAIN_NUMBER)
# A number's text in the XML is xlsxwriter's f"{number:.16G}", about 1 µs for a float: each float's text is
# kept (a job's statements repeat their unit costs, pools and shares), and a whole number that a float holds
# exactly prints as str() gives it.
_NUMBER_TEXT: dict[float, str] = {}
_NUMBER_TEXT_LIMIT = 200_000
_EXACT_INT = 2**53
# xlsxwriter prefixes each "future" function (FILTER, XLOOKUP …) of a formula with _xlfn., trying some 150
# regular expressions on every formula (0.1 ms each; a summary's table totals are thousands). A formula
# whose every call (the name before each "(") is one of these has none to prefix.
_CALLED = re.compile(r"([\w.]*)\(")
_PLAIN_CALLS = frozenset({"", "SUBTOTAL", "SUM"})
# the add_table options (and a column's) that Worksheet.add_table makes as xlsxwriter does; a table's total
# functions xlsxwriter writes as SUBTOTAL of the column, and the names it takes for two of them
_TABLE_OPTIONS = frozenset({"columns", "style", "autofilter", "total_row", "name"})
_TABLE_COLUMN_OPTIONS = frozenset({"header", "header_format", "total_string", "total_function", "total_value"})
_TABLE_SUBTOTALS = frozenset({"average", "countNums", "count", "max", "min", "stdDev", "sum", "var"})
_TABLE_FUNCTION_NAMES = {"count_nums": "countNums", "std_dev": "stdDev"}
# a table name xlsxwriter takes without a warning: letters, digits, _ and ., not shaped like a cell (A1, R1C1)
_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,254}")
_CELL_LIKE = re.compile(r"[a-zA-Z][a-zA-Z]?[a-dA-D]?\d+|[rcRC]|[rcRC]\d+[rcRC]\d+")


def _ordered(corners: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """A block's corners as first row, first column, last row, last column (xlsxwriter takes either order)."""
    r1, c1, r2, c2 = corners
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _plain_table_name(options: dict) -> bool:
    name = options.get("name")
    return name is None or (name.__class__ is str and _TABLE_NAME.fullmatch(name) is not None
                            and _CELL_LIKE.fullmatch(name) is None)


def boxes_overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two blocks of cells, each (first row, first column, last row, last column), share a cell."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def number_text(value) -> str:
    """A number as xlsxwriter writes it in a cell, ``f"{value:.16G}"``, a float's text kept for the next time."""
    if value.__class__ is float:
        try:
            return _NUMBER_TEXT[value]
        except KeyError:
            text = f"{value:.16G}"
            if value:  # 0.0 and -0.0 are one key but two texts: never kept
                if len(_NUMBER_TEXT) > _NUMBER_TEXT_LIMIT:
                    _NUMBER_TEXT.clear()
                _NUMBER_TEXT[value] = text
            return text
    if value.__class__ is int and -_EXACT_INT <= value <= _EXACT_INT:
        return str(value)
    return f"{value:.16G}"



def _number_kind(numbers: list, kinds: set | None = None) -> str:
    """What a run's plain ``numbers`` (of the types ``kinds``, when known) are, for :meth:`_Run.render`:
    "float", "int" (each within ±2**53, printed by ``str``) or "mixed"."""
    kinds = set(map(type, numbers)) if kinds is None else kinds
    if kinds == {float}:
        return "float"
    if kinds == {int} and -_EXACT_INT <= min(numbers) and max(numbers) <= _EXACT_INT:
        return "int"
    return "mixed"


class _Run:
    """The cells of one ``write_cells`` call: from row ``first`` down column ``col``, all in ``format``;
    ``values`` the numbers or (``text``) the shared-string indices, None where there is no cell; ``number``
    what the numbers are: "float" (every one a float), "int" (every one an int that prints as ``str``) or
    "mixed". ``xml`` is each row's ``<c>`` element ("" where none), made by :meth:`render` when the sheet
    is written."""

    __slots__ = ("first", "col", "format", "values", "text", "number", "xml")

    def __init__(self, first: int, col: int, cell_format, values: list, text: bool, number: str = "mixed"):
        self.first, self.col, self.format, self.values, self.text = first, col, cell_format, values, text
        self.number = number
        self.xml: list[str] = []

    @property
    def last(self) -> int:
        return self.first + len(self.values) - 1

    def start(self, table: dict) -> int | None:
        """The first row where the run has a cell that ``table`` (the sheet's cells written after the run)
        does not hold; None when there is none."""
        col = self.col
        return next((row for row, v in enumerate(self.values, self.first)
                     if v is not None and col not in (table.get(row) or ())), None)

    def column(self) -> int:
        return self.col

    def render(self, letters: str, style: str) -> None:
        """Each cell's XML as xlsxwriter writes a string or number cell of format index ``style``: a column
        of one kind of number formatted in the template itself (what :func:`number_text` gives each: a
        float's ``.16G``, an int's ``str``), with no call per cell; a float is seldom met twice in a column of
        the summary (its amounts), so keeping its text would cost more than it saves."""
        head = f'<c r="{letters}'
        values, rows = self.values, range(self.first + 1, self.first + 1 + len(self.values))
        if self.text or self.number == "int":
            tail = f'" s="{style}" t="s"><v>' if self.text else f'" s="{style}"><v>'
            self.xml = [f"{head}{row}{tail}{v}</v></c>" if v is not None else "" for row, v in zip(rows, values)]
            return
        tail = f'" s="{style}"><v>'
        if self.number == "float":
            self.xml = [f"{head}{row}{tail}{v:.16G}</v></c>" if v is not None else ""
                        for row, v in zip(rows, values)]
        else:
            self.xml = [f"{head}{row}{tail}{number_text(v)}</v></c>" if v is not None else ""
                        for row, v in zip(rows, values)]


class Worksheet(_Worksheet):
    """An xlsxwriter worksheet whose plain cells cost a fraction of the Python."""

    def __init__(self):
        super().__init__()
        self._runs: list[_Run] = []  # the columns stored by write_cells, in the order written
        # each table's (first row, first column, last row, last column) and its range in A1 notation
        self._table_boxes: list[tuple[tuple[int, int, int, int], str]] = []

    # --- storing cells -----------------------------------------------------------------------------------

    # xlsxwriter's write calls take A1 notation through a wrapper that tries int() on every call; a call
    # with a numeric row skips it (the same undecorated method the wrapper ends in)

    def write_string(self, *args, **kwargs):
        if len(args) == 4 and not kwargs and self._plain_cell(*args[:2]):
            row, col, string, cell_format = args
            if len(string) <= self.xls_strmax // 2:  # cannot be over Excel's limit: stored as _write_string would
                self.table[row][col] = CellStringTuple(self.str_table._get_shared_string_index(string), cell_format)
                return 0
        if args and type(args[0]) is int:
            return self._write_string(*args, **kwargs)
        return super().write_string(*args, **kwargs)

    def write_rich_string(self, *args, **kwargs):
        """Refused: a rich string is stored as its XML, which the shared-strings part here writes as text."""
        raise NotImplementedError("the reports write no rich strings; every string is written as text")

    def _plain_cell(self, row, col) -> bool:
        """Whether (row, col) are ints inside the sheet, not in constant-memory mode: then the cell's dimensions
        are taken in here, as ``_check_dimensions`` would, and the caller stores the cell itself."""
        if row.__class__ is not int or col.__class__ is not int or self.constant_memory \
                or not (0 <= row < self.xls_rowmax and 0 <= col < self.xls_colmax):
            return False
        if self.dim_rowmin is None:
            self.dim_rowmin = self.dim_rowmax = row
            self.dim_colmin = self.dim_colmax = col
            return True
        if row < self.dim_rowmin:
            self.dim_rowmin = row
        elif row > self.dim_rowmax:
            self.dim_rowmax = row
        if col < self.dim_colmin:
            self.dim_colmin = col
        elif col > self.dim_colmax:
            self.dim_colmax = col
        return True

    def _prepare_formula(self, formula, expand_future_functions=False):
        """xlsxwriter's, its braces and leading = taken off as it does, without trying each future function
        on a formula that calls none (:data:`_PLAIN_CALLS`)."""
        if not set(_CALLED.findall(formula)) <= _PLAIN_CALLS:
            return super()._prepare_formula(formula, expand_future_functions)
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        return formula[:-1] if formula.endswith("}") else formula

    def write_number(self, *args, **kwargs):
        if args and type(args[0]) is int:
            return self._write_number(*args, **kwargs)
        return super().write_number(*args, **kwargs)

    def write_blank(self, *args, **kwargs):
        if len(args) == 4 and not kwargs and args[3] is not None and self._plain_cell(*args[:2]):
            self.table[args[0]][args[1]] = CellBlankTuple(args[3])
            return 0
        if args and type(args[0]) is int:
            return self._write_blank(*args, **kwargs)
        return super().write_blank(*args, **kwargs)

    @convert_range_args
    def merge_range(self, first_row, first_col, last_row, last_col, data, cell_format=None):
        """xlsxwriter's ``merge_range``; an empty merge across part of one row (the statements' working and
        notes: hundreds a statement) stored here, with the same overlap check, in one pass. A merge over a
        table is refused here (the tables are kept as their ranges, not cell by cell: :meth:`add_table`)."""
        corners = (first_row, first_col, last_row, last_col)
        if all(v.__class__ is int for v in corners) and (first_row, first_col) != (last_row, last_col):
            table = self._table_over(*_ordered(corners))
            if table is not None:
                raise OverlappingRange(f"Merge range '{xl_range(*_ordered(corners))}' overlaps previous table "
                                       f"range '{table}'.")
        if data != "" or first_row != last_row or first_row.__class__ is not int or not (
                first_col.__class__ is int and last_col.__class__ is int and first_col < last_col) \
                or self.constant_memory or not (0 <= first_row < self.xls_rowmax and 0 <= first_col
                                                and last_col < self.xls_colmax):
            return super().merge_range(first_row, first_col, last_row, last_col, data, cell_format)
        merged = self.merged_cells
        keys = [(first_row, col) for col in range(first_col, last_col + 1)]
        if any(key in merged for key in keys):  # xlsxwriter raises its OverlappingRange
            return super().merge_range(first_row, first_col, last_row, last_col, data, cell_format)
        self._plain_cell(first_row, first_col)
        self._plain_cell(first_row, last_col)
        cell_range = xl_range(first_row, first_col, last_row, last_col)
        for key in keys:
            merged[key] = cell_range
        self.merge.append([first_row, first_col, last_row, last_col])
        if cell_format is not None:  # the first cell blank as _write("") writes it, the others padded blank
            row = self.table[first_row]
            blank = CellBlankTuple(cell_format)
            for col in range(first_col, last_col + 1):
                row[col] = blank
        return 0

    def write_cells(self, first_row: int, col: int, values: list, cell_format, text: bool) -> None:
        """``values`` down column ``col`` from ``first_row``, all with ``cell_format``; a None is left unwritten.

        The same cells as ``write_string`` (``text``) or ``write_number`` on each value. A column of plain
        finite ints and floats, or of strings Excel can hold, in a format, is kept as one :class:`_Run` (the
        strings given their shared-string indices now, in order, as ``write_string`` would): no object per
        cell, its XML made a column at a time when the sheet is written. Any other value is a cell of its
        own (NaN, infinity, Fraction, numpy scalars through xlsxwriter's own ``write_number``; a string that
        may be too long for Excel cut by its ``write_string``), and so is every cell of an unformatted column
        (which takes its row's or column's format).
        """
        present = [v for v in values if v is not None] if None in values else values
        if not present:
            return
        # the rows with a value (a full column, most of them, makes no list of its rows)
        rows = range(len(values)) if present is values else [i for i, v in enumerate(values) if v is not None]
        last = first_row + rows[-1]
        if self.constant_memory or first_row < 0 or last >= self.xls_rowmax or not 0 <= col < self.xls_colmax \
                or cell_format is None:
            write = self._write_string if text else self._write_number
            for i in rows:
                write(first_row + i, col, values[i], cell_format)
            return
        values = list(values)
        number = "mixed"
        if text:
            index = self.str_table._get_shared_string_index
            long = self.xls_strmax // 2
            if max(map(len, present)) <= long:  # none can be over Excel's limit: every index taken in order
                values = [None if v is None else index(v) for v in values]
            else:
                for i in rows:
                    value = values[i]
                    if len(value) > long:  # perhaps over Excel's limit: cut by xlsxwriter, its index taken in turn
                        self._write_string(first_row + i, col, value, cell_format)
                        values[i] = None
                    else:
                        values[i] = index(value)
        else:
            kinds = set(map(type, present))
            # floats only: finite when their sum is (a NaN or an infinity makes the sum one)
            finite = isfinite(sum(present)) if kinds == {float} else float not in kinds or all(
                map(isfinite, (v for v in present if v.__class__ is float)))
            if not kinds <= _PLAIN_NUMBER_SET or not finite:
                for i in rows:  # NaN, infinity, Fraction, numpy scalars: xlsxwriter's own handling
                    value = values[i]
                    if type(value) not in _PLAIN_NUMBER or not (type(value) is int or isfinite(value)):
                        self._write_number(first_row + i, col, value, cell_format)
                        values[i] = None
                number = _number_kind([v for v in values if v is not None])
            else:
                number = _number_kind(present, kinds)
        self._check_dimensions(first_row + rows[0], col)
        self._check_dimensions(last, col)
        self._add_run(_Run(first_row, col, cell_format, values, text, number))

    # --- column runs -------------------------------------------------------------------------------------

    # A run's cells are the sheet's cells as if each were in self.table: a cell written after the run (in
    # self.table) wins over it, and a run wins over the cells written before it, which it takes out of
    # self.table (and out of earlier runs), so the table and the runs never hold the same cell twice.

    def _add_run(self, run: _Run) -> None:
        table, col, first = self.table, run.col, run.first
        # the rows the table holds within the run, found from whichever is shorter (a data sheet's table
        # holds a few rows of titles and totals, its runs hundreds of cells)
        rows = [row for row in table if first <= row <= run.last] if len(table) < len(run.values) \
            else range(first, run.last + 1)
        for row in rows:
            cells = table.get(row)
            if cells and col in cells and run.values[row - first] is not None:
                del cells[col]
        for other in self._runs:
            if other.col == col and first <= other.last and other.first <= run.last:
                kept = list(other.values)
                for row in range(max(first, other.first), min(run.last, other.last) + 1):
                    if run.values[row - first] is not None:
                        kept[row - other.first] = None
                other.values = kept
        self._runs.append(run)

    def _flush_runs(self) -> None:
        """Every run's cells into self.table as xlsxwriter's own cells (for xlsxwriter code that reads them)."""
        strings_or_numbers = {True: CellStringTuple, False: CellNumberTuple}
        runs, self._runs = self._runs, []
        for run in runs:
            cell, table, col, fmt = strings_or_numbers[run.text], self.table, run.col, run.format
            for row, value in enumerate(run.values, run.first):
                if value is not None:
                    cells = table[row]
                    if col not in cells:
                        cells[col] = cell(value, fmt)

    def _get_range_data(self, row_start, col_start, row_end, col_end):
        self._flush_runs()  # a chart's cached data: read by xlsxwriter from self.table
        return super()._get_range_data(row_start, col_start, row_end, col_end)

    def autofit(self, *args, **kwargs):
        self._flush_runs()
        return super().autofit(*args, **kwargs)

    # --- tables ------------------------------------------------------------------------------------------

    @convert_range_args
    def add_table(self, first_row, first_col, last_row, last_col, options=None):
        """xlsxwriter's ``add_table`` for the tables the reports make, its range checked against the earlier
        tables and merged ranges once, as a rectangle, and kept as its range: xlsxwriter checks and records
        each cell of the range in turn, the largest cost of a summary's data sheet (its CoSer grid: tens of
        thousands of cells), so a later merge or table is checked against the ranges here too. The table,
        its header and total cells are as xlsxwriter makes them; any other table (other options, bad input,
        an overlap, which xlsxwriter reports) is xlsxwriter's own."""
        options = dict(options or {})
        columns = options.get("columns", [])
        corners = (first_row, first_col, last_row, last_col)
        width = last_col - first_col + 1 if all(v.__class__ is int for v in corners) else 0
        headers = [(columns[j].get("header") if j < len(columns) and columns[j] else None) or f"Column{j + 1}"
                   for j in range(width)]
        if (not headers or self.constant_memory or not set(options) <= _TABLE_OPTIONS
                or not options.get("autofilter", True) or not first_row < last_row or first_col > last_col
                or self._check_dimensions(first_row, first_col, True, True)
                or self._check_dimensions(last_row, last_col, True, True)
                or any(c and not set(c) <= _TABLE_COLUMN_OPTIONS for c in columns)
                or len({h.lower() for h in headers}) < len(headers) or not _plain_table_name(options)
                or self._overlaps(corners)):
            if width:  # over a table made here: xlsxwriter knows only its own tables' cells
                table = self._table_over(*_ordered(corners))
                if table is not None:
                    raise OverlappingRange(f"Table range '{xl_range(*_ordered(corners))}' overlaps previous "
                                           f"table range '{table}'.")
            added = super().add_table(first_row, first_col, last_row, last_col, options)
            if added == 0:
                self._table_boxes.append((_ordered(corners), self.tables[-1]["range"]))
            return added
        total = options.get("total_row", False)
        cell_range = xl_range(first_row, first_col, last_row, last_col)
        filtered = xl_range(first_row, first_col, last_row - 1 if total else last_row, last_col)
        table = {"show_first_col": False, "show_last_col": False, "show_row_stripes": True,
                 "show_col_stripes": False, "header_row_count": True, "totals_row_shown": total,
                 "description": None, "title": None}
        if "name" in options:
            table["name"] = options["name"]
        table["style"] = (options["style"] or "").replace(" ", "") if "style" in options else "TableStyleMedium9"
        table |= {"range": cell_range, "a_range": filtered, "autofilter": filtered, "columns": []}
        for j, (col, name) in enumerate(zip(range(first_col, last_col + 1), headers)):
            user = columns[j] if j < len(columns) else None
            data = {"id": j + 1, "name": name, "total_string": "", "total_function": "", "custom_total": "",
                    "total_value": 0, "formula": "", "format": None, "name_format": None}
            if user:
                data["name_format"] = user.get("header_format")
                if user.get("total_function"):
                    function = _TABLE_FUNCTION_NAMES.get(user["total_function"], user["total_function"])
                    if function in _TABLE_SUBTOTALS:
                        formula = self._table_function_to_formula(function, name)
                    else:
                        formula = data["custom_total"] = self._prepare_formula(function, True)
                        function = "custom"
                    data["total_function"] = function
                    self._write_formula(last_row, col, formula, None, user.get("total_value", 0))
                elif user.get("total_string"):
                    data["total_string"] = user["total_string"]
                    self._write_string(last_row, col, user["total_string"], None)
            table["columns"].append(data)
            self._write_string(first_row, col, name, data["name_format"])
        self.tables.append(table)
        self._table_boxes.append((corners, cell_range))  # for a later merged range or table to be checked against
        self.filter_cells.update(dict.fromkeys(((first_row, col) for col in range(first_col, last_col + 1)),
                                               ("table", cell_range)))
        return 0

    def _overlaps(self, corners: tuple[int, int, int, int]) -> bool:
        """Whether the block overlaps a merged range or a table so far, or its first row an autofilter's."""
        r1, c1, r2, c2 = corners
        return any(boxes_overlap(corners, merged) for merged in self.merge) \
            or self._table_over(*corners) is not None or any((r1, col) in self.filter_cells for col in range(c1, c2 + 1))

    def _table_over(self, r1: int, c1: int, r2: int, c2: int) -> str | None:
        """The range of a table the block overlaps; None when it overlaps none."""
        return next((ref for box, ref in self._table_boxes if boxes_overlap((r1, c1, r2, c2), box)), None)

    # --- the <sheetData> XML -----------------------------------------------------------------------------

    def _write_rows(self) -> None:
        """xlsxwriter's rows and cells, the plain ones and the runs' from templates; other rows and cells
        through its own code."""
        if self.comments or self.default_row_height != self.original_row_height or self.excel_version == 2010:
            self._flush_runs()
            return super()._write_rows()
        table, row_info = self.table, self.row_info
        spans = self._spans()
        colmin, colmax = self.dim_colmin, self.dim_colmax
        letters = [xl_col_to_name(col) for col in range(colmax + 1)]
        xf: dict = {}  # format → its xf index as text, asked of xlsxwriter once, in xlsxwriter's order
        runs = [(run, run.start(table)) for run in self._runs if colmin <= run.col <= colmax]
        runs = [(run, start) for run, start in runs if start is not None]
        starts: dict[int, list[_Run]] = {}
        ends: dict[int, list[_Run]] = {}
        if runs:
            self._number_formats(runs)
            for run, _ in runs:
                starts.setdefault(run.first, []).append(run)
                ends.setdefault(run.last + 1, []).append(run)
        active: list[_Run] = []  # the runs over this row, by column
        # the rows from one start or end of a run to the next have the same runs over them: each such
        # stretch's rows of run cells joined at once, the runs' columns turned into rows by zip
        bounds = sorted(starts.keys() | ends.keys())
        stretch, stretch_first = [], 0
        write = self.fh.write
        number_cell, string_cell, blank_cell, date_cell = CellNumberTuple, CellStringTuple, CellBlankTuple, \
            CellDatetimeTuple
        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            if row in ends or row in starts:
                gone = ends.get(row, ())
                active = sorted([r for r in active if r not in gone] + starts.get(row, []), key=_Run.column)
                for run in starts.get(row, ()):
                    run.render(letters[run.col], str(run.format._get_xf_index()))
                stop = next((b for b in bounds if b > row), self.dim_rowmax + 1)
                stretch = list(map("".join, zip(*(run.xml[row - run.first:stop - run.first] for run in active))))
                stretch_first = row
            cells = table.get(row)
            joined = stretch[row - stretch_first] if active else ""
            info = row_info.get(row)
            if not cells and not joined:
                if info is not None:
                    self._write_empty_row(row, spans.get(row // 16), info)
                continue
            if info is not None:
                self._write_row(row, spans.get(row // 16), info)
            else:
                span = spans.get(row // 16)
                write(f'<row r="{row + 1}" spans="{span}">' if span else f'<row r="{row + 1}">')
            if not cells:  # a row of the runs' cells only: already in column order
                write(joined + "</row>")
                continue
            by_col = {run.col: run.xml[row - run.first] for run in active if run.xml[row - run.first]} \
                if joined else {}
            number = f"{row + 1}\" s=\""  # the row number closing r, opening s
            parts = []
            for col in sorted(cells.keys() | by_col.keys()) if by_col else sorted(cells):
                if col < colmin or col > colmax:
                    continue
                cell = cells.get(col)
                if cell is None:
                    parts.append(by_col[col])
                    continue
                kind = cell.__class__
                fmt = cell.format
                if fmt is None or (kind is not number_cell and kind is not string_cell and kind is not blank_cell
                                   and kind is not date_cell):
                    write("".join(parts))
                    parts = []
                    self._write_cell(row, col, cell)
                    continue
                try:
                    s = xf[fmt]
                except KeyError:
                    s = xf[fmt] = str(fmt._get_xf_index())
                if kind is string_cell:
                    parts.append(f'<c r="{letters[col]}{number}{s}" t="s"><v>{cell.string}</v></c>')
                elif kind is blank_cell:
                    parts.append(f'<c r="{letters[col]}{number}{s}"/>')
                else:
                    parts.append(f'<c r="{letters[col]}{number}{s}"><v>{number_text(cell.number)}</v></c>')
            parts.append("</row>")
            write("".join(parts))

    def _number_formats(self, runs: list[tuple[_Run, int]]) -> None:
        """Give each format of the sheet its xf index in the order xlsxwriter's row by row walk would first
        meet it (a row's own format before its cells, cells by column): a run's cells are made a column at a
        time, ahead of that walk, so styles.xml lists the formats as it would for cells written one by one."""
        low, high, colmin, colmax = self.dim_rowmin, self.dim_rowmax, self.dim_colmin, self.dim_colmax
        uses = [(start, run.col, run.format) for run, start in runs]
        uses += [(row, -1, info.row_format) for row, info in self.row_info.items()
                 if info.row_format is not None and low <= row <= high]
        uses += [(row, col, cell.format) for row, cells in self.table.items() if low <= row <= high
                 for col, cell in cells.items() if cell.format is not None and colmin <= col <= colmax]
        for _, _, fmt in sorted(uses, key=lambda use: use[:2]):
            fmt._get_xf_index()

    def _write_merge_cells(self) -> None:
        """xlsxwriter's ``<mergeCells>``, each ``<mergeCell ref="A1:B1"/>`` from one template."""
        if not self.merge:
            return
        cell = xl_rowcol_to_cell
        self.fh.write(f'<mergeCells count="{len(self.merge)}">' + "".join(
            f'<mergeCell ref="{cell(r1, c1)}:{cell(r2, c2)}"/>' for r1, c1, r2, c2 in self.merge) + "</mergeCells>")

    def _spans(self) -> dict[int, str]:
        """xlsxwriter's ``spans`` of each block of 16 rows ("first:last" column, 1-based), from each row's keys."""
        spans: dict[int, list[int]] = {}
        colmin, colmax = self.dim_colmin, self.dim_colmax
        for row, cells in self.table.items():
            if not cells or row < self.dim_rowmin or row > self.dim_rowmax:
                continue
            low, high = min(cells), max(cells)
            if low < colmin or high > colmax:  # a cell outside the dimensions (never written by us): as xlsxwriter
                cols = [c for c in cells if colmin <= c <= colmax]
                if not cols:
                    continue
                low, high = min(cols), max(cols)
            block = spans.get(row // 16)
            if block is None:
                spans[row // 16] = [low, high]
            else:
                block[0], block[1] = min(block[0], low), max(block[1], high)
        # a run with a cell in every row first, then one with gaps only over the blocks whose span does not
        # yet reach its column (a span is the least and greatest column, whatever the order they are met in)
        runs = sorted((run for run in self._runs if colmin <= run.col <= colmax), key=lambda run: None in run.values)
        for run in runs:
            if None not in run.values:
                blocks = range(run.first // 16, run.last // 16 + 1)
            else:
                col, values, first = run.col, run.values, run.first
                blocks = [index for index in range(first // 16, run.last // 16 + 1)
                          if not (index in spans and spans[index][0] <= col <= spans[index][1])
                          and any(v is not None for v in values[max(index * 16 - first, 0):index * 16 + 16 - first])]
            for index in blocks:
                block = spans.get(index)
                if block is None:
                    spans[index] = [run.col, run.col]
                else:
                    block[0], block[1] = min(block[0], run.col), max(block[1], run.col)
        return {index: f"{low + 1}:{high + 1}" for index, (low, high) in spans.items()}


def escape_data(text: str) -> str:
    """Text for an XML element's content (``&<>``; quotes need no escape there)."""
    if not _ESCAPE_DATA.search(text):
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xstring(text: str) -> str:
    """Text for an element of the ``ST_Xstring`` type (a shared string, a header or footer) as xlsxwriter
    escapes it: a control character XML cannot hold as ``_xHHHH_``, a literal ``_xHHHH_`` kept by escaping
    its underscore (``_x005F_``), then ``&<>``."""
    if SPECIAL_CHARACTER.search(text) or "_x" in text:
        text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
        return escape_data(text)
    return text


def xml_text(text: str) -> str:
    """Text for an element that is plain XML text (a document property): ``&<>`` escaped and what XML 1.0
    cannot hold at all (control characters, U+FFFE/U+FFFF) left out."""
    return escape_data(_CONTROL.sub("", text))


def shared_string(text: str) -> str:
    """One ``<si>`` of the shared strings, as xlsxwriter writes it — without its raw rich-text passthrough: a
    string shaped like ``<r>…</r>`` (the form its ``write_rich_string`` stores) is text here like any other,
    where xlsxwriter wrote it as markup, so a district named so broke the part. The reports write no rich
    strings (:meth:`Worksheet.write_rich_string` refuses)."""
    text = xstring(text)
    if text[:1].isspace() or text[-1:].isspace():
        return f'<si><t xml:space="preserve">{text}</t></si>'
    return f"<si><t>{text}</t></si>"


class SharedStrings(_SharedStrings):
    """The shared-strings part, a string that needs no escaping written straight from a template, any other
    through :func:`shared_string`."""

    def _write_sst_strings(self) -> None:
        special = _SPECIAL_STRING.search
        self.fh.write("".join(shared_string(string) if special(string) else f"<si><t>{string}</t></si>"
                              for string in self.string_table.string_array))


class Packager(_Packager):
    def _write_shared_strings_file(self) -> None:
        if not self.workbook.str_table.count:
            return
        sst = SharedStrings()
        sst.string_table = self.workbook.str_table
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()


class _ZipFile(xlsxwriter.workbook.ZipFile):
    """The zip xlsxwriter writes its parts into, deflating each at :data:`DEFLATE_LEVEL`."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        level = DEFLATE_LEVEL if compresslevel is None else compresslevel
        return super().writestr(zinfo_or_arcname, data, compress_type, level)


class Workbook(xlsxwriter.Workbook):
    """xlsxwriter's workbook with :class:`Worksheet` sheets, the fast shared strings and a level-1 zip."""

    worksheet_class = Worksheet

    def _get_packager(self):
        return Packager()

    def _store_workbook(self) -> None:
        # xlsxwriter makes its ZipFile (and sets each part's ZipInfo) inside this method, looking the class
        # up in its module: swapped for ours while this workbook is stored, then put back. Workbooks are
        # written one at a time in a process (several processes, never threads).
        module = xlsxwriter.workbook
        plain = module.ZipFile
        module.ZipFile = _ZipFile
        try:
            super()._store_workbook()
        finally:
            module.ZipFile = plain

    def close(self) -> None:
        super().close()
        # Each worksheet keeps the workbook's add_format, a reference cycle through every cell that only the
        # cyclic garbage collector would free (and it walks all of them to find it). A closed workbook takes
        # no new formats: with the cycle broken the workbook is freed as soon as it is dropped.
        for sheet in self.worksheets_objs:
            sheet.workbook_add_format = None
