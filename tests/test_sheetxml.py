"""The statements' template writer (apportion.writers.sheetxml) writes what xlsxwriter wrote, as readers see it.

Each statement is drawn twice by the same layout code: once on
:class:`apportion.writers.sheetxml.Workbook` (what the run writes), once on
:class:`apportion.writers.xlsx.Workbook`, xlsxwriter's workbook (the writer
the statements had before, kept as the reference). openpyxl and calamine must
read the same from both: every value and cached formula value, every formula,
number format, font, fill, border and alignment, the merged ranges, column
widths, row heights, the table, and the print settings (orientation, paper,
fit to pages, margins, footer, repeated title rows, page breaks).
"""
from __future__ import annotations

import copy
import datetime as dt
import io
import warnings
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter

from apportion.runner import compute_job
from apportion.writers import sheetxml, statement, styles, xlsx
from apportion.writers.document import statement_document

from .test_reports import FAKE_INPUTS, report_sheets  # noqa: F401 (FAKE_INPUTS: the job as test_reports runs it)
from .builders import write_workbook
from .test_xlsx import assert_reads_the_same


def color(c) -> tuple | None:
    """A colour as openpyxl reads it: an RGB value, a theme colour or an indexed one."""
    return None if c is None else (c.type, c.value)


def look(data: bytes) -> dict:
    """What openpyxl reads of a workbook's look: per cell its style, and per sheet its layout and print setup."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    out = {"defined": sorted(book.defined_names),
           "properties": (book.properties.title, book.properties.subject, book.properties.creator,
                          book.properties.created)}
    for ws in book.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.has_style:
                    cells[c.coordinate] = (c.font.b, c.font.i, c.font.sz, color(c.font.color),
                                           c.fill.fill_type, color(c.fill.fgColor),
                                           tuple((s.style, color(s.color)) for s in (
                                               c.border.left, c.border.right, c.border.top, c.border.bottom)),
                                           c.alignment.horizontal, c.alignment.vertical, c.alignment.wrap_text,
                                           c.alignment.indent, c.number_format)
        setup = ws.page_setup
        out[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "widths": {k: (d.width, d.customWidth) for k, d in ws.column_dimensions.items() if d.width},
            "heights": {k: (d.height, d.customHeight) for k, d in ws.row_dimensions.items() if d.height},
            "tables": {name: (t.ref, t.totalsRowCount, t.autoFilter and t.autoFilter.ref,
                              [(c.name, c.totalsRowLabel, c.totalsRowFunction,
                                c.totalsRowFormula and c.totalsRowFormula.attr_text) for c in t.tableColumns],
                              t.tableStyleInfo.name) for name, t in ((t.name, t) for t in ws.tables.values())},
            "setup": (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight,
                      ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage,
                      ws.print_title_rows, ws.print_options.gridLines, ws.sheet_view.showGridLines),
            "margins": (ws.page_margins.left, ws.page_margins.right, ws.page_margins.top, ws.page_margins.bottom,
                        ws.page_margins.header, ws.page_margins.footer),
            "footer": ws.oddFooter.left.text, "footer_centre": ws.oddFooter.center.text,
            "breaks": [b.id for b in ws.row_breaks.brk],
            "dimension": ws.calculate_dimension(),
        }
    return out


def assert_same(new: bytes, old: bytes) -> None:
    assert_reads_the_same(new, old)
    assert look(new) == look(old)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    job = write_workbook(tmp_path_factory.mktemp("sheetxml") / "report_job.xlsx", report_sheets())
    return compute_job(job)


def both(write) -> tuple[bytes, bytes]:
    """``write()`` once with the template writer, once with xlsxwriter's (statement.BOOK swapped)."""
    new = write()
    patch = pytest.MonkeyPatch()
    patch.setattr(statement, "BOOK", xlsx.Workbook)
    try:
        old = write()
    finally:
        patch.undo()
    return new, old


def test_the_statements_are_written_from_templates(report):
    assert statement.BOOK is sheetxml.Workbook
    data = statement.write_statement(report, "010100010000")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}  # fixed timestamps
    assert statement.write_statement(report, "010100010000") == data  # same inputs, same bytes


