"""Statements and the summary as PDF (docs/formats.md, Outputs: ``run --pdf``; the file format of ISO 32000-1),
drawn from the same document the workbook is drawn from (:mod:`.document`), so the two never disagree.

:func:`render_statement_pdf` takes a statement document (as built, or as read back from its
``districts/<code>_<short name>.json``) and returns the PDF's bytes; ``apportion mail`` uses it to make a
missing PDF without opening the workbook. :func:`render_document_pdf` draws any document of that shape
(the summary's too).

The bytes are the same for the same document: the creation date is the document's own (fixed from the
school year), the producer is fixed and the file identifier is a hash of the content. Text is set in the
standard PDF fonts (Helvetica), which every reader has and which need no font file; they cover the
Windows-1252 letters, so the few typographic signs outside it are written as their nearest equivalent
(− as -, ≥ as >=) and any other character as ``?`` — the workbook keeps the exact text.

The file is written here rather than by a PDF library: a page is only text in two faces, shaded boxes and
rules, and fpdf2's per-character work (a fragment and a copied graphics state for every cell, line breaking
character by character) cost three times the rest of the run. Each page is one Flate-compressed content
stream of ``BT … Tj ET`` text objects, ``re f`` boxes and ``m … l S`` rules (ISO 32000-1 §8.5, §9.4);
strings are measured with the fonts' AFM widths (:mod:`.helvetica`) as whole words, and broken where fpdf2
broke them (at the last space that fits; a word longer than its column after its last character that fits),
so the pages keep the layout they had.
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import math
import zlib
from datetime import datetime

import numpy as np

from .document import shown
from .helvetica import HELVETICA, HELVETICA_BOLD

NAVY = (31, 56, 100)
BLUE = (46, 117, 182)
PALE = (221, 235, 247)
GREY = (89, 89, 89)
RULE = (191, 191, 191)
BLACK = (0, 0, 0)
WHITE = (255, 255, 255)
MARGIN = 30  # points
BODY = 6.6  # points: tables and steps
LINE = BODY * 1.22
NOTE = 6.8  # points: a section's note
ZOOMS = (1.0, 0.94, 0.88)  # the type sizes tried, largest first, to keep a statement to one page
LETTER = (612.0, 792.0)  # points, portrait
C_MARGIN = 1.0  # points inside a cell on either side: column widths are measured on the text
LINE_WIDTH = 0.2 * 72 / 25.4  # points: a rule's width until one is set (0.2 mm)
TOLERANCE = 1e-9  # points a text may exceed its width and still fit (so a text measured to fit does)
REPLACE = {"\u2212": "-", "\u2264": "<=", "\u2265": ">=", "\u2248": "~", "\u2192": "->", "\u00a0": " ",
           "\u2009": " ", "\u202f": " ", "\u2011": "-", "\t": " ", "\r": "", "\u00ad": ""}
ENCODING = "cp1252"  # the bytes of WinAnsiEncoding (ISO 32000-1 Annex D.2) are Windows-1252's

def pdf_text(text) -> str:
    """Text the standard fonts can show: a few signs mapped (a tab as a space, a soft hyphen or carriage return
    dropped), anything else outside Windows-1252 as ``?``."""
    text = str(text)
    if text.isascii():  # most texts (every figure) have nothing to map: found in C, not by a look-up a character
        if "\t" not in text and "\r" not in text:
            return text
    else:
        try:
            text.encode(ENCODING)
        except UnicodeEncodeError:
            pass
        else:
            if "\xa0" not in text and "\xad" not in text and "\t" not in text and "\r" not in text:
                return text
    for sign, mapped in REPLACE.items():  # no mapped text holds a sign, so one after another is one at once
        if sign in text:  # str.translate looks up every character: scanning for the few signs is C's memchr
            text = text.replace(sign, mapped)
    return text.encode(ENCODING, errors="replace").decode(ENCODING)


class _Widths:
    """A face's AFM widths by character (the text here is always str: each Windows-1252 byte's character) and
    the widths of the texts measured in it, in thousandths of the type size — kept per process, since the
    same words come back on every row and statement."""

    def __init__(self, table: tuple[int, ...]):
        self.by_character: dict[str, int] = {}
        for byte, width in enumerate(table):
            try:
                self.by_character[bytes([byte]).decode(ENCODING)] = width
            except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined: no character gives them
                pass
        self.texts: dict[str, int] = {}
        self.by_byte = np.array(table, dtype=np.int64)
        self.by_byte[0] = 0  # NUL parts the texts measured at once (_cells): none is measured with one in it

    def units(self, text: str) -> int:
        units = self.texts.get(text)
        if units is None:
            if len(self.texts) > 200_000:
                self.texts.clear()
            units = self.texts[text] = sum(map(self.by_character.__getitem__, text))
        return units

    def fitting(self, word: str, room: float) -> int:
        """How many of ``word``'s first characters fit ``room`` thousandths of the type size: at least one."""
        total = 0
        for i, character in enumerate(word):
            total += self.by_character[character]
            if total > room:
                return max(i, 1)
        return len(word)


# style → (resource name, base font, widths): the standard-14 Helvetica faces (§9.6.2.2); the oblique faces
# have their upright face's widths
_REGULAR, _BOLD = _Widths(HELVETICA), _Widths(HELVETICA_BOLD)
_FACES = {"": ("F1", "Helvetica", _REGULAR), "B": ("F2", "Helvetica-Bold", _BOLD),
          "I": ("F3", "Helvetica-Oblique", _REGULAR), "BI": ("F4", "Helvetica-BoldOblique", _BOLD)}


