"""The fast xlsxwriter path (apportion.writers.xlsx) writes what plain xlsxwriter writes.

Each workbook is made twice with the same calls: once with
:class:`apportion.writers.xlsx.Workbook`, once with xlsxwriter's own workbook
(:class:`PlainWorkbook`, whose ``write_cells`` is the per-cell loop it stands
for). Every part of the two zips must inflate to the same bytes, and the files
must read back, with openpyxl and with calamine, to the same values and number
formats. Only the deflate level differs.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from fractions import Fraction

import numpy as np
import openpyxl
import pytest
import python_calamine
import xlsxwriter
import xlsxwriter.worksheet

from apportion.writers import styles, xlsx

from .test_reports import build_files


class PlainWorksheet(xlsxwriter.worksheet.Worksheet):
    """xlsxwriter's worksheet; ``write_cells`` as the per-cell calls it replaces."""

    def write_cells(self, first_row, col, values, cell_format, text):
        write = self.write_string if text else self.write_number
        for i, value in enumerate(values):
            if value is not None:
                write(first_row + i, col, value, cell_format)


class PlainWorkbook(xlsxwriter.Workbook):
    worksheet_class = PlainWorksheet


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def assert_same_workbook(fast: bytes, plain: bytes) -> None:
    """The same parts, in the same order, each inflating to the same bytes; deflated at level 1."""
    a, b = parts(fast), parts(plain)
    assert list(a) == list(b)
    for name in a:
        assert a[name] == b[name], name
    with zipfile.ZipFile(io.BytesIO(fast)) as z:
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}  # fixed timestamps kept


def openpyxl_cells(data: bytes, values: bool) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=values)
    return {(ws.title, c.coordinate): (c.value, c.number_format, c.data_type)
            for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None}


def calamine_cells(data: bytes) -> dict:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def assert_reads_the_same(fast: bytes, plain: bytes) -> None:
    for values in (True, False):  # cached values, then the formulas themselves
        assert openpyxl_cells(fast, values) == openpyxl_cells(plain, values)
    assert calamine_cells(fast) == calamine_cells(plain)