def test_every_statement_of_the_report_job_reads_as_xlsxwriter_wrote_it(report):
    d = report.districts
    codes = list(d.index[d["is_component"] | d.index.isin(set(report.billing["district_code"]))])
    assert len(codes) >= 4
    for code in codes:
        new, old = both(lambda: statement.write_statement(report, code))
        assert_same(new, old)


def long_document(report) -> dict:
    """The report job's statement with its charges repeated 40 times and its aid steps 20 times: several
    printed pages, so the page breaks and repeated title rows are set (not fitted to one page)."""
    document = copy.deepcopy(statement_document(report, "010100010000"))
    for section in document["sections"]:
        if "table" in section:
            section["table"]["rows"] = section["table"]["rows"] * 40
        if "steps" in section:
            lines = section["steps"]["lines"]
            section["steps"]["lines"] = [line for line in lines if line["role"] != "total"] * 20 + [
                line for line in lines if line["role"] == "total"]
    return document


def test_a_long_statement_breaks_into_pages_as_xlsxwriter_wrote_it(report):
    document = long_document(report)
    new, old = both(lambda: statement.write_statement(report, "010100010000", document=document))
    assert_same(new, old)
    assert look(new)["Statement"]["breaks"]  # several pages, broken between sections
    assert look(new)["Statement"]["setup"][3] == 0  # as many pages down as it takes


def block(ws, st, top: int) -> None:
    """The block calls (sheetxml's one-pass columns, cell by cell on xlsxwriter's sheet) from row ``top``: a band
    of columns with per-row formats, mixed values and blanks, a column written twice over the same rows, a
    cell written into the band afterwards, a column over rows already written, merges and heights."""
    sheetxml.reserve_strings(ws, ["w", "b1"])
    sheetxml.merge_rows(ws, top, top + 3, 2, 4)
    sheetxml.write_column(ws, top, 0, ["b1", 2.5, sheetxml.BLANK, None], [st["label"], st("money"), st["note"], None])
    sheetxml.write_column(ws, top, 2, ["w", "x & y", "z" * 33_000, "\x01"], st["working"])
    for col in (3, 4):
        sheetxml.write_column(ws, top, col, [sheetxml.BLANK] * 4, st["working"])
    ws.write_cells(top, 1, [1, None, 3, 4], st("money"), text=False)
    ws.write_cells(top, 1, [None, 7, None, None], st("money"), text=False)  # the same rows: 7 added, the rest kept
    ws.write_string(top + 2, 5, "into the band")
    ws.write_cells(top + 1, 6, ["over", "rows", "written"], st["label"], text=True)  # not the band's rows
    sheetxml.write_column(ws, top + 4, 0, [sheetxml.BLANK, 5, "t"], None)  # no format: the blank is not written
    sheetxml.set_rows(ws, top, [None, 30, None, 45])
    with pytest.raises(xlsxwriter.exceptions.OverlappingRange):
        sheetxml.merge_rows(ws, top + 3, top + 4, 3, 5)


def test_block_calls_write_what_the_cell_calls_write():
    """On the template writer a band of columns is the same bytes as the same cells written one at a time."""
    def book(write) -> bytes:
        buffer = io.BytesIO()
        wb = sheetxml.Workbook(buffer, styles.WORKBOOK_OPTIONS)
        wb.set_properties({"created": dt.datetime(2026, 7, 1)})
        st = styles.Styles(wb)
        write(wb.add_worksheet("S"), st)
        wb.close()
        return buffer.getvalue()
    values = [["a", 1.5, sheetxml.BLANK, None, "a"], ["w1", "w2", "w3", "w4", "w5"], [3, None, -2.25, 0, 1e20]]
    formats = lambda st: [st["label"], st("money"), st["note"], st["label"], st("ratio")]  # noqa: E731

    def by_column(ws, st):
        sheetxml.reserve_strings(ws, [v for row in zip(*values) for v in row if isinstance(v, str)])
        for col, column in enumerate(values):
            sheetxml.write_column(ws, 2, col, column, formats(st))
        sheetxml.merge_rows(ws, 2, 6, 3, 4, st["working"])
        sheetxml.set_rows(ws, 2, [None, 30, None, None, 13.5 * 3])

    def by_cell(ws, st):
        for i, row in enumerate(zip(*values)):
            for col, value in enumerate(row):
                fmt = formats(st)[i]
                if value is sheetxml.BLANK:
                    ws.write_blank(2 + i, col, None, fmt)
                elif isinstance(value, str):
                    ws.write_string(2 + i, col, value, fmt)
                elif value is not None:
                    ws.write_number(2 + i, col, value, fmt)
        for row in range(2, 7):
            ws.merge_range(row, 3, row, 4, "", st["working"])
        ws.set_row(3, 30)
        ws.set_row(6, 13.5 * 3)
    assert book(by_column) == book(by_cell)
    with pytest.raises(TypeError):
        book(lambda ws, st: sheetxml.write_column(ws, 0, 0, [1, float("nan")], None))