def string_width(text: str, style: str = "", size: float = 12.0) -> float:
    """The width in points of ``text`` (as :func:`pdf_text` gives it) in Helvetica of ``style`` ("", "B", "I",
    "BI") at ``size`` points."""
    return _FACES[style][2].units(text) * size * 0.001


FOOTER_SIZE = 6.5  # points: the footer's type
FOOTER_SIZE_LEAST = 4.0  # points: the smallest a footer's left text is made to fit its third of the line


def footer_size(text: str, width: float) -> float:
    """The type size at which the footer's left text (the BOCES and the district, which can be long) fits its
    third of the line, ``width`` points, clear of the centred "Page x of y": the footer's size, or smaller in
    proportion, down to :data:`FOOTER_SIZE_LEAST`. The whole text is always printed; none of it is cut."""
    room = width - 4  # a gap before the page number
    natural = string_width(text, "", FOOTER_SIZE)
    return FOOTER_SIZE if natural <= room else max(FOOTER_SIZE_LEAST, math.floor(FOOTER_SIZE * room / natural * 100) / 100)


@functools.cache
def _rgb(colour: tuple[int, int, int]) -> str:
    return " ".join(f"{c / 255:.4f}".rstrip("0").rstrip(".") for c in colour)


_LINES: dict[tuple, list] = {}  # (text, width, style, size) → its lines (_Page.lines)


