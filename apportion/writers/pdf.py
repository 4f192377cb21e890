"""Statements and the summary as PDF (docs/formats.md, Outputs: ``run --pdf``), drawn with fpdf2 from the same
document the workbook is drawn from (:mod:`.document`), so the two never disagree.

:func:`render_statement_pdf` takes a statement document (as built, or as read back from its
``districts/<code>_<short name>.json``) and returns the PDF's bytes; ``apportion mail`` uses it to make a
missing PDF without opening the workbook. :func:`render_document_pdf` draws any document of that shape
(the summary's too).

The bytes are the same for the same document: the creation date is the document's own (fixed from the
school year), the producer is fixed and the file identifier is a hash of the content. Text is set in the
standard PDF fonts (Helvetica), which every reader has and which need no font file; they cover the
Windows-1252 letters, so the few typographic signs outside it are written as their nearest equivalent
(− as -, ≥ as >=) and any other character as ``?`` — the workbook keeps the exact text.
"""
from __future__ import annotations

from datetime import datetime, timezone

from fpdf import FPDF, line_break
from fpdf.enums import XPos, YPos

from .document import shown

FONT = "Helvetica"
NAVY = (31, 56, 100)
BLUE = (46, 117, 182)
PALE = (221, 235, 247)
GREY = (89, 89, 89)
RULE = (191, 191, 191)
MARGIN = 30  # points
BODY = 6.6  # points: tables and steps
LINE = BODY * 1.22
NOTE = 6.8  # points: a section's note
ZOOMS = (1.0, 0.94, 0.88)  # the type sizes tried, largest first, to keep a statement to one page
REPLACE = {"\u2212": "-", "\u2264": "<=", "\u2265": ">=", "\u2248": "~", "\u2192": "->", "\u00a0": " ",
           "\u2009": " ", "\u202f": " ", "\u2011": "-"}
ENCODING = "cp1252"
_REPLACE_TABLE = str.maketrans(REPLACE)


def pdf_text(text) -> str:
    """Text the standard fonts can show: a few signs mapped, anything else outside Windows-1252 as ``?``."""
    return str(text).translate(_REPLACE_TABLE).encode(ENCODING, errors="replace").decode(ENCODING)


def string_width(pdf: FPDF, text: str) -> float:
    """``pdf.get_string_width(text)``, the same float, in one sum over the font's character widths.

    fpdf2 makes a text fragment and copies the graphics state for every width it measures (about 30 µs);
    a statement measures every cell of its tables twice or more. For plain text in a standard font,
    unstretched and unspaced, that width is the sum of the characters' widths × size / 1000 / k,
    computed here in the same order; any other font or setting is measured by fpdf2.
    """
    if pdf.is_ttf_font or pdf.font_stretching != 100 or pdf.char_spacing or pdf.text_shaping:
        return pdf.get_string_width(text)
    if not text:
        return 0
    widths = pdf.current_font.cw
    return sum(map(widths.__getitem__, pdf.normalize_text(text))) * pdf.font_size_pt * 0.001 / pdf.k