def test_full_columns_write_what_the_cell_calls_write():
    """A column with a cell in every row (kept as its texts and made into rows by one f-string a row) is the
    same bytes as its cells written one at a time: text, numbers and blanks, one format or one per row, beside
    a column of blanks, written over by a later column, and a row of them written over by a single cell."""
    def book(write) -> bytes:
        buffer = io.BytesIO()
        wb = sheetxml.Workbook(buffer, styles.WORKBOOK_OPTIONS)
        wb.set_properties({"created": dt.datetime(2026, 7, 1)})
        write(wb.add_worksheet("S"), styles.Styles(wb))
        wb.close()
        return buffer.getvalue()
    B = sheetxml.BLANK
    values = [["a", "b", "a", " c"], [1, 2.5, -0.0, 1e20], [B, B, B, B], ["w", None, "x", None], [B, B, B, B],
              ["m", 3, "b", 0.25]]  # the last: text among numbers
    later = [None, "over", None, 3]  # written over column 1 after the others

    def formats(st, col):
        per_row = [st["label"], st("money"), st["note"], st["detail"]]
        return [per_row, st("money"), per_row, st["label"], [st["label"], None, st["note"], st["label"]], per_row][col]

    def by_column(ws, st):
        for col, column in enumerate(values):
            sheetxml.write_column(ws, 3, col, column, formats(st, col))
        ws.write_cells(3, 6, ["t1", "t2", "t3", "t4"], st["label"], text=True)
        ws.write_cells(3, 7, [4, 5, 6, 7], None, text=False)
        sheetxml.write_column(ws, 3, 1, later, st["total"])
        ws.write_formula(4, 2, "=B4", st["total"], 1)  # one cell into a row of the band
        sheetxml.set_rows(ws, 3, [None, 30, None, 13.5 * 2])

    def by_cell(ws, st):
        for col, column in enumerate(values + [["t1", "t2", "t3", "t4"], [4, 5, 6, 7]]):
            for i, value in enumerate(column):
                fmt = formats(st, col) if col < 6 else st["label"] if col == 6 else None
                fmt = fmt[i] if isinstance(fmt, list) else fmt
                if value is B:
                    ws.write_blank(3 + i, col, None, fmt)
                elif isinstance(value, str):
                    ws.write_string(3 + i, col, value, fmt)
                elif value is not None:
                    ws.write_number(3 + i, col, value, fmt)
        ws.write_string(4, 1, "over", st["total"])
        ws.write_number(6, 1, 3, st["total"])
        ws.write_formula(4, 2, "=B4", st["total"], 1)
        ws.set_row(4, 30)
        ws.set_row(6, 13.5 * 2)
    assert book(by_column) == book(by_cell)
    with pytest.raises(ValueError):
        sheetxml._row_maker((("s", "A{x}", ' s="1"'),))  # the source holds only letters and s attributes
    with pytest.raises(TypeError):
        book(lambda ws, st: ws.write_cells(0, 0, [1.0, float("inf")], None, text=False))