class _Page:
    """The pages being drawn: a letter page's content streams with a current position, type and colours,
    each page's title repeated at its top after the first and its footer (left text, page x of y, right text)
    on every page. Positions are in points from the top left; the stream's are from the bottom left."""

    def __init__(self, document: dict, landscape: bool = False, zoom: float = 1.0):
        self.w, self.h = (LETTER[1], LETTER[0]) if landscape else LETTER
        self.bottom = self.h - MARGIN - 4  # the lowest a line of the body may reach
        self.body, self.line_h, self.note = BODY * zoom, LINE * zoom, NOTE * zoom  # tables' and notes' type
        self.document = document
        self.x = self.y = MARGIN
        self.style, self.size, self.widths = "", 12.0, _REGULAR
        self.text_colour = self.fill_colour = self.draw_colour = BLACK
        self.line_width = LINE_WIDTH
        self.used: set[str] = set()  # the styles set on some page: their fonts are written
        self.pages: list[tuple[list[str], dict]] = []  # each page's operators and the graphics state they leave
        self.add_page()

    @property
    def pages_count(self) -> int:
        return len(self.pages)


    # --- position and type ---------------------------------------------------------------------------------
    def set_font(self, style: str, size: float) -> None:
        self.style, self.size, self.widths = style, size, _FACES[style][2]

    def string_width(self, text: str) -> float:
        return self.widths.units(text) * self.size * 0.001

    def get_x(self) -> float:
        return self.x

    def get_y(self) -> float:
        return self.y

    def set_x(self, x: float) -> None:
        self.x = x

    def set_y(self, y: float) -> None:
        self.x, self.y = MARGIN, y

    def set_xy(self, x: float, y: float) -> None:
        self.x, self.y = x, y

    def ln(self, height: float) -> None:
        self.x, self.y = MARGIN, self.y + height

    def room(self, height: float) -> None:
        """A new page unless ``height`` points fit below the current position."""
        if self.y + height > self.bottom:
            self.add_page()

    # --- pages -------------------------------------------------------------------------------------------
    def add_page(self) -> None:
        """A new page at the top margin, with the title repeated on every page after the first; the type,
        colours and rule width in use go on unchanged."""
        saved = (self.style, self.size, self.text_colour, self.fill_colour, self.draw_colour, self.line_width)
        # a page's stream starts in the default graphics state (§8.4.1), with projecting line caps as before
        self.ops = ["2 J", f"{self.line_width:.2f} w"]
        self.state = {"rg": BLACK, "RG": BLACK, "w": self.line_width, "Tw": 0.0, "Tf": None}
        self.pages.append((self.ops, self.state))
        self.x = self.y = MARGIN
        if len(self.pages) > 1:
            self.set_font("B", 9)
            self.text_colour = NAVY
            self.cell(0, 12, pdf_text(self.document["title"]), ln=True)
            self.set_font("I", 7)
            self.text_colour = GREY
            self.cell(0, 10, pdf_text(self.document["subtitle"] + " (continued)"), ln=True)
            self.ln(4)
        self.set_font(*saved[:2])
        self.text_colour, self.fill_colour, self.draw_colour, self.line_width = saved[2:]

    def _footers(self) -> None:
        """Each page's footer, once the number of pages is known."""
        left, right = self.document.get("footer", ["", ""])
        width = (self.w - 2 * MARGIN) / 3
        left = pdf_text(left)
        left_size = footer_size(left, width)
        for number, (self.ops, self.state) in enumerate(self.pages, 1):
            self.set_y(self.h - MARGIN + 10)
            self.set_font("", left_size)
            self.text_colour = GREY
            self.cell(width, 8, left)
            self.set_font("", FOOTER_SIZE)
            # centred as it has always been placed: as if the count had three digits (fpdf2, which drew these
            # pages before, placed a footer before it knew the count), so page numbers keep their place
            self._line_at(width, 8, f"Page {number} of {len(self.pages)}",
                          self.string_width(f"Page {number} of 000"), "C")
            self.x += width
            self.cell(width, 8, pdf_text(right), align="R")

    # --- drawing -----------------------------------------------------------------------------------------
    def _show(self, placed: list[tuple[float, float, str]], spacing: float = 0.0) -> None:
        """Texts in the current type and colour as one text object: each (x, y, text) with its baseline's left
        end at (x, y) in stream coordinates, set by its text matrix (``Tm``, §9.4.2: absolute, so a reader
        gets the very positions written); ``spacing``: points added at each space (a justified line)."""
        shown = [self._begin_text(spacing)]
        last_y = y_text = None
        for x, y, text in placed:
            if y != last_y:  # a row's cells share their baseline: written once
                last_y, y_text = y, f"{y:.2f}"
            shown.append(f"1 0 0 1 {x:.2f} {y_text} Tm ({_literal(text)}) Tj ")
        shown.append("ET")
        self.ops.append("".join(shown))

    def _begin_text(self, spacing: float = 0.0) -> str:
        """A text object's start in the current type: ``BT``, then the font and the word spacing where they
        change (§9.3); the text colour, where it changes, goes to the stream before it."""
        state = self.state
        if state["rg"] != self.text_colour:
            state["rg"] = self.text_colour
            self.ops.append(_rgb(self.text_colour) + " rg")
        font = (self.style, self.size)
        tf = tw = ""
        if state["Tf"] != font:
            state["Tf"] = font
            self.used.add(self.style)
            tf = f"/{_FACES[self.style][0]} {self.size:.2f} Tf "
        if state["Tw"] != spacing:
            state["Tw"] = spacing
            tw = f"{spacing:.3f} Tw "
        return f"BT {tf}{tw}"

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        """A box filled with the fill colour."""
        if self.state["rg"] != self.fill_colour:
            self.state["rg"] = self.fill_colour
            self.ops.append(_rgb(self.fill_colour) + " rg")
        self.ops.append(f"{x:.2f} {self.h - y:.2f} {w:.2f} {-h:.2f} re f")

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        """A rule in the draw colour and the line width (each set in the stream where it changes)."""
        state = self.state
        if state["RG"] != self.draw_colour:
            state["RG"] = self.draw_colour
            self.ops.append(_rgb(self.draw_colour) + " RG")
        if state["w"] != self.line_width:
            state["w"] = self.line_width
            self.ops.append(f"{self.line_width:.2f} w")
        self.ops.append(f"{x1:.2f} {self.h - y1:.2f} m {x2:.2f} {self.h - y2:.2f} l S")

    def _line_at(self, w: float, h: float, text: str, width: float, align: str, spacing: float = 0.0) -> None:
        """One line of text in the cell of ``w`` × ``h`` points at the current position, vertically centred
        on the type; ``width``: the text's own."""
        if align == "R":
            dx = w - C_MARGIN - width
        elif align == "C":
            dx = (w - width) / 2
        else:
            dx = C_MARGIN
        self._show([(self.x + dx, self.h - self.y - 0.5 * h - 0.3 * self.size, text)], spacing)

    def cell(self, w: float, h: float, text: str = "", align: str = "L", ln: bool = False) -> None:
        """One line of ``text`` in a ``w`` (0: to the right margin) × ``h`` cell at the current position; then
        the position moves right of it, or with ``ln`` to the left margin below it."""
        if w == 0:
            w = self.w - MARGIN - self.x
        if text:
            self._line_at(w, h, text, self.string_width(text), align)
        if ln:
            self.x, self.y = MARGIN, self.y + h
        else:
            self.x += w

    def multi_cell(self, w: float, h: float, text: str, align: str = "J") -> None:
        """``text`` wrapped to ``w`` points (0: to the right margin), ``h`` points a line, from the current
        position; ``align`` "J" justifies every line but a paragraph's last. Then the position is at the left
        margin below it."""
        if w == 0:
            w = self.w - MARGIN - self.x
        for line, width, spaces, wrapped in self.lines(text, w):
            spacing = (w - 2 * C_MARGIN - width) / spaces if align == "J" and wrapped and spaces else 0.0
            if line:
                self._line_at(w, h, line, width, "L" if align == "J" else align, spacing)
            self.y += h
        self.x = MARGIN

    def lines(self, text: str, w: float) -> list[tuple[str, float, int, bool]]:
        """``text`` broken into the lines that fit a ``w``-point cell in the current type: each (its text, its
        width, its spaces, whether the line was broken at a space to fit, so may be justified). Lines break at
        the last space that fits and at each newline; a word wider than the cell breaks after its last
        character that fits. Kept per process (read only): the same item names and workings wrap on the
        statements of every district of a job."""
        key = (text, w, self.style, self.size)
        found = _LINES.get(key)
        if found is None:
            if len(_LINES) > 100_000:
                _LINES.clear()
            found = _LINES[key] = self._broken(text, w)
        return found

    def _broken(self, text: str, w: float) -> list[tuple[str, float, int, bool]]:
        """:meth:`lines`, worked out."""
        size = self.size
        f = size * 0.001
        room = (w - 2 * C_MARGIN) / f  # in thousandths of the type size
        slack = TOLERANCE / f
        units = self.widths.units
        space = units(" ")
        out = []
        for paragraph in text.split("\n"):
            words: list[str] = []
            used = 0  # the line's width so far, in thousandths of the type size
            for word in paragraph.split(" "):
                extent = units(word)
                if words:
                    if used + space + extent - room <= slack:
                        words.append(word)
                        used += space + extent
                        continue
                    out.append((" ".join(words), used * size * 0.001, len(words) - 1, True))
                while extent - room > slack and len(word) > 1:  # a word wider than the cell: cut it
                    cut = self.widths.fitting(word, room + slack)
                    out.append((word[:cut], units(word[:cut]) * size * 0.001, 0, False))
                    word = word[cut:]
                    extent = units(word)
                words, used = [word], extent
            out.append((" ".join(words), used * size * 0.001, len(words) - 1, False))
        return out

    # --- the file ----------------------------------------------------------------------------------------
    def output(self, created: datetime, title: str) -> bytes:
        """The PDF file: catalog, page tree, information, resources and fonts, then each page and its
        compressed content; the cross-reference table; the trailer with an identifier hashed from the rest."""
        self._footers()
        fonts = [style for style in _FACES if style in self.used]
        first_page = 4 + len(fonts) + 1
        kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(self.pages)))
        objects = [
            f"<< /Type /Catalog /Pages 2 0 R /OpenAction [{first_page} 0 R /FitH null] /PageLayout /OneColumn >>"
            .encode(),
            f"<< /Type /Pages /Kids [{kids}] /Count {len(self.pages)} /MediaBox [0 0 {self.w:.2f} {self.h:.2f}] >>"
            .encode(),
            (f"<< /Title <feff{title.encode('utf_16_be').hex()}> /Author (apportion) /Creator (apportion) "
             f"/Producer (apportion) /CreationDate (D:{created:%Y%m%d%H%M%S}Z) >>").encode(),
            ("<< /ProcSet [/PDF /Text] /Font << "
             + " ".join(f"/{_FACES[s][0]} {5 + i} 0 R" for i, s in enumerate(fonts)) + " >> >>").encode(),
        ]
        objects += [f"<< /Type /Font /Subtype /Type1 /BaseFont /{_FACES[s][1]} /Encoding /WinAnsiEncoding >>"
                    .encode() for s in fonts]
        for i, (ops, _) in enumerate(self.pages):
            content = zlib.compress("\n".join(ops).encode(ENCODING), 1)  # level 1: half the time, +15 % bytes
            objects.append(f"<< /Type /Page /Parent 2 0 R /Resources 4 0 R /Contents {first_page + 2 * i + 1} 0 R >>"
                           .encode())
            objects.append(b"<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        body = bytearray(b"%PDF-1.3\n%\xe9\xeb\xf1\xbf\n")
        offsets = []
        for number, data in enumerate(objects, 1):
            offsets.append(len(body))
            body += b"%d 0 obj\n%s\nendobj\n" % (number, data)
        identifier = hashlib.md5(body).hexdigest().upper()
        xref = len(body)
        body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        body += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 3 0 R /ID [<{identifier}><{identifier}>] >>\n"
                 f"startxref\n{xref}\n%%EOF\n").encode()
        return bytes(body)


