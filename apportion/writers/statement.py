"""One district's statement (``districts/<code>_<short name>.xlsx``), Educ. Law §1950(4): the file emailed to the
district, drawn from its document (:mod:`.document`), as the PDF is.

The header block on the "Statement" sheet is also the contract ``apportion
mail`` reads: column A labels ``District code``, ``District name``, ``Email``,
``Total charges``, ``Total BOCES aid``, ``Net cost`` with their values in
column B; no other row of column A repeats those labels.

Below it: every charge with its working, the aid working in statute order
(:data:`~.labels.AID_LINES`), then net cost, the change from last year and the
tax impact. The sheet prints portrait, one page wide; a statement too long for
one readable page breaks between sections, with the title rows repeated.
"""
from __future__ import annotations

import io
import operator
from itertools import compress, repeat

from xlsxwriter.utility import xl_rowcol_to_cell

from ..result import Result
from . import sheetxml
from .document import ReportOptions, shown, statement_document
from .labels import created_at
from .styles import (CHARS_PER_WIDTH, INDENT_WIDTH, PAGE_HEIGHT, PAGE_WIDTH_PORTRAIT, ROW_HEIGHT, Styles, new_workbook,
                     printable, width_points)
from .sheetxml import BLANK, merge_rows, reserve_strings, set_rows, write_column
from .tables import (KINDS, MAX_FIT, Col, Formula, cell_value, document_columns, gc_paused, header_height, lines_column,
                     lines_needed, write_note, write_pairs, write_section, write_table)

MIN_SCALE = 0.62  # a statement squeezed onto one page is never printed smaller than this
#: the statements' workbook: written from templates (tests/test_sheetxml.py checks it against xlsxwriter's)
BOOK = sheetxml.Workbook


@gc_paused
def write_statement(result: Result, code: str, options: ReportOptions = ReportOptions(),
                    document: dict | None = None) -> bytes:
    """The statement workbook for district ``code`` as bytes (from ``document`` when already made)."""
    document = document or statement_document(result, code, options)
    buffer = io.BytesIO()
    facts = document["facts"]
    book, st = new_workbook(buffer, created_at(result), f"{facts['boces_name']} {facts['school_year']} statement — "
                            f"{facts['district_name']}", "District statement of BOCES charges and aid", BOOK)
    render_statement(book.add_worksheet("Statement"), st, document)
    book.close()
    return buffer.getvalue()


def table_columns(table: dict) -> list[Col]:
    return [Col(c["header"], c["key"], c["kind"], c["width"], c["total"], wrap=c.get("wrap", False))
            for c in table["columns"]]


def fitted(table: dict, labels: list[str]) -> list[float]:
    """Column widths that fit the shown values (numbers as formatted, not only text); column A also fits
    ``labels`` (bold, so a little wider); a wrapped column is as wide as its text up to its own width."""
    widths = []
    columns = document_columns(table["rows"], [c["key"] for c in table["columns"]])
    for j, c in enumerate(table["columns"]):
        key, kind = c["key"], c["kind"]
        values = columns[key]
        if c["total"]:
            values.append(table["total"].get(key))
        longest = longest_shown(values, kind)
        if kind != "text":
            longest = max(longest, len(c["header"]))
        if j == 0 and labels:  # the longest label, bold (int(x * 1.1) grows with x: the longest is the widest)
            longest = max(longest, int(max(map(len, labels)) * 1.1))
        fit = longest / CHARS_PER_WIDTH + 2
        widths.append(min(c["width"], fit) if c.get("wrap") else max(c["width"], min(MAX_FIT, fit)))
    return widths


# kinds whose shown text (sign, grouped digits, fixed decimals) is never shorter for a larger magnitude
_GROWS_WITH_SIZE = {"cents", "dollars", "count", "ratio", "mills", "impact"}