def drawn(book_class) -> bytes:
    """Every kind of cell and setting the template writer takes, through the calls the layout code makes."""
    buffer = io.BytesIO()
    book = book_class(buffer, styles.WORKBOOK_OPTIONS)
    book.set_properties({"title": "t & <u>", "subject": "s", "author": "apportion",
                         "created": dt.datetime(2026, 7, 1), "company": ""})
    book.set_size(1600, 1000)
    st = styles.Styles(book)
    ws = book.add_worksheet("Odd name's")
    text = ["plain", None, " leading space", "trailing\n", "a & b < c > d", "ctl\x01char\x1f", "_x0041_ literal",
            'quote "q"', "line\nbreak", "ünïcødé — ✓", "x" * 33_000, "plain", "=HYPERLINK(\"http://x\",\"y\")",
            "\ufffe"]
    ws.write_cells(2, 0, text, st["label"], text=True)
    numbers = [1, 2.5, None, 0.1 + 0.2, 1e20, -3, 123456789.123456789, 2**53 + 1, 1e-7, 0.0, -0.0, 5]
    ws.write_cells(2, 1, numbers, st("money"), text=False)
    ws.write_cells(0, 2, [None, None], st("money"), text=False)  # nothing written
    ws.write_string(20, 0, "no format")
    ws.write_number(21, 0, 42)
    ws.write_blank(21, 1, None, st("money"))
    ws.write_blank(21, 2, None, None)  # no format: not written
    ws.write_formula(22, 1, "=SUM(B3:B12)", st("money", "total"), 123.4)
    ws.write_formula(22, 2, "B3&\"<x>\"", st("money", "total"), 7)
    ws.write_datetime(23, 1, dt.datetime(2026, 7, 1), st("date"))
    ws.merge_range(24, 0, 24, 3, "merged", st["note"])
    ws.merge_range(25, 2, 25, 6, "", st["working"])
    ws.write_string(25, 2, "working", st["working"])
    ws.merge_range(26, 1, 26, 2, "", None)
    ws.merge_range(27, 0, 28, 1, "", st["label"])  # two rows
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # xlsxwriter warns
        ws.merge_range(29, 3, 29, 3, "", st["label"])  # one cell: not merged
    with pytest.raises(xlsxwriter.exceptions.OverlappingRange):
        ws.merge_range(25, 6, 25, 7, "", st["working"])
    ws.set_row(0, 24)
    ws.set_row(24, 13.5 * 3 + 1)
    ws.set_row(30, 15)  # the default height: nothing custom
    ws.set_row(40, 30)  # an empty row with a height
    for col, width in enumerate([33.14, 15, 0.5, 8.43, 50.7]):
        ws.set_column(col, col, width)
    ws.write_string(31, 9, "far right")  # the dimensions grow
    ws.add_table(32, 0, 36, 2, {"columns": [
        {"header": "Name", "header_format": st["header"], "total_string": "Total"},
        {"header": "Kind & <type>", "header_format": st["header"]},
        {"header": "Amount", "header_format": st["header_right"], "total_function": "SUBTOTAL(109,C34:C36)",
         "total_value": 6}], "style": "Table Style Light 1", "autofilter": True, "total_row": True, "name": "Charges"})
    ws.write_cells(33, 0, ["a", "b", "c"], st["text"], text=True)
    ws.write_cells(33, 2, [1, 2, 3], st("money"), text=False)
    with pytest.raises(xlsxwriter.exceptions.OverlappingRange):
        ws.merge_range(36, 1, 36, 4, "", st["total"])
    block(ws, st, 45)
    ws.set_h_pagebreaks([0, 30, 12, 30])
    styles.printable(ws, "Left & <co>", "right", repeat=(0, 2), landscape=False, gridlines=False)
    other = book.add_worksheet("Second")
    other.write_string(0, 0, "second sheet", st["title"])
    styles.printable(other, "x", landscape=True, pages_high=1)
    book.close()
    return buffer.getvalue()


def test_every_kind_of_cell_and_setting_reads_as_xlsxwriter_wrote_it():
    new, old = drawn(sheetxml.Workbook), drawn(xlsx.Workbook)
    assert_same(new, old)
    assert drawn(sheetxml.Workbook) == new