def render_statement_pdf(document: dict) -> bytes:
    """A statement document (:func:`~.document.statement_document`, or its JSON read back) as PDF bytes."""
    return render_document_pdf(document)


def render_document_pdf(document: dict, landscape: bool = False, charts: list[dict] | None = None) -> bytes:
    """Any document of the statement's shape as PDF bytes; ``charts`` are bar charts drawn after it
    (each ``{"title", "labels", "series": [{"name", "values", "kind"}]}``).

    A document that runs a little over one page is set in slightly smaller type (down to
    :data:`ZOOMS`' last) so that it fits one; a longer one breaks between sections at full size.
    """
    first = None
    for zoom in ZOOMS:
        pdf = _draw(document, landscape, charts, zoom)
        first = first or pdf
        if pdf.pages_count != 2 or charts:  # one page already, or far more than one: full size
            break
    else:
        pdf = first
    created = document.get("created")
    return pdf.output(datetime.fromisoformat(created) if created else datetime(2000, 1, 1),
                      pdf_text(document["title"]))


def _draw(document: dict, landscape: bool, charts: list[dict] | None, zoom: float) -> _Page:
    pdf = _Page(document, landscape, zoom)
    _title(pdf, document)
    _pairs(pdf, document["header"], key_size=9.5, side_by_side=document.get("header_layout") == "columns")
    for section in document["sections"]:
        _section(pdf, section)
    for chart in charts or []:
        _bar_chart(pdf, chart)
    return pdf


