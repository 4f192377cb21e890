"""Text that cannot break a file format or a terminal (issue 14, point 4).

A control character in any text cell — a district's, service's, vendor's or teacher's name, a code, the
BOCES name — is removed everywhere (one function, writers.text.clean_text) with a warning at its cell;
the terminal and ERRORS.txt show such characters escaped (writers.text.visible), never obey them.
"""
from __future__ import annotations

import os
import pty
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.dom import minidom

import openpyxl
import pytest

from apportion.batch import run_batch
from apportion.writers.text import FORBIDDEN, clean_text, visible

from . import corpus as C

HOSTILE = ["\x0b", "\x01", "\x08", "\x1f", "\x1b[2J", "\x1b[1A\x1b[2K", "\x1b]0;owned\x07", "\x9b2J", "\u202e",
           "\x00"]  # (a lone surrogate or U+FFFE cannot be stored in a workbook: see the unit test)
ROOT = Path(__file__).resolve().parents[1]

# every text field that reaches a report, a table header (the CoSer grid's district columns), a chart, a
# document property or a file name: (sheet, header, data row) or ("BOCES", item)
FIELDS = [("Districts", "District name", 1), ("Districts", "District name", 2), ("Services", "Service name", 1),
          ("Services", "Service code", 2), ("Services", "Unit", 1), ("Staff", "Employee", 1),
          ("Shared PD", "Vendor", 1), ("Collaboration hours", "Teacher", 1), ("Collaboration hours", "Course", 1)]
ITEMS = ["BOCES name", "BOCES code"]


def _hostile_job(tmp_path, bad: str) -> tuple[Path, list[tuple[str, str]]]:
    sheets = C.valid_sheets()
    cells = []
    for sheet, header, row in FIELDS:
        j = C.col(sheets, sheet, header)
        old = str(sheets[sheet][row][j])
        if header == "Service code":  # the code is also named on Participation and Staff rows: rename it there too
            for name in ("Participation", "Staff"):
                for k, r in enumerate(sheets[name][1:], start=1):
                    if r[C.col(sheets, name, "Service code")] == old:
                        cells.append((name, C.set_cell(sheets, name, "Service code", k, old[:2] + bad + old[2:])))
        cells.append((sheet, C.set_cell(sheets, sheet, header, row, old[:2] + bad + old[2:])))
    for item in ITEMS:
        old = sheets["BOCES"][[r[0] for r in sheets["BOCES"]].index(item)][1]
        cells.append(("BOCES", C.set_item(sheets, item, old[:2] + bad + old[2:])))
    return C.write(tmp_path / "job.xlsx", sheets), cells


@pytest.mark.parametrize("bad", HOSTILE, ids=[visible(b) for b in HOSTILE])
def test_control_characters_never_reach_an_output(tmp_path, bad):
    path, cells = _hostile_job(tmp_path, bad)
    batch = run_batch([path], tmp_path / "out", jobs=1)
    [outcome] = batch.outcomes
    assert batch.exit_code == 0, [i.render() for i in outcome.issues if i.severity == "error"]
    warned = {(i.sheet, i.cell) for i in outcome.issues if i.code == "control-characters"}
    assert warned == set(cells)  # each cleaned cell named, none silently
    folder = Path(outcome.output)
    # the cleaned BOCES code names the folder (an escape's printable rest, like "[2J", stays as typed)
    assert folder.name.startswith("CR") and folder.name.endswith("01_2026-27")
    for book in folder.rglob("*.xlsx"):
        with zipfile.ZipFile(book) as zf:
            for part in zf.namelist():
                if part.endswith((".xml", ".rels")):
                    text = zf.read(part).decode("utf-8")  # well-formed XML with nothing XML forbids, every part
                    minidom.parseString(text.encode())
                    assert not FORBIDDEN.search(text.replace("\t", "").replace("\n", "").replace("\r", "")), part
        openpyxl.load_workbook(book)  # and Excel's reader model opens it without "repair"
    for csv_file in folder.glob("*.csv"):
        assert not FORBIDDEN.search(csv_file.read_text(encoding="utf-8")), csv_file.name
    for p in folder.rglob("*"):
        assert not FORBIDDEN.search(p.name)


def test_clean_text_and_visible_are_one_rule():
    assert clean_text("Al\x0bbany\x1b[2J City\u202e\ud800") == "Albany[2J City"
    assert clean_text("a\ufffe\uffffb") == "ab"
    assert visible("a\x1b[2Jb\tc\nd\u202e") == "a\\x1b[2Jb\\x09c\\x0ad\\u202e"
    assert clean_text("tab\tand\nnew line") == "tab\tand\nnew line"  # cells may hold these


def test_escapes_from_cells_are_shown_not_obeyed_on_a_terminal(tmp_path):
    sheets = C.valid_sheets()
    cell = C.set_cell(sheets, "Districts", "RWADA", 1, "\x1b[2J\x1b[1A\x1b[2Kmany")  # an error line that hides itself
    path = C.write(tmp_path / "job\x1b]0;t\x07.xlsx", sheets)
    for command in (["validate", str(path)], ["run", str(path), "-o", str(tmp_path / "out")]):
        pid, fd = pty.fork()
        if pid == 0:  # the child: apportion on a real terminal
            os.chdir(ROOT)
            os.execv(sys.executable, [sys.executable, "-m", "apportion", *command])
        chunks = []
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        _, status = os.waitpid(pid, 0)
        shown = b"".join(chunks).decode("utf-8", "replace")
        assert os.waitstatus_to_exitcode(status) == 1, shown
        assert "\x1b[2J" not in shown and "\x1b[1A" not in shown and "\x1b]0;" not in shown and "\x07" not in shown
        assert "\\x1b[2J\\x1b[1A\\x1b[2Kmany" in shown and cell in shown  # the cell's text, escaped, at its cell
        assert "job\\x1b]0;t\\x07.xlsx" in shown
    errors_txt = next((tmp_path / "out").rglob("ERRORS.txt")).read_text(encoding="utf-8")
    assert "\x1b" not in errors_txt and "\\x1b[2J" in errors_txt


@pytest.mark.parametrize("name", ["Berne\tKnox", "Berne\r\nKnox", "<r><t>a&b</t></r>"])
def test_every_table_column_is_named_as_its_header_cell(tmp_path, name):
    """Reviewer H1, H2: a district name shaped like rich text made the summary invalid; a tab or line break in
    one made the CoSer grid table's column name (an XML attribute, read back with the break as a space)
    differ from its header cell, which Excel "repairs". Every table of every workbook now opens, each column
    named as the cell above it."""
    sheets = C.valid_sheets()
    cell = C.set_cell(sheets, "Districts", "District name", 1, "to be renamed")
    path = C.write(tmp_path / "job.xlsx", sheets)
    book = openpyxl.load_workbook(path)  # typed as a user would (xlsxwriter, the builder, would take <r> as markup)
    book["Districts"][cell] = name
    book.save(path)
    batch = run_batch([path], tmp_path / "out", jobs=1)
    assert batch.exit_code == 0
    tables = 0
    for book_path in Path(batch.outcomes[0].output).rglob("*.xlsx"):
        book = openpyxl.load_workbook(book_path)
        for ws in book.worksheets:
            for table in ws.tables.values():
                first = openpyxl.utils.cell.range_boundaries(table.ref)
                cells = [ws.cell(first[1], col).value for col in range(first[0], first[2] + 1)]
                assert [c.name for c in table.tableColumns] == cells, (book_path.name, ws.title)
                tables += 1
    assert tables > 0