def longest_shown(values: list, kind: str) -> int:
    """The length of the longest of ``values`` as :func:`~.document.shown` shows them (0 for none).

    Text is its own length; for a kind in :data:`_GROWS_WITH_SIZE` held as ints only the largest and the
    smallest value can be the longest (the widest positive, the widest negative), so only those are shown;
    any other kind shows each distinct value once (a charges table repeats its units and unit costs).
    """
    present = [v for v in values if v is not None] if None in values else values
    if not present:
        return 0
    types = set(map(type, present))
    if kind == "text":
        return max(map(len, present if types == {str} else map(str, present)))
    if kind in _GROWS_WITH_SIZE and types == {int}:
        return max(len(shown(max(present), kind)), len(shown(min(present), kind)))
    distinct = list(dict.fromkeys(present))
    # the type too: 1 and 1.0 are one key but may show differently
    keys = list(zip(map(type, distinct), distinct, repeat(kind)))
    lengths = list(map(_SHOWN_LENGTHS.get, keys))
    if None in lengths:  # the values no statement of this process showed yet
        if len(_SHOWN_LENGTHS) > 100_000:
            _SHOWN_LENGTHS.clear()
        for i in compress(range(len(keys)), map(operator.is_, lengths, repeat(None))):
            lengths[i] = _SHOWN_LENGTHS[keys[i]] = len(shown(distinct[i], kind))
    return max(lengths)


_SHOWN_LENGTHS: dict[tuple, int] = {}  # (type, value, kind) → its shown length: a job's statements share units


def render_statement(ws, st: Styles, document: dict) -> None:
    """Draw a statement document on ``ws``: title rows, header, sections; then the page setup."""
    table = next(s["table"] for s in document["sections"] if "table" in s)
    labels = [p["label"] for p in document["header"]]
    labels += [line["label"] for s in document["sections"] for line in s.get("steps", {}).get("lines", [])]
    labels += [p["label"] for s in document["sections"] for p in s.get("pairs", [])]
    widths = fitted(table, labels)
    widths[1] = max(widths[1], 15)  # column B also holds the header's and the aid steps' values
    for j, width in enumerate(widths):
        ws.set_column(j, j, width)
    lines: list[list[int]] = []
    render_sections(ws, st, document, widths, lines)
    header_rows = 4 + len(document["header"])
    heights = [24, ROW_HEIGHT, ROW_HEIGHT] + [ROW_HEIGHT] * (header_rows - 3)  # title rows, header pairs
    for row, height in _wrap_long_texts(ws, st, document, widths).items():
        heights[row] = height
    starts = []  # the first row of each section, where a page may break
    charges_header = 0
    for section, section_lines in zip(document["sections"], lines):
        starts.append(len(heights))
        if section.get("table") is table:  # below the section's gap, heading and note (section_heights)
            charges_header = len(heights) + 2 + (1 if section.get("note") else 0)
        heights += section_heights(section, widths, section_lines)
    _page_setup(ws, document, widths, heights, starts, charges_header)


#: text rows of the top of a statement: (row, the document's text, its wrapped role, first column, font size,
#: a line's height); the header values follow from row 4
_TOP_TEXTS = ((0, "title", "title_wrap", 0, 16, 24), (1, "subtitle", "subtitle_wrap", 0, 11, ROW_HEIGHT))


def _wrap_long_texts(ws, st: Styles, document: dict, widths: list[float]) -> dict[int, float]:
    """The title, subtitle and header values too long for the page's width (a 200-character district name was
    cut at the right margin when printed): each merged across to the last column, wrapped, its row grown.
    Returns the grown rows' heights. Text that fits is left as written."""
    last = len(widths) - 1
    texts = [(row, document[key], role, col, size, line) for row, key, role, col, size, line in _TOP_TEXTS]
    texts += [(4 + i, p["value"], "value_wrap", 1, 11, ROW_HEIGHT) for i, p in enumerate(document["header"])
              if p["kind"] == "text" and isinstance(p["value"], str) and not p.get("note")]
    grown = {}
    for row, text, role, col, size, line in texts:
        lines = lines_needed(text, sum(widths[col:]) * 11 / size)
        if lines > 1:
            ws.merge_range(row, col, row, last, "", st[role])
            ws.write_string(row, col, text, st[role])
            grown[row] = line * lines
            ws.set_row(row, grown[row])
    return grown