def _title(pdf: _Page, document: dict) -> None:
    pdf.set_font("B", 13)
    pdf.text_colour = NAVY
    pdf.multi_cell(0, 16, pdf_text(document["title"]))
    pdf.set_font("I", 8.5)
    pdf.text_colour = GREY
    pdf.multi_cell(0, 11, pdf_text(document["subtitle"]))
    if document.get("status"):
        pdf.set_font("B", 8.5)
        pdf.text_colour = BLACK
        pdf.multi_cell(0, 11, pdf_text(document["status"]))
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
    """The pairs from ``x``: a text value wider than its block (a long email beside the figures' block) wraps
    within it, the row as tall as its lines, rather than running into what is right of it."""
    for p in pairs:
        key = p["role"] == "key"
        total = p["role"] in ("total", "emphasis")
        size = key_size if key else 7.5
        height = size * 1.4
        if p["kind"] in ("text", "date"):
            room = (value_w + note_w if note_w else pdf.w - MARGIN - x - label_w)
            pdf.set_font("B" if key or total else "", size)
            lines = pdf.lines(pdf_text(shown(p["value"], p["kind"])), room)
            if len(lines) > 1:
                _wrapped_pair(pdf, p["label"], lines, x, label_w, room, size, key, key or total)
                continue
        pdf.room(height)
        y = pdf.get_y()
        if total:
            pdf.fill_colour = PALE
            pdf.rect(x, y, label_w + value_w, height)
            pdf.draw_colour = BLACK
            pdf.line(x, y, x + label_w + value_w, y)
        pdf.text_colour = NAVY if key else BLACK
        pdf.set_font("B", size)
        pdf.set_xy(x, y)
        pdf.cell(label_w, height, pdf_text(p["label"]))
        text = shown(p["value"], p["kind"])
        numeric = p["kind"] not in ("text", "date")
        pdf.set_font("B" if key or total else "", size)
        pdf.set_x(x + label_w)
        pdf.cell(value_w, height, pdf_text(text), align="R" if numeric else "L")
        if p.get("note") and numeric:
            pdf.set_font("I", 6.5)
            pdf.text_colour = GREY
            pdf.cell(note_w, height, "  " + pdf_text(p["note"]))
        pdf.set_xy(x, y + height)
    pdf.text_colour = BLACK


def _wrapped_pair(pdf: _Page, label: str, lines: list, x: float, label_w: float, room: float, size: float,
                  key: bool, bold: bool) -> None:
    """A label and its text value broken into ``lines`` (:meth:`_Page.lines`), one under another."""
    height = size * 1.4
    pdf.room(height * len(lines))
    y = pdf.get_y()
    pdf.text_colour = NAVY if key else BLACK
    pdf.set_font("B", size)
    pdf.set_xy(x, y)
    pdf.cell(label_w, height, pdf_text(label))
    pdf.set_font("B" if bold else "", size)
    for i, (line, _width, _spaces, _wrapped) in enumerate(lines):
        pdf.set_xy(x + label_w, y + i * height)
        pdf.cell(room, height, line)
    pdf.set_xy(x, y + height * len(lines))
    pdf.text_colour = BLACK


def _note_height(pdf: _Page, text: str, width: float) -> float:
    pdf.set_font("I", pdf.note)
    return len(pdf.lines(pdf_text(text), width)) * pdf.note * 1.25


def _section(pdf: _Page, section: dict) -> None:
    """A section heading with its note, then its block; the heading is never left at the foot of a page."""
    width = pdf.w - 2 * MARGIN
    note = section.get("note") or ""
    pdf.ln(4)
    first_rows = 3 * pdf.line_h + (pdf.line_h + 2 if "table" in section or "steps" in section else 0)
    pdf.room(17 + (_note_height(pdf, note, width) + 2 if note else 0) + first_rows)
    pdf.set_font("B", 10.5)
    pdf.text_colour = NAVY
    pdf.cell(0, 14, pdf_text(section["title"]), ln=True)
    pdf.draw_colour = BLUE
    pdf.line_width = 1
    pdf.line(MARGIN, pdf.get_y(), MARGIN + width, pdf.get_y())
    pdf.line_width = 0.2
    pdf.ln(3)
    pdf.text_colour = GREY
    if note:
        pdf.set_font("I", pdf.note)
        pdf.multi_cell(width, pdf.note * 1.25, pdf_text(note))
        pdf.ln(2)
    for text in section.get("notes", []):
        pdf.room(_note_height(pdf, text, width))  # in the note's type
        pdf.multi_cell(width, pdf.note * 1.25, pdf_text(text))
        pdf.ln(2)
    pdf.text_colour = BLACK
    if section.get("lead"):
        pdf.set_font("B", 7.5)
        pdf.multi_cell(width, 10, pdf_text(section["lead"]))
    if "pairs" in section:
        _pairs(pdf, section["pairs"], side_by_side=section.get("layout") == "columns")
    if "table" in section:
        pdf.ln(3)
        _table(pdf, section["table"])
    if "steps" in section:
        _steps(pdf, section["steps"])


def _widths(pdf: _Page, columns: list[dict], extents: list[list[float]], total: list[str] | None) -> list[float]:
    """Column widths in points: each fits its header words and shown values (``extents``: each column's texts'
    widths in the body type; ``total``: the total row's texts, "" where it has none); the wrapped columns share
    what the others leave, in proportion to their text."""
    widths = []
    for j, c in enumerate(columns):
        pdf.set_font("", pdf.body)
        longest = max(extents[j], default=0)
        if total and total[j]:
            longest = max(longest, pdf.string_width(total[j]))
        pdf.set_font("B", pdf.body)
        head = max((pdf.string_width(w) for w in pdf_text(c["header"]).split()), default=0)
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


def _extents(pdf: _Page, texts: list[str]) -> list[float]:
    """Each text's width in points in the current type."""
    size, units = pdf.size, pdf.widths.units
    return [units(text) * size * 0.001 for text in texts]