def sample(book_class) -> bytes:
    """A sheet with every kind of cell the fast path writes and every kind it hands to xlsxwriter."""
    buffer = io.BytesIO()
    book = book_class(buffer, styles.WORKBOOK_OPTIONS)
    book.set_properties({"title": "t", "created": dt.datetime(2026, 1, 1)})
    money = book.add_format({"num_format": "#,##0.00"})
    bold = book.add_format({"bold": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    ws = book.add_worksheet("Data")
    ws.set_row(3, 30)
    ws.set_row(7, 20, bold)  # a formatted row: its unformatted cells take the row's format
    ws.set_column(5, 5, 12, money)  # and a column's
    text = ["plain", None, " leading space", "trailing\n", "a & b < c > d", "ctl\x01char", "_x0041_ literal",
            'quote "q"', "line\nbreak", "ünïcødé — ✓", "x" * 17_000, "plain"]
    ws.write_cells(2, 0, text, bold, text=True)
    numbers = [1, 2.5, None, 0.1 + 0.2, 1e20, -3, 123456789.123456789, 2**53 + 1, float("1e-7"), 5]
    ws.write_cells(2, 1, numbers, money, text=False)
    ws.write_cells(0, 2, [None, None], money, text=False)  # nothing written
    ws.write_string(20, 0, "no format")  # formats from the row / column, or none
    ws.write_number(7, 3, 42)
    ws.write_number(9, 5, 7)
    ws.write_blank(21, 1, None, money)
    ws.write_formula(22, 1, "=SUM(B3:B12)", money, 123.4)
    ws.write_boolean(23, 1, True)
    ws.write_datetime(24, 1, dt.datetime(2026, 7, 1), date)
    ws.write("A27", "A1 notation")
    ws.write_string("B27", "A1 string", bold)
    ws.write_number("C27", 3.25, money)
    ws.merge_range(28, 0, 28, 3, "merged", bold)
    ws.merge_range(30, 2, 30, 6, "", money)  # an empty merge of part of a row (the fast path), then its text
    ws.write_string(30, 2, "working", money)
    ws.merge_range(31, 1, 31, 2, "", None)  # unformatted: nothing stored, the range still merged
    ws.merge_range(32, 0, 33, 1, "", bold)  # two rows: xlsxwriter's own
    with pytest.raises(xlsxwriter.exceptions.OverlappingRange):
        ws.merge_range(30, 6, 30, 7, "", money)
    ws.write_blank(34, 9, None, money)  # beyond the columns so far: the dimensions grow
    ws.write_string(35, 0, "  kept spaces & <tags> ", bold)  # escaped and xml:space, as xlsxwriter does
    ws.write_cells(40, 8, [i * 0.01 for i in range(60)], money, text=False)  # rows across several span blocks
    ws.write_cells(100, 20, ["far"] * 3, None, text=True)
    # a column of cells is kept as one run: later cells win over its cells and it over earlier ones, a
    # format first met in a cell written over a run's is numbered where xlsxwriter would meet it, and a
    # chart's cached data reads the run's cells
    runs = book.add_worksheet("Runs")
    runs.write_cells(0, 0, [1, 2, 3, 4, 5], money, text=False)
    runs.write_number(0, 0, 99, book.add_format({"italic": True}))  # over the run's first cell
    runs.write_cells(2, 0, [7, None, 8], date, text=False)  # a run over part of the run before
    runs.write_string(5, 1, "before", money)
    runs.write_cells(5, 1, ["after", None, "b"], bold, text=True)  # over an earlier cell
    runs.write_cells(0, 2, [np.int64(5), 2.5, Fraction(1, 4), np.float64(0.1), 3], money, text=False)
    runs.write_cells(0, 3, ["x" * 40_000, "y"], bold, text=True)  # cut to Excel's limit, its index in turn
    runs.write_cells(10, 5, [1, 2], book.add_format({"num_format": "0.0"}), text=False)
    runs.write_string(10, 4, "met first", book.add_format({"underline": 1}))  # its format numbered first
    runs.set_row(12, 18, book.add_format({"font_color": "#FF0000"}))  # a row's format, before its cells'
    runs.write_cells(12, 6, [3], book.add_format({"num_format": "0.00"}), text=False)
    # runs of one kind of number (floats, ints, ints past 2**53 printed as xlsxwriter does) starting and
    # ending on different rows, gaps over whole 16-row blocks inside and outside the other cells' spans,
    # a cell between two runs' columns on a row of theirs
    grid = book.add_worksheet("Grid")
    grid.write_cells(3, 2, [float(i) / 7 for i in range(70)] + [0.0, -0.0], money, text=False)
    grid.write_cells(0, 0, [i if i % 40 < 5 else None for i in range(100)], money, text=False)
    grid.write_cells(20, 6, [None] * 30 + [-(2**53), 2**53, None, 2**60, 3], money, text=False)
    grid.write_cells(10, 4, [None] * 40 + [5] * 10, money, text=False)
    grid.write_cells(30, 8, ["z", None, "y"] * 5, bold, text=True)
    grid.write_string(33, 3, "between", bold)
    charted = book.add_worksheet("Charted")
    charted.write_cells(0, 0, ["a", "b", "c"], bold, text=True)
    charted.write_cells(0, 1, [1.5, None, 3], money, text=False)
    chart = book.add_chart({"type": "bar"})
    chart.add_series({"categories": ["Charted", 0, 0, 2, 0], "values": ["Charted", 0, 1, 2, 1]})
    runs.insert_chart(8, 3, chart)
    other = book.add_worksheet("Table")
    other.write_cells(1, 0, ["a", "b", "c"], bold, text=True)
    other.write_cells(1, 1, [1, 2, 3], money, text=False)
    other.add_table(0, 0, 4, 1, {"columns": [{"header": "K"}, {"header": "V", "total_function": "sum",
                                                              "total_value": 6}], "total_row": True})
    book.close()
    return buffer.getvalue()


def test_sample_workbook_is_plain_xlsxwriter():
    fast, plain = sample(xlsx.Workbook), sample(PlainWorkbook)
    assert_same_workbook(fast, plain)
    assert_reads_the_same(fast, plain)
    assert len(fast) != len(plain)  # only the deflate level differs


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    fast = build_files(tmp_path_factory.mktemp("fast"))
    patch = pytest.MonkeyPatch()
    patch.setattr(styles, "Workbook", PlainWorkbook)
    try:
        plain = build_files(tmp_path_factory.mktemp("plain"))
    finally:
        patch.undo()
    return fast, plain


def test_reports_are_plain_xlsxwriter(both):
    """The summary (and the statements, which sheetxml writes either way: tests/test_sheetxml.py compares them
    with xlsxwriter's)."""
    fast, plain = both
    assert sorted(fast) == sorted(plain)
    workbooks = [name for name in fast if name.endswith(".xlsx")]
    assert len(workbooks) >= 3
    for name in workbooks:
        assert_same_workbook(fast[name], plain[name])
        assert_reads_the_same(fast[name], plain[name])
    for name in set(fast) - set(workbooks):
        assert fast[name] == plain[name], name


def test_closed_workbook_is_freed_without_the_cycle_collector():
    import gc
    import weakref

    gc.collect()
    gc.disable()
    try:
        book = xlsx.Workbook(io.BytesIO(), styles.WORKBOOK_OPTIONS)
        book.add_worksheet("S").write_cells(0, 0, list(range(100)), book.add_format(), text=False)
        book.close()
        alive = weakref.ref(book)
        del book
        assert alive() is None
    finally:
        gc.enable()


@pytest.mark.parametrize("formula", ["=SUBTOTAL(109,B5:B60)", "SUM(A1:A3)-B2", "{=SUM(A1:A2)}", "=(A1+B1)*2",
                                     "=FILTER(A1:A9,B1:B9)", "=SUM(XLOOKUP(1,A1:A3,B1:B3))", "=_xlfn.SUM(A1)",
                                     '="SORT(" & A1', "=SUBTOTAL(9,A1)+SINGLE(A2)", "=ISINGLE(A1)", "=A1"])
@pytest.mark.parametrize("expand", [False, True])
def test_prepare_formula_as_xlsxwriter(formula, expand):
    """A formula calling only SUBTOTAL or SUM skips xlsxwriter's future-function expressions; every formula
    comes out as xlsxwriter makes it."""
    ours = xlsx.Workbook(io.BytesIO()).add_worksheet()
    plain = xlsxwriter.Workbook(io.BytesIO()).add_worksheet()
    assert ours._prepare_formula(formula, expand) == plain._prepare_formula(formula, expand)


def test_text_shaped_like_rich_text_stays_text():
    """xlsxwriter writes a string shaped ``<r>…</r>`` into the shared strings as raw rich-text XML: a district
    named ``<r><t>a&b</t></r>`` made the summary invalid (openpyxl and calamine refused it), one with
    ``</si><si>`` shifted every later string. The fast path writes it as the text typed."""
    names = ["<r>not rich</r>", "<r><t>a&b</t></r>", "<r></si><si><t>x</t></r>", "<r>\x01ctl</r>", "after"]
    buffer = io.BytesIO()
    book = xlsx.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    ws = book.add_worksheet("S")
    ws.write_cells(0, 0, names, bold, text=True)
    ws.write_string(len(names), 0, "<r>one more</r>", bold)
    with pytest.raises(NotImplementedError):
        ws.write_rich_string(10, 0, "a ", bold, "rich")
    book.close()
    data = buffer.getvalue()
    read = [row[0].value for row in openpyxl.load_workbook(io.BytesIO(data))["S"].iter_rows()]
    assert read == ["<r>not rich</r>", "<r><t>a&b</t></r>", "<r></si><si><t>x</t></r>", "<r>_x0001_ctl</r>", "after",
                    "<r>one more</r>"]
    calamine = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("S").to_python()
    assert [row[0] for row in calamine][:2] == ["<r>not rich</r>", "<r><t>a&b</t></r>"]


@pytest.mark.parametrize("book_class", [xlsx.Workbook, xlsxwriter.Workbook])
def test_overlapping_tables_and_merges_refused(book_class):
    """A table over a merged range, a table or an autofilter's first row, or a merged range over a table,
    is refused as xlsxwriter refuses it (Excel would call the file corrupt): the fast ``add_table`` checks the
    rectangle once and records the table's cells for the checks after it."""
    book = book_class(io.BytesIO(), {"in_memory": True})
    ws = book.add_worksheet("S")
    ws.merge_range(0, 2, 0, 4, "", None)
    options = {"columns": [{"header": "a"}, {"header": "b"}], "name": "T"}
    with pytest.raises(xlsxwriter.exceptions.OverlappingRange):
        ws.add_table(0, 3, 5, 4, dict(options))  # over the merged range
    assert ws.add_table(2, 0, 6, 1, dict(options)) == 0
    with pytest.raises(xlsxwriter.exceptions.OverlappingRange):
        ws.add_table(6, 1, 9, 2, {"columns": [{"header": "c"}, {"header": "d"}]})  # over the table's corner
    with pytest.raises(xlsxwriter.exceptions.OverlappingRange):
        ws.merge_range(4, 1, 4, 2, "", None)  # a merge over the table, one row
    with pytest.raises(xlsxwriter.exceptions.OverlappingRange):
        ws.merge_range(5, 1, 8, 3, "", None)  # and over rows
    assert ws.add_table(7, 0, 9, 1, {"columns": [{"header": "e"}, {"header": "f"}]}) == 0  # beside it: fine
    assert ws.add_table("A12:B14", {"banded_columns": True}) == 0  # an option only xlsxwriter's own code takes
    with pytest.raises(xlsxwriter.exceptions.OverlappingRange):
        ws.add_table(13, 1, 15, 2, {"columns": [{"header": "j"}, {"header": "k"}]})  # over that one
    with pytest.raises(xlsxwriter.exceptions.OverlappingRange):
        ws.add_table("B9:C11", {"banded_columns": True})  # and xlsxwriter's over one made here
    other = book.add_worksheet("F")
    other.autofilter(3, 0, 9, 2)
    with pytest.raises(xlsxwriter.exceptions.OverlappingRange):
        other.add_table(3, 1, 6, 3, {"columns": [{"header": "g"}, {"header": "h"}, {"header": "i"}]})
    book.close()