def test_text_is_never_markup_and_control_characters_are_escaped():
    new = drawn(sheetxml.Workbook)
    with zipfile.ZipFile(io.BytesIO(new)) as z:
        strings = z.read("xl/sharedStrings.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "ctl_x0001_char_x001F_" in strings and "_x005F_x0041_ literal" in strings
    assert "a &amp; b &lt; c &gt; d" in strings and '<t xml:space="preserve"> leading space</t>' in strings
    assert "HYPERLINK" not in sheet  # formula-looking text is a shared string, not a formula
    values = openpyxl.load_workbook(io.BytesIO(new))["Odd name's"]
    assert values["A15"].value == '=HYPERLINK("http://x","y")' and values["A15"].data_type == "s"
    assert len(values["A13"].value) == 32_767  # cut to Excel's limit, as xlsxwriter cuts it


def test_a_workbook_without_formats_text_or_tables():
    for book_class in (sheetxml.Workbook, xlsx.Workbook):
        buffer = io.BytesIO()
        book = book_class(buffer, styles.WORKBOOK_OPTIONS)
        book.set_properties({"created": dt.datetime(2026, 7, 1)})
        book.add_worksheet("Empty").write_number(3, 2, 1.5)
        book.close()
        data = buffer.getvalue() if book_class is sheetxml.Workbook else (data, buffer.getvalue())
    assert_same(*data)
    with zipfile.ZipFile(io.BytesIO(data[0])) as z:
        assert "xl/sharedStrings.xml" not in z.namelist()


def test_numbers_that_excel_cannot_hold_are_refused():
    sheet = sheetxml.Workbook(io.BytesIO()).add_worksheet("S")
    for bad in (float("nan"), float("inf")):
        with pytest.raises(TypeError):
            sheet.write_number(0, 0, bad)
    with pytest.raises(IndexError):
        sheet.write_string(1_048_576, 0, "below the last row")
    book = sheetxml.Workbook(io.BytesIO())
    book.add_worksheet("S").write_string(0, 16_384, "right of the last column")
    with pytest.raises(IndexError):
        book.close()


def test_a_multi_page_statement_repeats_the_charges_header_on_every_page(report):
    """Reviewer P4: a statement of several printed pages repeated only its title rows, so page 2 of the charges
    was a page of unlabelled columns. The charges table's column header row is the print titles (a sheet
    repeats one run of rows; the district is in every page's footer); a one-page statement keeps its title rows."""
    data = statement.write_statement(report, "010100010000", document=long_document(report))
    ws = openpyxl.load_workbook(io.BytesIO(data))["Statement"]
    first, last = (int(r.strip("$")) for r in ws.print_title_rows.split(":"))
    assert first == last and ws.row_breaks.brk
    table = next(iter(ws.tables.values()))
    assert table.ref.split(":")[0][1:] == str(first)  # the table's header row
    assert [c.value for c in ws[first]][:2] == ["Charge", "Item"]
    assert report.districts.loc["010100010000", "district_name"] in ws.oddFooter.left.text  # every page's footer
    one = openpyxl.load_workbook(io.BytesIO(statement.write_statement(report, "010100010000")))["Statement"]
    assert one.print_title_rows == "$1:$3" and not one.row_breaks.brk
    # charges that fit the first page, a long aid working after them: the title rows repeat, as before
    document = copy.deepcopy(statement_document(report, "010100010000"))
    steps = next(s["steps"] for s in document["sections"] if "steps" in s)
    steps["lines"] = [line for line in steps["lines"] if line["role"] != "total"] * 30 + [
        line for line in steps["lines"] if line["role"] == "total"]
    long_aid = openpyxl.load_workbook(io.BytesIO(statement.write_statement(report, "010100010000",
                                                                           document=document)))["Statement"]
    assert long_aid.row_breaks.brk and long_aid.print_title_rows == "$1:$3"


def test_a_name_too_long_for_the_page_wraps_across_it(report):
    """Reviewer H3: a 200-character district name (B6, and the subtitle) ran past column H and was cut at the
    right margin when printed. Text too long for the page's width is merged across to the last column,
    wrapped, its row grown; the value reads back exactly."""
    document = copy.deepcopy(statement_document(report, "010100010000"))
    name = "Very Long Name Union Free School District " * 5  # 210 characters
    [pair] = [p for p in document["header"] if p["label"] == "District name"]
    pair["value"] = name
    document["subtitle"] = f"{name} · district code 010100010000 · component"
    ws = openpyxl.load_workbook(io.BytesIO(statement.write_statement(report, "010100010000",
                                                                    document=document)))["Statement"]
    row = 5 + document["header"].index(pair)
    last = ws.max_column
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"B{row}:{openpyxl.utils.get_column_letter(last)}{row}" in merged
    assert f"A2:{openpyxl.utils.get_column_letter(last)}2" in merged
    for cell, text in ((f"B{row}", name), ("A2", document["subtitle"])):
        assert ws[cell].value == text and ws[cell].alignment.wrap_text
        assert ws.row_dimensions[ws[cell].row].height >= 2 * styles.ROW_HEIGHT
    assert "A1" not in {r.split(":")[0] for r in merged}  # the title fits: left as written


def footed(book_class, footer: str, title: str) -> bytes:
    buffer = io.BytesIO()
    book = book_class(buffer, styles.WORKBOOK_OPTIONS)
    book.set_properties({"title": title, "created": dt.datetime(2026, 7, 1)})
    ws = book.add_worksheet("S")
    ws.write_string(0, 0, "x")
    ws.set_footer(footer)
    book.close()
    return buffer.getvalue()


def test_a_footer_and_title_are_escaped_as_xlsxwriter_escapes_them():
    """Reviewer F1/I2: the footer and the document title skipped the escaping cells get: a control character
    (\\x01, U+FFFE) made sheet1.xml or core.xml ill-formed, and a literal _x0041_ in the footer read as "A".
    The footer is escaped as xlsxwriter escapes it (_x0001_, _x005F_x0041_); a title leaves out what XML cannot
    hold and keeps a literal _x0041_ as typed (a document property is plain text)."""
    footer, title = "&LHazel _x0041_ Ridge\x01\ufffe &amp", "Valley\x01\ufffe _x0041_ BOCES"
    new, old = footed(sheetxml.Workbook, footer, title), footed(xlsx.Workbook, footer, title)
    with zipfile.ZipFile(io.BytesIO(new)) as z:
        for part in ("xl/worksheets/sheet1.xml", "docProps/core.xml"):
            ElementTree.fromstring(z.read(part))  # well-formed
        assert "Hazel _x005F_x0041_ Ridge_x0001__xFFFE_" in z.read("xl/worksheets/sheet1.xml").decode()
    read_new, read_old = (openpyxl.load_workbook(io.BytesIO(d)) for d in (new, old))
    assert read_new["S"].oddFooter.left.text == read_old["S"].oddFooter.left.text
    assert read_new.properties.title == "Valley _x0041_ BOCES"


def test_a_numpy_integer_row_is_a_row():
    """Reviewer N2: a numpy int64 row index (a frame's index value) was refused as "outside the sheet"."""
    import numpy as np
    data = {}
    for book_class in (sheetxml.Workbook, xlsx.Workbook):
        buffer = io.BytesIO()
        book = book_class(buffer, styles.WORKBOOK_OPTIONS)
        book.set_properties({"created": dt.datetime(2026, 7, 1)})
        ws = book.add_worksheet("S")
        ws.write_string(np.int64(4), 0, "numpy row")
        ws.write_number(np.int32(5), np.int64(1), 2.5)
        ws.write_string(4, 1, "same row, a Python int")
        book.close()
        data[book_class] = buffer.getvalue()
    assert_same(data[sheetxml.Workbook], data[xlsx.Workbook])
    sheet = sheetxml.Workbook(io.BytesIO()).add_worksheet("S")
    with pytest.raises(TypeError, match="row 2.0 is not a whole number"):
        sheet.write_string(2.0, 0, "a float row")


def test_the_zip_is_what_zipfile_writes():
    """sheetxml's zip holds the parts zipfile would, in the same bytes (a repeated part deflated once)."""
    parts = [("[Content_Types].xml", b"<Types/>"), ("xl/worksheets/sheet1.xml", b"<c/>" * 40_000),
             ("xl/styles.xml", "ünïcødé — ✓".encode() * 50), ("docProps/app.xml", b"")]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data, compresslevel=xlsx.DEFLATE_LEVEL)
    assert sheetxml._zip(parts) == buffer.getvalue()
    assert sheetxml._zip(parts) == buffer.getvalue()  # the repeated parts from their kept deflate
    with zipfile.ZipFile(io.BytesIO(sheetxml._zip(parts))) as z:
        assert z.testzip() is None and [z.read(name) for name, _ in parts] == [data for _, data in parts]