def _measure(pdf: _Page, widths: list[float], texts: list[str], style: str = "", pad: float = 3,
             gap: float = 1, extents: list[float] | None = None) -> tuple:
    """A row's cells measured in the row's font (set here; ``extents``: the texts' widths in it, when known):
    its texts, each one's width in points where it fits one line of its column less ``pad`` points (the common
    case, measured without breaking) or else its lines (:meth:`_Page.lines`), and the row's height (its lines
    and ``gap`` points)."""
    pdf.set_font(style, pdf.body)
    most = 1
    fitted: list = []
    for text, w, width in zip(texts, widths, extents or _extents(pdf, texts)):
        if width - (w - pad - 2 * C_MARGIN) > TOLERANCE:
            width = pdf.lines(text, w - pad)
            most = max(most, len(width))
        fitted.append(width)
    return texts, fitted, most * pdf.line_h + gap


def _put(pdf: _Page, x: float, y: float, w: float, text: str, fitted, align: str) -> str:
    """A cell's text in a ``w``-point column at (x, y) as its part of a text object (:meth:`_Page._show`'s
    ``1 0 0 1 x y Tm (text) Tj``): one line (``fitted``: its width) or its lines (``fitted``:
    :meth:`_Page.lines`) one below the other, each left- or right-aligned."""
    h, size = pdf.line_h, pdf.size
    out = []
    for line, width, *_ in ((text, fitted),) if fitted.__class__ is float else fitted:
        if line:
            out.append(f"1 0 0 1 {x + (w - C_MARGIN - width if align == 'R' else C_MARGIN):.2f} "
                       f"{pdf.h - y - 0.5 * h - 0.3 * size:.2f} Tm ({_literal(line)}) Tj ")
        y += h
    return "".join(out)


def _table_header(pdf: _Page, columns: list[dict], widths: list[float]) -> None:
    heads, fitted, height = _measure(pdf, widths, [pdf_text(c["header"]) for c in columns], "B", pad=2, gap=2)
    y = pdf.get_y()
    pdf.fill_colour = NAVY
    pdf.text_colour = WHITE
    x, parts = MARGIN, []
    for c, w, text, n in zip(columns, widths, heads, fitted):
        pdf.rect(x, y, w, height)
        parts.append(_put(pdf, x + 1, y + 1, w - 2, text, n, "L" if c["kind"] in ("text", "date") else "R"))
        x += w
    opening = pdf._begin_text()
    pdf.ops.append(opening + "".join(parts) + "ET")
    pdf.text_colour = BLACK
    pdf.set_xy(MARGIN, y + height)


def _row(pdf: _Page, aligns: list[str], widths: list[float], measured: tuple, style: str = "") -> None:
    """One table row (``measured``: its :func:`_measure`, in its style): wrapped text top-aligned, numbers
    right-aligned; a total row shaded and ruled."""
    texts, fitted, height = measured
    pdf.set_font(style, pdf.body)
    y = pdf.get_y()
    if style:
        pdf.fill_colour = PALE
        pdf.rect(MARGIN, y, sum(widths), height)
        pdf.draw_colour = BLACK
        pdf.line(MARGIN, y, MARGIN + sum(widths), y)
    x, parts = MARGIN, []
    baseline = f"{pdf.h - (y + 0.5) - 0.5 * pdf.line_h - 0.3 * pdf.size:.2f}"  # a one-line cell's, as _put's
    for align, w, text, n in zip(aligns, widths, texts, fitted):
        if n.__class__ is not float:
            parts.append(_put(pdf, x + 1.5, y + 0.5, w - 3, text, n, align))
        elif text:  # one line, the common case: _put's placing, inline
            parts.append(f"1 0 0 1 {x + 1.5 + (w - 3 - C_MARGIN - n if align == 'R' else C_MARGIN):.2f} {baseline} "
                         f"Tm ({_literal(text)}) Tj ")
        x += w
    opening = pdf._begin_text()
    pdf.ops.append(opening + "".join(parts) + "ET")
    pdf.draw_colour = RULE
    pdf.line(MARGIN, y + height, MARGIN + sum(widths), y + height)
    pdf.set_xy(MARGIN, y + height)


def _aligns(columns: list[dict]) -> list[str]:
    return ["L" if c["kind"] in ("text", "date") else "R" for c in columns]


def _table(pdf: _Page, table: dict) -> None:
    """A table whose header repeats on each page it runs onto; the last row and the total stay together."""
    columns, rows, total = table["columns"], table["rows"], table.get("total")
    total_cells = [pdf_text(shown(total[c["key"]], c["kind"])) if c["key"] in total else "" for c in columns] \
        if total else None
    pdf.set_font("", pdf.body)
    # each cell measured once: for the widths and its row
    texts, extents = _cells(pdf, [_shown_column([r.get(c["key"]) for r in rows], c["kind"]) for c in columns])
    widths = _widths(pdf, columns, extents, total_cells)
    aligns = _aligns(columns)
    _table_header(pdf, columns, widths)
    if not rows:
        pdf.set_font("I", pdf.body)
        pdf.cell(0, pdf.line_h, pdf_text(table.get("empty", "None.")), ln=True)
        return
    _body(pdf, columns, widths, aligns, texts, extents, len(rows) - 1 if total else None)
    if total:
        texts = [pdf_text(shown(total.get("label", "Total") if j == 0 else total.get(c["key"]), c["kind"]))
                 for j, c in enumerate(columns)]
        _row(pdf, aligns, widths, _measure(pdf, widths, texts, "B"), "B")