class _CurrentLine(line_break.CurrentLine):
    """fpdf2's line being filled while it breaks text, with the same widths found in linear time.

    fpdf2 asks the line's width after every character, and sums every character's width again each time
    (a wrapped cell of 100 characters: about 5,000 look-ups per line). Here each fragment's integer sum of
    character widths is kept with the characters it counts, and only characters added since are looked up;
    the width is then that sum × size / 1000 / k, the same operations in the same order as fpdf2's
    ``Fragment.get_width``, so the same float and the same line breaks. A fragment that is not plain text
    in a standard font, unstretched and unspaced, is measured by fpdf2.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # id(fragment) → (the fragment, its characters list, how many were counted, their sum); None when
        # the fragment is measured by fpdf2. fpdf2 only appends to a fragment's list in place (a trim makes a
        # new list), so the same list at least as long still starts with the characters counted.
        self._sums: dict[int, tuple | None] = {}

    @property
    def width(self) -> float:
        width: float = 0
        for i, fragment in enumerate(self.fragments):
            width += self._fragment_width(fragment, i > 0)
        return width

    def _fragment_width(self, fragment, initial_cs: bool) -> float:
        key = id(fragment)
        kept = self._sums.get(key, False)
        if kept is False or (kept is not None and kept[0] is not fragment):
            plain = fragment.__class__ is line_break.Fragment and not fragment.is_ttf_font \
                and fragment.font_stretching == 100 and fragment.char_spacing == 0
            kept = (fragment, None, 0, 0, fragment.font.cw, fragment.font_size_pt, fragment.k) \
                if plain else None
        if kept is None:
            self._sums[key] = None
            return fragment.get_width(initial_cs=initial_cs)
        _, counted_list, counted, total, widths, size, k = kept
        characters = fragment.characters
        if characters is not counted_list or len(characters) < counted:
            counted, total = 0, 0
        if len(characters) > counted:
            total = sum(map(widths.__getitem__, characters[counted:]), total)
        self._sums[key] = (fragment, characters, len(characters), total, widths, size, k)
        return total * size * 0.001 / k  # fpdf2's order of operations: the same float


class _Page(FPDF):
    """A letter page with the document's title repeated at the top of every page after the first and its
    footer (left text, page x of y, right text) on every page."""

    def __init__(self, document: dict, landscape: bool = False, zoom: float = 1.0):
        super().__init__(orientation="L" if landscape else "P", unit="pt", format="Letter")
        self.body, self.line_h, self.note = BODY * zoom, LINE * zoom, NOTE * zoom  # tables' and notes' type
        self.core_fonts_encoding = ENCODING
        self.document = document
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.alias_nb_pages()
        self.c_margin = 1  # points inside a cell on either side: the widths below are measured on the text

    def header(self):
        if self.page_no() > 1:
            self.set_font(FONT, "B", 9)
            self.set_text_color(*NAVY)
            self.cell(0, 12, pdf_text(self.document["title"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font(FONT, "I", 7)
            self.set_text_color(*GREY)
            self.cell(0, 10, pdf_text(self.document["subtitle"] + " (continued)"), new_x=XPos.LMARGIN,
                      new_y=YPos.NEXT)
            self.ln(4)

    def footer(self):
        left, right = self.document.get("footer", ["", ""])
        self.set_y(-MARGIN + 10)
        self.set_font(FONT, "", 6.5)
        self.set_text_color(*GREY)
        width = self.w - 2 * MARGIN
        self.cell(width / 3, 8, pdf_text(left))
        self.cell(width / 3, 8, f"Page {self.page_no()} of {{nb}}", align="C")
        self.cell(width / 3, 8, pdf_text(right), align="R")

    @property
    def bottom(self) -> float:
        return self.h - MARGIN - 4

    def room(self, height: float) -> None:
        """A new page unless ``height`` points fit below the current position."""
        if self.get_y() + height > self.bottom:
            self.add_page()


def render_statement_pdf(document: dict) -> bytes:
    """A statement document (:func:`~.document.statement_document`, or its JSON read back) as PDF bytes."""
    return render_document_pdf(document)


def render_document_pdf(document: dict, landscape: bool = False, charts: list[dict] | None = None) -> bytes:
    """Any document of the statement's shape as PDF bytes; ``charts`` are bar charts drawn after it
    (each ``{"title", "labels", "series": [{"name", "values", "kind"}]}``).

    A document that runs a little over one page is set in slightly smaller type (down to
    :data:`ZOOMS`' last) so that it fits one; a longer one breaks between sections at full size.
    """
    # fpdf2 makes its CurrentLine by the module's name: ours while this document is drawn, then put back
    # (documents are drawn one at a time in a process: several processes, never threads)
    plain, line_break.CurrentLine = line_break.CurrentLine, _CurrentLine
    try:
        first = None
        for zoom in ZOOMS:
            pdf = _draw(document, landscape, charts, zoom)
            first = first or pdf
            if pdf.pages_count != 2 or charts:  # one page already, or far more than one: full size
                break
        else:
            pdf = first
        return bytes(pdf.output())
    finally:
        line_break.CurrentLine = plain


def _draw(document: dict, landscape: bool, charts: list[dict] | None, zoom: float) -> "_Page":
    pdf = _Page(document, landscape, zoom)
    created = document.get("created")
    pdf.set_creation_date(datetime.fromisoformat(created).replace(tzinfo=timezone.utc) if created
                          else datetime(2000, 1, 1, tzinfo=timezone.utc))
    pdf.set_producer("apportion")
    pdf.set_creator("apportion")
    pdf.set_title(pdf_text(document["title"]))
    pdf.set_author("apportion")
    pdf.add_page()
    _title(pdf, document)
    _pairs(pdf, document["header"], key_size=9.5, side_by_side=document.get("header_layout") == "columns")
    for section in document["sections"]:
        _section(pdf, section)
    for chart in charts or []:
        _bar_chart(pdf, chart)
    return pdf


def _title(pdf: _Page, document: dict) -> None:
    pdf.set_font(FONT, "B", 13)
    pdf.set_text_color(*NAVY)
    pdf.multi_cell(0, 16, pdf_text(document["title"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "I", 8.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(0, 11, pdf_text(document["subtitle"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if document.get("status"):
        pdf.set_font(FONT, "B", 8.5)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(0, 11, pdf_text(document["status"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _pairs(pdf: _Page, pairs: list[dict], key_size: float = 7.5, side_by_side: bool = False) -> None:
    """Label / value rows (value right-aligned, a note after it). ``side_by_side``: two blocks across the
    page, the text pairs (names, codes) on the left and the figures on the right, or the first half and the
    second."""
    if not side_by_side:
        _pair_block(pdf, pairs, MARGIN, 170, 85, key_size)
        return
    left = [p for p in pairs if p["kind"] in ("text", "date")]
    right = [p for p in pairs if p["kind"] not in ("text", "date")]
    if not left or not right:
        half = (len(pairs) + 1) // 2
        left, right = pairs[:half], pairs[half:]
    half_width = (pdf.w - 2 * MARGIN) / 2
    top = pdf.get_y()
    _pair_block(pdf, left, MARGIN, 130, 72, key_size, half_width - 206)
    below_left = pdf.get_y()
    pdf.set_y(top)
    _pair_block(pdf, right, MARGIN + half_width, 82, 70, key_size, half_width - 152)
    pdf.set_y(max(below_left, pdf.get_y()))


def _pair_block(pdf: _Page, pairs: list[dict], x: float, label_w: float, value_w: float, key_size: float,
                note_w: float = 0) -> None:
    for p in pairs:
        key = p["role"] == "key"
        total = p["role"] in ("total", "emphasis")
        size = key_size if key else 7.5
        height = size * 1.4
        pdf.room(height)
        y = pdf.get_y()
        if total:
            pdf.set_fill_color(*PALE)
            pdf.rect(x, y, label_w + value_w, height, style="F")
            pdf.set_draw_color(0, 0, 0)
            pdf.line(x, y, x + label_w + value_w, y)
        pdf.set_text_color(*(NAVY if key else (0, 0, 0)))
        pdf.set_font(FONT, "B", size)
        pdf.set_xy(x, y)
        pdf.cell(label_w, height, pdf_text(p["label"]))
        text = shown(p["value"], p["kind"])
        numeric = p["kind"] not in ("text", "date")
        pdf.set_font(FONT, "B" if key or total else "", size)
        pdf.set_x(x + label_w)
        pdf.cell(value_w, height, pdf_text(text), align="R" if numeric else "L")
        if p.get("note") and numeric:
            pdf.set_font(FONT, "I", 6.5)
            pdf.set_text_color(*GREY)
            pdf.cell(note_w, height, "  " + pdf_text(p["note"]))
        pdf.set_xy(x, y + height)
    pdf.set_text_color(0, 0, 0)


def _note_height(pdf: _Page, text: str, width: float) -> float:
    pdf.set_font(FONT, "I", pdf.note)
    return len(pdf.multi_cell(width, pdf.note * 1.25, pdf_text(text), dry_run=True, output="LINES")) * pdf.note * 1.25


def _section(pdf: _Page, section: dict) -> None:
    """A section heading with its note, then its block; the heading is never left at the foot of a page."""
    width = pdf.w - 2 * MARGIN
    note = section.get("note") or ""
    pdf.ln(4)
    first_rows = 3 * pdf.line_h + (pdf.line_h + 2 if "table" in section or "steps" in section else 0)
    pdf.room(17 + (_note_height(pdf, note, width) + 2 if note else 0) + first_rows)
    pdf.set_font(FONT, "B", 10.5)
    pdf.set_text_color(*NAVY)
    pdf.cell(0, 14, pdf_text(section["title"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*BLUE)
    pdf.set_line_width(1)
    pdf.line(MARGIN, pdf.get_y(), MARGIN + width, pdf.get_y())
    pdf.set_line_width(0.2)
    pdf.ln(3)
    if note:
        pdf.set_font(FONT, "I", pdf.note)
        pdf.set_text_color(*GREY)
        pdf.multi_cell(width, pdf.note * 1.25, pdf_text(note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    for text in section.get("notes", []):
        pdf.set_font(FONT, "I", pdf.note)
        pdf.set_text_color(*GREY)
        pdf.room(_note_height(pdf, text, width))
        pdf.multi_cell(width, pdf.note * 1.25, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    pdf.set_text_color(0, 0, 0)
    if section.get("lead"):
        pdf.set_font(FONT, "B", 7.5)
        pdf.multi_cell(width, 10, pdf_text(section["lead"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if "pairs" in section:
        _pairs(pdf, section["pairs"], side_by_side=section.get("layout") == "columns")
    if "table" in section:
        pdf.ln(3)
        _table(pdf, section["table"])
    if "steps" in section:
        _steps(pdf, section["steps"])


def _widths(pdf: _Page, columns: list[dict], rows: list[dict], total: dict | None) -> list[float]:
    """Column widths in points: each fits its header words and shown values; the wrapped columns share
    what the others leave, in proportion to their text."""
    pdf.set_font(FONT, "", pdf.body)
    widths = []
    for c in columns:
        texts = [shown(r.get(c["key"]), c["kind"]) for r in rows]
        if total and c["key"] in total:
            texts.append(shown(total[c["key"]], c["kind"]))
        longest = max((string_width(pdf, pdf_text(t)) for t in texts), default=0)
        pdf.set_font(FONT, "B", pdf.body)
        head = max((string_width(pdf, w) for w in pdf_text(c["header"]).split()), default=0)
        pdf.set_font(FONT, "", pdf.body)
        widths.append(max(longest, head) + 6)
    room = pdf.w - 2 * MARGIN
    wrap = [j for j, c in enumerate(columns) if c.get("wrap")]
    fixed = sum(w for j, w in enumerate(widths) if j not in wrap)
    natural = sum(widths[j] for j in wrap)
    if wrap and fixed < room * 0.75:
        share = min(1.0, (room - fixed) / natural) if natural else 1.0
        for j in wrap:
            widths[j] *= share
    if sum(widths) > room:
        widths = [w * room / sum(widths) for w in widths]
    elif wrap:
        extra = (room - sum(widths)) / len(wrap)
        for j in wrap:
            widths[j] += extra
    return widths


_LINES: dict[tuple, int] = {}  # how many lines a text breaks into in a width, by font: the same every time


def _line_count(pdf: _Page, text: str, width: float) -> int:
    """How many lines ``text`` takes in ``width`` points: one when it fits (measured, the common case),
    else as fpdf2 wraps it — kept per process, since fpdf2 breaks lines in Python character by character
    and a text repeats across rows and statements."""
    if not text or string_width(pdf, text) <= width - 2 * pdf.c_margin:
        return 1
    key = (pdf.font_family, pdf.font_style, pdf.font_size_pt, text, width)
    lines = _LINES.get(key)
    if lines is None:
        if len(_LINES) > 100_000:
            _LINES.clear()
        lines = _LINES[key] = len(pdf.multi_cell(width, pdf.line_h, text, dry_run=True, output="LINES")) or 1
    return lines


def _put(pdf: _Page, x: float, y: float, width: float, text: str, lines: int, align: str) -> None:
    """A cell's text at (x, y): one line as a cell, more as a wrapped multi-cell."""
    pdf.set_xy(x, y)
    if lines == 1:
        pdf.cell(width, pdf.line_h, text, align=align)
    else:
        pdf.multi_cell(width, pdf.line_h, text, align=align)


def _table_header(pdf: _Page, columns: list[dict], widths: list[float]) -> None:
    pdf.set_font(FONT, "B", pdf.body)
    heads = [pdf_text(c["header"]) for c in columns]
    lines = [_line_count(pdf, t, w - 2) for t, w in zip(heads, widths)]
    height = max(lines) * pdf.line_h + 2
    y = pdf.get_y()
    pdf.set_fill_color(*NAVY)
    pdf.set_text_color(255, 255, 255)
    x = MARGIN
    for c, w, text, n in zip(columns, widths, heads, lines):
        pdf.rect(x, y, w, height, style="F")
        _put(pdf, x + 1, y + 1, w - 2, text, n, "L" if c["kind"] in ("text", "date") else "R")
        x += w
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(MARGIN, y + height)


def _measure(pdf: _Page, columns: list[dict], widths: list[float], values: list, style: str = "") -> tuple:
    """A row's texts as shown, the lines each takes and the row's height, in the row's font (set here)."""
    pdf.set_font(FONT, style, pdf.body)
    texts = [pdf_text(shown(v, c["kind"])) for c, v in zip(columns, values)]
    lines = [_line_count(pdf, t, w - 3) for t, w in zip(texts, widths)]
    return texts, lines, max(lines) * pdf.line_h + 1


def _row(pdf: _Page, columns: list[dict], widths: list[float], values: list, style: str = "",
         measured: tuple | None = None) -> None:
    """One table row: wrapped text top-aligned, numbers right-aligned; a total row shaded and ruled.
    ``measured``: the row's :func:`_measure` in the same font, when already made."""
    if measured is None:
        measured = _measure(pdf, columns, widths, values, style)
    else:
        pdf.set_font(FONT, style, pdf.body)
    texts, lines, height = measured
    y = pdf.get_y()
    if style:
        pdf.set_fill_color(*PALE)
        pdf.rect(MARGIN, y, sum(widths), height, style="F")
        pdf.set_draw_color(0, 0, 0)
        pdf.line(MARGIN, y, MARGIN + sum(widths), y)
    x = MARGIN
    for c, w, text, n in zip(columns, widths, texts, lines):
        _put(pdf, x + 1.5, y + 0.5, w - 3, text, n, "L" if c["kind"] in ("text", "date") else "R")
        x += w
    pdf.set_draw_color(*RULE)
    pdf.line(MARGIN, y + height, MARGIN + sum(widths), y + height)
    pdf.set_xy(MARGIN, y + height)


def _table(pdf: _Page, table: dict) -> None:
    """A table whose header repeats on each page it runs onto; the last row and the total stay together."""
    columns, rows, total = table["columns"], table["rows"], table.get("total")
    widths = _widths(pdf, columns, rows, total)
    _table_header(pdf, columns, widths)
    if not rows:
        pdf.set_font(FONT, "I", pdf.body)
        pdf.cell(0, pdf.line_h, pdf_text(table.get("empty", "None.")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    for i, r in enumerate(rows):
        values = [r.get(c["key"]) for c in columns]
        measured = _measure(pdf, columns, widths, values)
        need = measured[2] + (pdf.line_h + 2 if total and i == len(rows) - 1 else 0)
        if pdf.get_y() + need > pdf.bottom:
            pdf.add_page()
            _table_header(pdf, columns, widths)
        _row(pdf, columns, widths, values, measured=measured)
    if total:
        values = [total.get("label", "Total") if j == 0 else total.get(c["key"]) for j, c in enumerate(columns)]
        _row(pdf, columns, widths, values, "B")


def _steps(pdf: _Page, steps: dict) -> None:
    """The aid steps as a four-column table: step, value, how it is figured (wrapped), law."""
    names = steps["columns"]
    columns = [{"key": "label", "header": names[0], "kind": "text"}, {"key": "value", "header": names[1],
                                                                       "kind": "text"},
               {"key": "working", "header": names[2], "kind": "text"}, {"key": "law", "header": names[3],
                                                                         "kind": "text"}]
    room = pdf.w - 2 * MARGIN
    widths = [108, 56, room - 108 - 56 - 50, 50]
    _table_header(pdf, columns, widths)
    lines = steps["lines"]
    for i, line in enumerate(lines):
        label = ("    " if line["role"] == "detail" else "") + line["label"]
        values = [label, shown(line["value"], line["kind"]), line["working"], line["law"]]
        kinds = [{"key": "", "header": "", "kind": "text"}, {"key": "", "header": "", "kind": "number"},
                 {"key": "", "header": "", "kind": "text"}, {"key": "", "header": "", "kind": "text"}]
        style = "B" if line["role"] == "total" else ""
        measured = _measure(pdf, kinds, widths, values)
        need = measured[2]
        if i == len(lines) - 2 and lines[-1]["role"] == "total":
            need += pdf.line_h + 2  # the last line and the total stay together
        if pdf.get_y() + need > pdf.bottom:
            pdf.add_page()
            _table_header(pdf, columns, widths)
        _row(pdf, kinds, widths, values, style, measured if not style else None)


def _bar_chart(pdf: _Page, chart: dict) -> None:
    """Horizontal bars, one group per label, every label shown; the chart starts a page if it does not fit."""
    labels, series = chart["labels"], chart["series"]
    bar = 7 if len(series) == 1 else 5
    group = bar * len(series) + 3
    height = 30 + group * len(labels) + 20
    pdf.ln(8)
    pdf.room(min(height, 14 + 6 * group))  # the title and a few bars at least, the rest may run on
    pdf.set_font(FONT, "B", 9.5)
    pdf.set_text_color(*NAVY)
    pdf.cell(0, 14, pdf_text(chart["title"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 6.5)
    pdf.set_text_color(0, 0, 0)
    label_w = min(200, max((pdf.get_string_width(pdf_text(t)) for t in labels), default=0) + 6)
    value_w = 60
    room = pdf.w - 2 * MARGIN - label_w - value_w
    top = max([0.0] + [float(v) for s in series for v in s["values"] if v is not None])
    colours = [BLUE, NAVY, (112, 173, 71)]
    for i, label in enumerate(labels):
        if pdf.get_y() + group > pdf.bottom:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_xy(MARGIN, y)
        pdf.cell(label_w - 4, group - 3, pdf_text(label), align="R")
        for k, s in enumerate(series):
            v = s["values"][i]
            w = room * float(v) / top if v and top else 0
            pdf.set_fill_color(*colours[k % len(colours)])
            if w > 0:
                pdf.rect(MARGIN + label_w, y + k * bar, w, bar - 1, style="F")
            pdf.set_xy(MARGIN + label_w + w + 2, y + k * bar - 1)
            pdf.cell(value_w, bar, pdf_text(shown(v, s["kind"])))
        pdf.set_xy(MARGIN, y + group)
    if len(series) > 1:
        pdf.ln(2)
        for k, s in enumerate(series):
            pdf.set_fill_color(*colours[k % len(colours)])
            pdf.rect(pdf.get_x(), pdf.get_y() + 1, 8, 6, style="F")
            pdf.set_x(pdf.get_x() + 10)
            pdf.cell(pdf.get_string_width(pdf_text(s["name"])) + 12, 8, pdf_text(s["name"]))
        pdf.ln(10)