def render_sections(ws, st: Styles, document: dict, widths: list[float], lines: list | None = None) -> int:
    """A document's title rows, header pairs and sections from the top of ``ws`` (columns ``widths``, already
    set); returns the last row used + 1. ``lines``, when given, receives for each section the lines of its
    table's rows or of its steps (as the rows' heights were set from them)."""
    last = len(widths) - 1
    ws.write_string(0, 0, document["title"], st["title"])
    ws.set_row(0, 24)
    ws.write_string(1, 0, document["subtitle"], st["subtitle"])
    ws.write_string(2, 0, document["status"], st["label"])
    row = write_document_pairs(ws, st, 4, document["header"])
    for section in document["sections"]:
        row = write_section(ws, st, row + 1, section["title"], last)
        if section.get("lead"):
            ws.write_string(row, 0, section["lead"], st["label"])
            row += 1
        for note in ([section["note"]] if section.get("note") else []) + section.get("notes", []):
            row = write_note(ws, st, row, note, last, sum(widths))
        if "pairs" in section:
            row = write_document_pairs(ws, st, row, section["pairs"])
        section_lines: list[int] = []
        if "table" in section:
            t = section["table"]
            columns = table_columns(t)
            placed = write_table(ws, st, t["rows"], columns, first_row=row + (1 if "pairs" in section else 0),
                                 name=t["name"], set_widths=False,
                                 widths=widths[:len(columns)] if len(widths) >= len(columns) else None, table=True)
            row = placed.next_row - 1
            section_lines = placed.lines
        if "steps" in section:
            row, section_lines = _steps(ws, st, section["steps"], widths, row)
        if lines is not None:
            lines.append(section_lines)
    return row


def section_heights(section: dict, widths: list[float], lines: list[int]) -> list[float]:
    """The heights (points) of a section's rows as :func:`render_statement` lays them out: a gap, the
    heading, the note, then the table (header, rows grown for wrapped working, total, a gap), the steps
    (header, each line as tall as its working) or the pairs. ``lines``: the table rows' or steps' lines,
    as :func:`render_sections` gave them."""
    out = [ROW_HEIGHT, ROW_HEIGHT + 5]
    if section.get("note"):
        out.append(ROW_HEIGHT * lines_needed(section["note"], sum(widths)) + 1)
    if "table" in section:
        out.append(header_height(table_columns(section["table"]), widths))
        out += [ROW_HEIGHT * n + (2 if n > 1 else 0) for n in lines]
        out += [ROW_HEIGHT, ROW_HEIGHT]
    elif "steps" in section:
        out.append(ROW_HEIGHT)
        out += [ROW_HEIGHT * n for n in lines]
    elif "pairs" in section:
        out += [ROW_HEIGHT] * len(section["pairs"])
    return out


def _page_setup(ws, document: dict, widths: list[float], heights: list[float], starts: list[int],
                charges_header: int) -> None:
    """Portrait, one page wide. When the whole statement fits one page at no less than :data:`MIN_SCALE` it
    is fitted to that page; otherwise pages break between sections (a section that does not fit what is
    left of a page starts the next, so a total is never alone), the title rows repeated on each — unless the
    charges table itself runs past the first page: then its column header (row ``charges_header``) is
    repeated at the top of every page after the one it is first printed on, so a page of charges is never a
    page of unlabelled columns. (A sheet repeats one run of rows only; the BOCES, the district and the page
    number are in every page's footer.)"""
    width_scale = min(1.0, PAGE_WIDTH_PORTRAIT / sum(width_points(w) for w in widths))
    total = sum(heights)
    if min(width_scale, PAGE_HEIGHT / total) >= MIN_SCALE:
        printable(ws, *document["footer"], repeat=(0, 2), landscape=False, gridlines=False, pages_high=1)
        return
    page = PAGE_HEIGHT / width_scale  # points of the sheet that fit one printed page
    bounds = starts + [len(heights)]
    charges_end = next(b for b in bounds if b > charges_header)
    repeat = (charges_header, charges_header) if sum(heights[:charges_end]) > page else (0, 2)
    repeated = sum(heights[repeat[0]:repeat[1] + 1])
    breaks, used = [], 0.0
    for start, end in zip(bounds, bounds[1:]):
        block = sum(heights[start:end])
        if used and used + block > page:
            breaks.append(start)
            used = repeated
        used += block
    ws.set_h_pagebreaks(breaks)
    printable(ws, *document["footer"], repeat=repeat, landscape=False, gridlines=False)


def write_document_pairs(ws, st: Styles, row: int, pairs: list[dict]) -> int:
    """A document's label / value pairs from ``row``; a pair with a formula becomes one over the rows above."""
    first = row
    out = []
    for p in pairs:
        value = p["value"]
        if p.get("formula"):
            value = Formula(_formula(p["formula"], first), value)
        out.append((p["label"], value, p["kind"], p["role"], p["note"]))
    return write_pairs(ws, st, row, out)