def _steps(pdf: _Page, steps: dict) -> None:
    """The aid steps as a four-column table: step, value, how it is figured (wrapped), law."""
    names = steps["columns"]
    columns = [{"header": name, "kind": "text"} for name in names]
    room = pdf.w - 2 * MARGIN
    widths = [108, 56, room - 108 - 56 - 50, 50]
    _table_header(pdf, columns, widths)
    lines = steps["lines"]
    pdf.set_font("", pdf.body)
    texts, extents = _cells(pdf, [[("    " if line["role"] == "detail" else "") + line["label"] for line in lines],
                                  [shown(line["value"], line["kind"]) for line in lines],
                                  [line["working"] for line in lines], [line["law"] for line in lines]])
    bold = {i for i, line in enumerate(lines) if line["role"] == "total"}
    _body(pdf, columns, widths, ["L", "R", "L", "L"], texts, extents,
          len(lines) - 2 if len(lines) - 1 in bold else None, bold)


def _shown_column(values: list, kind: str) -> list[str]:
    """Each value as shown (:func:`~.document.shown`); a figure repeated down a column (a district's full value
    on each of its budget rows) made text once. A text column is shown value by value: its texts cost little,
    and 1 and True, equal as keys, show differently."""
    if kind in ("text", "date"):
        return [shown(value, kind) for value in values]
    once = dict.fromkeys(values)
    for value in once:
        once[value] = shown(value, kind)
    return [once[value] for value in values]


def _cells(pdf: _Page, columns: list[list[str]]) -> tuple[list[list[str]], list[list[float]]]:
    """A table body's texts as the standard fonts show them (:func:`pdf_text`) and their widths in points in
    the current type, column by column, in one pass over all the cells joined by NUL: the mapping is character
    by character and keeps NUL, so the texts split back as they were, and their widths are the cumulative sums
    of the characters' between the NULs (NUL counting 0) — the same integer sums :meth:`_Widths.units` makes,
    times the same two floats, so the same widths. A table holding a NUL of its own is done text by text."""
    flat = [text for column in columns for text in column]
    joined = "\0".join(flat)
    if joined.count("\0") != len(flat) - 1:
        texts = [[pdf_text(text) for text in column] for column in columns]
        return texts, [_extents(pdf, column) for column in texts]
    mapped = pdf_text(joined)
    data = np.frombuffer(mapped.encode("ascii") if mapped.isascii() else mapped.encode(ENCODING), dtype=np.uint8)
    sums = np.cumsum(pdf.widths.by_byte.take(data))
    ends = np.append(sums[np.flatnonzero(data == 0)], sums[-1]) if data.size else np.zeros(len(flat), np.int64)
    sizes = (np.diff(ends, prepend=0) * pdf.size * 0.001).tolist()
    cells = mapped.split("\0") if flat else []
    bounds = list(itertools.accumulate((len(column) for column in columns), initial=0))
    return ([cells[a:b] for a, b in zip(bounds, bounds[1:])], [sizes[a:b] for a, b in zip(bounds, bounds[1:])])


def _literals(texts: list[str]) -> list[str]:
    """:func:`_literal` of each text, the column looked over once for the specials first (most have none)."""
    joined = "".join(texts)
    if "(" in joined or ")" in joined or "\\" in joined:
        return [_literal(text) for text in texts]
    return texts


def _literal(text: str) -> str:
    """``text`` as the inside of a PDF literal string: its specials escaped (ISO 32000-1 §7.3.4.2)."""
    if "(" in text or ")" in text or "\\" in text:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return text


def _body(pdf: _Page, columns: list[dict], widths: list[float], aligns: list[str], texts: list[list[str]],
          extents: list[list[float]], together: int | None = None, bold: set[int] = frozenset()) -> None:
    """A table's rows under its header (``columns``, repeated on each page the rows run onto): ``texts`` and
    ``extents`` its cells column by column and their widths in the body type; row ``together`` stays on the
    page of the row after it; the rows in ``bold`` are set (and measured) in bold.

    What :func:`_measure` and :func:`_row` would write a cell at a time is made column by column here (the
    cells' ``Tm … Tj`` with the baseline left open as NUL, filled in once the row's place on its page is
    known); only a wrapped cell is broken into its lines when its row is drawn. A row in bold, or with a NUL
    of its own, is measured and drawn by those two.
    """
    pieces, wrapped, odd = _cell_pieces(widths, aligns, texts, extents)
    rows, sizes = list(zip(*texts)), list(zip(*extents))
    starts = list(itertools.accumulate(widths, initial=MARGIN))  # each column's left, added up as _row does
    one_line, keep = pdf.line_h + 1, pdf.line_h + 2  # _measure's height of a one-line row; the row kept with it
    rule = f"{MARGIN:.2f} %s m {MARGIN + sum(widths):.2f} %s l S"  # _row's rule below a row, at its y
    # a one-line cell's baseline is h - (y + 0.5) - 0.5 line_h - 0.3 size (as _row places it), in these steps
    lift = (0.5 * pdf.line_h, 0.3 * pdf.body)
    steady = False  # whether the stream's type, colours and rule width are already the body rows' own
    for i, parts in enumerate(zip(*pieces)):
        if i in bold or i in odd:
            measured = _measure(pdf, widths, rows[i], extents=sizes[i])
            if pdf.y + measured[2] + (keep if i == together else 0) > pdf.bottom:
                pdf.add_page()
                _table_header(pdf, columns, widths)
            _row(pdf, aligns, widths, _measure(pdf, widths, rows[i], "B") if i in bold else measured,
                 "B" if i in bold else "")
            steady = False
            continue
        if not steady:
            pdf.set_font("", pdf.body)
        height, broken = one_line, None
        if i in wrapped:
            broken = {j: pdf.lines(rows[i][j], widths[j] - 3) for j in wrapped[i]}
            height = max(len(lines) for lines in broken.values()) * pdf.line_h + 1
        if pdf.y + (height + keep if i == together else height) > pdf.bottom:
            pdf.add_page()
            _table_header(pdf, columns, widths)
            pdf.set_font("", pdf.body)
            steady = False
        y = pdf.y
        if broken:  # a wrapped cell's lines one below the other, top-aligned, as _row puts them
            parts = list(parts)
            for j, lines in broken.items():
                parts[j] = _put(pdf, starts[j] + 1.5, y + 0.5, widths[j] - 3, rows[i][j], lines, aligns[j])
        text = "".join(parts).replace("\0", f"{pdf.h - (y + 0.5) - lift[0] - lift[1]:.2f}") + "ET"
        below = f"{pdf.h - (y + height):.2f}"
        if steady:  # nothing to set: the text object and its rule as one entry of the page's lines
            pdf.ops.append(f"BT {text}\n{rule % (below, below)}")
        else:
            opening = pdf._begin_text()
            pdf.ops.append(opening + text)
            pdf.draw_colour = RULE
            pdf.line(MARGIN, y + height, MARGIN + sum(widths), y + height)  # the same entry as ``rule`` at y
            steady = True
        pdf.x, pdf.y = MARGIN, y + height


def _cell_pieces(widths: list[float], aligns: list[str], texts: list[list[str]],
                 extents: list[list[float]]) -> tuple[list[list[str]], dict[int, list[int]], set[int]]:
    """Each body cell's part of its row's text object (:meth:`_Page._show`'s ``1 0 0 1 x y Tm (text) Tj``
    with NUL for y; "" for an empty cell), placed as :func:`_row` places it, column by column; the columns of
    each row whose cell does not fit one line of its column (:func:`_measure`); the rows with a NUL in a text."""
    pieces, wrapped, odd = [], {}, set()
    x = MARGIN
    for j, (w, align, column, sizes) in enumerate(zip(widths, aligns, texts, extents)):
        limit = w - 3 - 2 * C_MARGIN  # _measure's room on the line (pad 3)
        for i in [i for i, width in enumerate(sizes) if width - limit > TOLERANCE]:
            wrapped.setdefault(i, []).append(j)
        start = x + 1.5
        if align == "R":
            room = w - 3 - C_MARGIN
            pieces.append([f"1 0 0 1 {start + (room - width):.2f} \0 Tm ({text}) Tj " if text else ""
                           for text, width in zip(_literals(column), sizes)])
        else:
            left = f"1 0 0 1 {start + C_MARGIN:.2f} \0 Tm ("
            pieces.append([f"{left}{text}) Tj " if text else "" for text in _literals(column)])
        if "\0" in "".join(column):  # a NUL of the text's own would be taken for the baseline
            odd.update(i for i, text in enumerate(column) if "\0" in text)
        x += w
    return pieces, wrapped, odd


def _bar_chart(pdf: _Page, chart: dict) -> None:
    """Horizontal bars, one group per label, every label shown; the chart starts a page if it does not fit."""
    labels, series = chart["labels"], chart["series"]
    bar = 7 if len(series) == 1 else 5
    group = bar * len(series) + 3
    height = 30 + group * len(labels) + 20
    pdf.ln(8)
    pdf.room(min(height, 14 + 6 * group))  # the title and a few bars at least, the rest may run on
    pdf.set_font("B", 9.5)
    pdf.text_colour = NAVY
    pdf.cell(0, 14, pdf_text(chart["title"]), ln=True)
    pdf.set_font("", 6.5)
    pdf.text_colour = BLACK
    names = [pdf_text(t) for t in labels]
    label_w = min(200, max((pdf.string_width(t) for t in names), default=0) + 6)
    value_w = 60
    room = pdf.w - 2 * MARGIN - label_w - value_w
    top = max([0.0] + [float(v) for s in series for v in s["values"] if v is not None])
    colours = [BLUE, NAVY, (112, 173, 71)]
    for i, label in enumerate(names):
        if pdf.get_y() + group > pdf.bottom:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_xy(MARGIN, y)
        pdf.cell(label_w - 4, group - 3, label, align="R")
        for k, s in enumerate(series):
            v = s["values"][i]
            w = room * float(v) / top if v and top else 0
            pdf.fill_colour = colours[k % len(colours)]
            if w > 0:
                pdf.rect(MARGIN + label_w, y + k * bar, w, bar - 1)
            pdf.set_xy(MARGIN + label_w + w + 2, y + k * bar - 1)
            pdf.cell(value_w, bar, pdf_text(shown(v, s["kind"])))
        pdf.set_xy(MARGIN, y + group)
    if len(series) > 1:
        pdf.ln(2)
        for k, s in enumerate(series):
            pdf.fill_colour = colours[k % len(colours)]
            pdf.rect(pdf.get_x(), pdf.get_y() + 1, 8, 6)
            pdf.set_x(pdf.get_x() + 10)
            name = pdf_text(s["name"])
            pdf.cell(pdf.string_width(name) + 12, 8, name)
        pdf.ln(10)