def _formula(spec: dict, first: int, col: int = 1) -> str:
    """``{"op": "sum" | "minus", "of": [positions]}`` over the block starting at row ``first``, in column ``col``."""
    of = spec["of"]
    cells = [xl_rowcol_to_cell(first + i, col) for i in of]
    if spec["op"] == "sum":
        if of == list(range(of[0], of[-1] + 1)):
            return f"=SUM({cells[0]}:{cells[-1]})"
        return "=" + "+".join(cells)
    return "=" + "-".join(cells)


def _steps(ws, st: Styles, steps: dict, widths: list[float], row: int) -> tuple[int, list[int]]:
    """The aid steps: Step, Value, How it is figured (across the middle columns, wrapped) and Law; returns the
    next row and each step's lines.

    Written a column at a time (a statement has hundreds of steps, one per aided service): each column's
    values and formats listed once, the working merged across the middle columns for all the steps in one
    call, the rows' heights from one pass over the working. A total step's value is its formula."""
    last = len(widths) - 1
    header = st["header"]
    st["label"], st["detail"], st["working"]  # made before the steps' own formats, as they always were
    names = steps["columns"]
    ws.write_string(row, 0, names[0], header)
    ws.write_string(row, 1, names[1], st["header_right"])
    ws.merge_range(row, 2, row, last - 1, "", st["header_indented"])
    ws.write_string(row, 2, names[2], st["header_indented"])
    ws.write_string(row, last, names[3], header)
    first = row + 1
    lines = steps["lines"]
    if not lines:
        return first, []
    # each step's fields, a column each, taken from all the steps in one pass
    roles, kinds, labels, values, workings, laws = map(list, zip(*map(_STEP_FIELDS, lines)))
    # each step's formats by its role and kind, made in the order its cells first come (a workbook numbers its
    # formats as first used): one look-up a step
    keys = list(zip(roles, kinds))
    made = {key: _step_formats(st, *key) for key in dict.fromkeys(keys)}
    label_formats, value_formats, working_formats, law_formats = map(list, zip(*map(made.__getitem__, keys)))
    labels = list(map(operator.add, map(_STEP_INDENTS.get, roles, repeat("")), labels))  # a detail's indented
    # a value as Excel holds it (a document's blank is None: a formatted blank cell); a total's is its formula,
    # written below over a 0 here (so the column has a cell in every row: kept as a full column)
    convert = {kind: KINDS[kind][1] for kind in dict.fromkeys(kinds)}
    values = [0 if role == "total" else BLANK if v is None else convert[kind](v)
              for v, kind, role in zip(values, kinds, roles)]
    # the shared strings numbered as the cells come row by row: label, a value that is text, working, law
    order: list = [None] * (4 * len(lines))
    order[0::4], order[2::4], order[3::4] = labels, workings, laws
    order[1::4] = [v if isinstance(v, str) else None for v in values]
    reserve_strings(ws, order)
    merge_rows(ws, first, first + len(lines) - 1, 2, last - 1)
    write_column(ws, first, 0, labels, label_formats)
    write_column(ws, first, 1, values, value_formats)
    write_column(ws, first, 2, workings, working_formats)
    for col in range(3, last):  # the rest of the merged working: formatted blanks
        write_column(ws, first, col, [BLANK] * len(lines), working_formats)
    write_column(ws, first, last, laws, law_formats)
    for i in compress(range(len(lines)), map("total".__eq__, roles)):
        line = lines[i]
        ws.write_formula(first + i, 1, _formula(line["formula"], first), value_formats[i],
                         cell_value(line["value"], line["kind"]) or 0)
    counts = lines_column(workings, sum(widths[2:last]) - INDENT_WIDTH)
    set_rows(ws, first, [ROW_HEIGHT * n if n > 1 else None for n in counts])
    return first + len(lines), counts


_STEP_FIELDS = operator.itemgetter("role", "kind", "label", "value", "working", "law")
_STEP_INDENTS = {"detail": "    "}  # a detail step's label is indented by leading spaces (its format has no indent)


def _step_formats(st: Styles, role: str, kind: str) -> tuple:
    """The formats of a step's label, value, working and law for its ``role`` and ``kind``, asked for in that
    order."""
    number = KINDS[kind][0]
    if role == "total":
        return st["total"], st(number, "total"), st["total_working"], st["total"]
    return st["detail"] if role == "detail" else st["label"], st(number), st["working"], st["working"]
