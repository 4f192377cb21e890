"""Workbooks written straight from string templates: the district statements' .xlsx (Educ. Law §1950(4)).

A statement is one sheet of a few hundred to a few thousand cells, and the
run writes hundreds of them. xlsxwriter keeps an object for every cell and
writes each through its general XML writer (with :mod:`.xlsx`'s patches
still about 14 ms a statement, and as much again storing the cells). This
module offers the part of xlsxwriter's workbook and worksheet interface the
statements use (``write_string``, ``write_number``, ``write_cells``,
``merge_range``, ``add_table``, ``set_row``, the page setup …), so the same
layout code (:mod:`.statement`, :mod:`.tables`) draws on either, and writes
each cell's XML once, when it is stored, from one f-string:

* a cell is its finished ``<c>`` element, kept by row and column (a later
  write to the same cell replaces it, as in xlsxwriter);
* a column written in one call (``write_cells``, ``write_column``) is made in
  one pass over its values and kept as a list in a *band* of rows; the
  columns written over the same rows (a table's body, the aid steps) share
  the band and are joined into rows only when the sheet's XML is made, so a
  cell costs no dictionary store of its own; ``merge_rows`` and ``set_rows``
  merge and size a block of rows in one call (:func:`write_column`,
  :func:`merge_rows`, :func:`set_rows` do the same cell by cell on
  xlsxwriter's worksheets);
* text is a shared string, escaped once per distinct string as xlsxwriter
  escapes it (control characters as ``_xHHHH_``, a literal ``_xHHHH_`` kept
  by escaping its underscore, ``&<>``, ``xml:space`` for kept whitespace);
  text is only ever text, never a formula or raw XML;
* numbers print as xlsxwriter prints them (:func:`.xlsx.number_text`), and a
  formula carries its computed value;
* ``styles.xml`` (and the theme) come from xlsxwriter itself, for the list
  of formats a workbook used, made once per distinct list in a process;
* the package is deflated at :data:`.xlsx.DEFLATE_LEVEL` with the fixed
  1980-01-01 timestamps xlsxwriter gives its parts, so the same calls give
  the same bytes: the bytes :mod:`zipfile` would write, made by :func:`_zip`,
  which deflates a part every statement repeats (styles, theme,
  relationships) once per process.

``tests/test_sheetxml.py`` writes statements both ways and checks that
openpyxl and calamine read the same values, number formats, fonts, fills,
borders, merges, widths, heights and print settings from each.
"""
from __future__ import annotations

import functools
import io
import operator
import re
import struct
import zipfile
import zlib
from datetime import datetime
from itertools import compress, filterfalse, repeat
from math import isfinite

import xlsxwriter
from xlsxwriter.exceptions import OverlappingRange
from xlsxwriter.utility import _datetime_to_excel_datetime, quote_sheetname, xl_col_to_name

from .xlsx import (DEFLATE_LEVEL, SPECIAL_CHARACTER, boxes_overlap, escape_data, number_text, shared_string,
                   xml_text, xstring)

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument."
_STAMP = (1980, 1, 1, 0, 0, 0)  # every part's time in the zip, as xlsxwriter sets it: same inputs, same bytes

# Excel's limits, as xlsxwriter checks them
_MAX_ROWS, _MAX_COLS, _MAX_STRING = 1_048_576, 16_384, 32_767
_DEFAULT_ROW_PIXELS, _DEFAULT_COL_PIXELS = 20, 64

_ESCAPE_ATTRIBUTE = re.compile('["&<>\n]')
# a shared string's element with nothing to escape: its opening without and with edge whitespace (by
# whether it has any: False, True), then the text, then its close
_SI_OPEN, _SI_CLOSE = ("<si><t>", '<si><t xml:space="preserve">'), "</t></si>"
# the characters SPECIAL_CHARACTER finds (a shared string with one is escaped), NUL aside: it joins the strings
_ESCAPED = "&<>" + "".join(map(chr, [*range(1, 9), *range(11, 32)])) + "\ufffe\uffff"


def escape_attribute(text: str) -> str:
    """Text for an XML attribute's value, escaped as xlsxwriter escapes it."""
    if not _ESCAPE_ATTRIBUTE.search(text):
        return text
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", "&#xA;"))


class Format:
    """A cell format of one workbook: its xlsxwriter properties, its index in ``styles.xml`` and the
    ``s`` attribute a cell in it carries."""

    __slots__ = ("spec", "index", "s")

    def __init__(self, spec: dict, index: int):
        self.spec = spec
        self.index = index
        self.s = f' s="{index}"'


@functools.lru_cache(maxsize=64)
def _styles_part(specs: tuple[tuple, ...]) -> tuple[bytes, bytes]:
    """``styles.xml`` and ``theme1.xml`` for formats ``specs`` (xf 1, 2, … in that order), as xlsxwriter
    writes them: one small xlsxwriter workbook, a blank cell in each format, made once per list of formats."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet()
    for row, spec in enumerate(specs):
        fmt = book.add_format(dict(spec))
        ws.write_blank(row, 0, None, fmt)
        if fmt._get_xf_index() != row + 1:  # xlsxwriter would fold two of them into one style
            raise ValueError(f"format {dict(spec)} is the same style as an earlier one of the workbook")
    book.close()
    with zipfile.ZipFile(buffer) as z:
        return z.read("xl/styles.xml"), z.read("xl/theme/theme1.xml")


class Workbook:
    """A workbook of :class:`Worksheet` sheets, stored into ``target`` (a file object) by :meth:`close`.

    ``options`` are xlsxwriter's workbook options; this workbook writes text as text whatever they say
    (no string becomes a formula, a number or a link), which is what :data:`.styles.WORKBOOK_OPTIONS` asks.
    """

    def __init__(self, target, options: dict | None = None):
        self.target = target
        self.sheets: list[Worksheet] = []
        self._formats: dict[tuple, Format] = {}
        self.strings: dict[str, int] = {}  # shared string → its index
        self.string_count = 0  # string cells written (xlsxwriter's sst count)
        self.properties: dict = {}
        self.window = (16095, 9660)  # xlsxwriter's default window, in twips

    def add_format(self, spec: dict | None = None) -> Format:
        """A format (xlsxwriter's properties); the same properties give the same format."""
        spec = dict(spec or {})
        key = tuple(sorted(spec.items()))
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = self._formats[key] = Format(spec, len(self._formats) + 1)
        return fmt

    def set_properties(self, properties: dict) -> None:
        unknown = set(properties) - {"title", "subject", "author", "created", "company"}
        if unknown:
            raise ValueError(f"document properties not written by this workbook: {sorted(unknown)}")
        self.properties = dict(properties)

    def set_size(self, width: int, height: int) -> None:
        """The window's size in pixels (stored in twips at 96 dpi, as xlsxwriter does)."""
        self.window = (int(width * 1440 / 96), int(height * 1440 / 96))

    def add_worksheet(self, name: str) -> Worksheet:
        sheet = Worksheet(self, name, len(self.sheets))
        self.sheets.append(sheet)
        return sheet

    def get_worksheet_by_name(self, name: str):
        return next((s for s in self.sheets if s.name == name), None)

    def string_index(self, text: str) -> int:
        """The shared-string index of ``text`` (added on first use); counts one string cell."""
        self.string_count += 1
        strings = self.strings
        index = strings.get(text)
        if index is None:
            index = strings[text] = len(strings)
        return index

    def string_indexes(self, texts: list) -> list[int | None]:
        """:meth:`string_index` of each text, in order (None stays None, a text over Excel's limit is cut):
        the new strings added in the order they first come, then every index looked up in one pass."""
        texts = self._add_strings(texts)
        self.string_count += len(texts) - texts.count(None)
        return list(map(self.strings.get, texts))

    def reserve_strings(self, texts: list[str | None]) -> None:
        """Give ``texts`` (None: none) their shared-string indexes in this order (none counts as a cell): a
        block written a column at a time numbers its strings as the same cells written row by row would."""
        self._add_strings(texts)

    def _add_strings(self, texts: list) -> list:
        """Number the new ones of ``texts`` in the order they first come; ``texts`` as stored (a text over
        Excel's limit cut to it)."""
        strings = self.strings
        unique = dict.fromkeys(texts)
        unique.pop(None, None)
        fresh = list(filterfalse(strings.__contains__, unique))
        if max(map(len, fresh), default=0) > _MAX_STRING:  # only a new text can be (the stored ones are cut)
            return self._add_strings([t if t is None else t[:_MAX_STRING] for t in texts])
        strings.update(zip(fresh, range(len(strings), len(strings) + len(fresh))))
        return texts

    # --- the package ---------------------------------------------------------------------------------------

    def close(self) -> None:
        """Write every part into the zip, in xlsxwriter's order, each deflated at :data:`DEFLATE_LEVEL`."""
        styles, theme = _styles_part(tuple(self._formats))  # the formats' sorted properties, in the order made
        tables = [t for s in self.sheets for t in s.tables]
        parts: list[tuple[str, str | bytes]] = [
            ("[Content_Types].xml", self._content_types(len(tables))),
            ("_rels/.rels", _relationships([
                (f"{_DOC_RELS}/officeDocument", "xl/workbook.xml"),
                (f"{_PKG_RELS}/metadata/core-properties", "docProps/core.xml"),
                (f"{_DOC_RELS}/extended-properties", "docProps/app.xml")])),
            ("xl/_rels/workbook.xml.rels", _relationships(
                [(f"{_DOC_RELS}/worksheet", f"worksheets/sheet{s.index + 1}.xml") for s in self.sheets]
                + [(f"{_DOC_RELS}/theme", "theme/theme1.xml"), (f"{_DOC_RELS}/styles", "styles.xml")]
                + ([(f"{_DOC_RELS}/sharedStrings", "sharedStrings.xml")] if self.strings else []))),
        ]
        parts += [(f"xl/worksheets/sheet{s.index + 1}.xml", s.xml()) for s in self.sheets]
        parts.append(("xl/workbook.xml", self._workbook_xml()))
        parts += [(f"xl/tables/table{t.id}.xml", t.xml()) for t in tables]
        if self.strings:
            parts.append(("xl/sharedStrings.xml", self._shared_strings()))
        parts += [("xl/styles.xml", styles), ("xl/theme/theme1.xml", theme)]
        parts += [(f"xl/worksheets/_rels/sheet{s.index + 1}.xml.rels", _relationships(
            [(f"{_DOC_RELS}/table", f"../tables/table{t.id}.xml") for t in s.tables])) for s in self.sheets if s.tables]
        parts += [("docProps/core.xml", self._core()), ("docProps/app.xml", self._app())]
        self.target.write(_zip([(name, data if isinstance(data, bytes) else data.encode("utf-8"))
                                for name, data in parts]))

    def _content_types(self, tables: int) -> str:
        overrides = [("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
                     ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
                     ("/xl/styles.xml", f"{_CT}spreadsheetml.styles+xml"),
                     ("/xl/theme/theme1.xml", f"{_CT}theme+xml"),
                     ("/xl/workbook.xml", f"{_CT}spreadsheetml.sheet.main+xml")]
        overrides += [(f"/xl/worksheets/sheet{s.index + 1}.xml", f"{_CT}spreadsheetml.worksheet+xml") for s in self.sheets]
        overrides += [(f"/xl/tables/table{i}.xml", f"{_CT}spreadsheetml.table+xml") for i in range(1, tables + 1)]
        if self.strings:
            overrides.append(("/xl/sharedStrings.xml", f"{_CT}spreadsheetml.sharedStrings+xml"))
        return (f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                f'<Default Extension="xml" ContentType="application/xml"/>'
                + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides) + "</Types>")

    def _print_titles(self) -> list[tuple[Worksheet, str]]:
        return [(s, f"{quote_sheetname(s.name)}!${s.repeat[0] + 1}:${s.repeat[1] + 1}")
                for s in self.sheets if s.repeat is not None]

    def _workbook_xml(self) -> str:
        sheets = "".join(f'<sheet name="{escape_attribute(s.name)}" sheetId="{s.index + 1}" r:id="rId{s.index + 1}"/>'
                         for s in self.sheets)
        names = "".join(f'<definedName name="_xlnm.Print_Titles" localSheetId="{s.index}">{escape_data(ref)}'
                        "</definedName>" for s, ref in self._print_titles())
        width, height = self.window
        return (f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}">'
                '<fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/>'
                '<workbookPr defaultThemeVersion="124226"/><bookViews><workbookView xWindow="240" yWindow="15" '
                f'windowWidth="{width}" windowHeight="{height}"/></bookViews><sheets>{sheets}</sheets>'
                + (f"<definedNames>{names}</definedNames>" if names else "")
                + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')

    def _shared_strings(self) -> str:
        """The shared strings, each straight into the template unless it has edge whitespace or (when a
        search of them all finds any) a character to escape; those through :func:`~.xlsx.shared_string`.
        The search is one substring test per such character (a regular expression's class over text
        beyond Latin-1 is some 30 times slower); with none to escape, each string's opening (with
        ``xml:space`` for edge whitespace: the aid steps' indented detail labels) is chosen by one C-level pass
        and the openings, strings and closes joined once (an element made per string cost half the part)."""
        strings = list(self.strings)
        joined = "\x00".join(strings)  # NUL between strings: no "_x" made of two strings' ends
        escaped = any(map(joined.__contains__, _ESCAPED)) or joined.count("\x00") >= len(strings)  # a NUL of a string's own
        special = escaped and SPECIAL_CHARACTER.search
        if special or "_x" in joined:
            items = [f"<si><t>{t}</t></si>" if t == t.strip() and not (special and special(t)) and "_x" not in t
                     else shared_string(t) for t in strings]
        else:
            items = [_SI_CLOSE] * (3 * len(strings))
            items[0::3] = map(_SI_OPEN.__getitem__, map(operator.ne, strings, map(str.strip, strings)))
            items[1::3] = strings
        return (f'{_XML}<sst xmlns="{_MAIN}" count="{self.string_count}" uniqueCount="{len(strings)}">'
                + "".join(items) + "</sst>")

    def _core(self) -> str:
        p = self.properties
        created = p.get("created") or datetime(1980, 1, 1)
        stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
        author = xml_text(p.get("author", ""))
        return (f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
                'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
                'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                + (f"<dc:title>{xml_text(p['title'])}</dc:title>" if p.get("title") else "")
                + (f"<dc:subject>{xml_text(p['subject'])}</dc:subject>" if p.get("subject") else "")
                + f"<dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
                f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
                f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>')

    def _app(self) -> str:
        titles = [s.name for s in self.sheets] + [f"{quote_sheetname(s.name)}!Print_Titles"
                                                   for s, _ in self._print_titles()]
        pairs = [("Worksheets", len(self.sheets))] + ([("Named Ranges", len(titles) - len(self.sheets))]
                                                      if len(titles) > len(self.sheets) else [])
        return (f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
                'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
                f'<HeadingPairs><vt:vector size="{2 * len(pairs)}" baseType="variant">'
                + "".join(f"<vt:variant><vt:lpstr>{n}</vt:lpstr></vt:variant><vt:variant><vt:i4>{c}</vt:i4></vt:variant>"
                          for n, c in pairs)
                + f'</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="{len(titles)}" baseType="lpstr">'
                + "".join(f"<vt:lpstr>{xml_text(t)}</vt:lpstr>" for t in titles)
                + "</vt:vector></TitlesOfParts>"
                + (f"<Company>{xml_text(self.properties['company'])}</Company>" if "company" in self.properties else "")
                + "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
                "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>")


def _relationships(targets: list[tuple[str, str]]) -> str:
    return (f'{_XML}<Relationships xmlns="{_PKG_RELS}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{t}" Target="{target}"/>'
                      for i, (t, target) in enumerate(targets, 1)) + "</Relationships>")


# --- the package's zip ------------------------------------------------------------------------------------
# The zip is the bytes zipfile writes for these parts (each a ZipInfo at _STAMP, deflated at DEFLATE_LEVEL,
# into a seekable file), made here directly: a part that every statement repeats (the styles, the theme, the
# relationships …) is deflated once per process instead of once per file, and no part costs zipfile's
# Python per entry. The fields zipfile sets (versions, system, attributes) are read from a zip it wrote.

def _zipfile_fields() -> tuple[int, int, int, int, int]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        info = zipfile.ZipInfo("a", _STAMP)
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, b"a", compresslevel=DEFLATE_LEVEL)
    info = zipfile.ZipFile(buffer).infolist()[0]
    return info.create_version, info.create_system, info.extract_version, info.flag_bits, info.external_attr


_ZIP_FIELDS = _zipfile_fields()
_DOS_TIME = _STAMP[3] << 11 | _STAMP[4] << 5 | _STAMP[5] // 2
_DOS_DATE = (_STAMP[0] - 1980) << 9 | _STAMP[1] << 5 | _STAMP[2]
# parts up to this size are kept deflated, by their bytes: the styles, theme, relationships … repeat on every
# statement (under 8 KiB); a larger part (a statement's sheet or shared strings) is its own, not worth hashing
_REPEATED_PART = 16 * 1024


def _deflate(data: bytes) -> tuple[bytes, int]:
    """``data`` deflated (raw, as zipfile deflates it: the same stream in one call) and its CRC-32."""
    return zlib.compress(data, DEFLATE_LEVEL, -15), zlib.crc32(data)


_deflate_repeated = functools.lru_cache(maxsize=256)(_deflate)


def _zip(parts: list[tuple[str, bytes]]) -> bytes:
    """The zip of ``parts`` (name, bytes), in order, as zipfile writes it."""
    create_version, create_system, extract_version, flags, attributes = _ZIP_FIELDS
    out, directory, offset = [], [], 0
    for name, data in parts:
        body, crc = (_deflate_repeated if len(data) <= _REPEATED_PART else _deflate)(data)
        encoded = name.encode("ascii")  # part names are ASCII (zipfile flags no UTF-8)
        header = struct.pack(zipfile.structFileHeader, zipfile.stringFileHeader, extract_version, 0, flags,
                             zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE, crc, len(body), len(data), len(encoded), 0)
        directory.append(struct.pack(zipfile.structCentralDir, zipfile.stringCentralDir, create_version,
                                     create_system, extract_version, 0, flags, zipfile.ZIP_DEFLATED, _DOS_TIME,
                                     _DOS_DATE, crc, len(body), len(data), len(encoded), 0, 0, 0, 0, attributes,
                                     offset) + encoded)
        out += (header, encoded, body)
        offset += len(header) + len(encoded) + len(body)
    directory_bytes = b"".join(directory)
    end = struct.pack(zipfile.structEndArchive, zipfile.stringEndArchive, 0, 0, len(parts), len(parts),
                      len(directory_bytes), offset, 0)
    return b"".join(out) + directory_bytes + end


class _Letters(dict):
    """Column letters by column number, each made on first use (``_LETTERS[27]`` is ``"AB"``)."""

    def __missing__(self, col: int) -> str:
        letters = self[col] = xl_col_to_name(col)
        return letters


_LETTERS = _Letters()


# Row numbers as text ("0", "1", …), made once per process: a cell's reference and its shared-string index
# are taken from here rather than formatted for every cell.
_NUMBER_TEXT: list[str] = [str(i) for i in range(4096)]


def _number_texts_to(last: int) -> list[str]:
    """:data:`_NUMBER_TEXT`, holding at least up to ``last``."""
    if last >= len(_NUMBER_TEXT):
        _NUMBER_TEXT.extend(map(str, range(len(_NUMBER_TEXT), last + 1)))
    return _NUMBER_TEXT


def _numbers(first: int, last: int) -> list[str]:
    """The texts of ``first`` … ``last`` (inclusive, 0 ≤ first)."""
    return _number_texts_to(last)[first:last + 1]


def _ref(row: int, col: int) -> str:
    return f"{_LETTERS[col]}{row + 1}"


_STYLE = operator.attrgetter("s")  # a Format's s attribute


class _Blank:
    __slots__ = ()

    def __repr__(self) -> str:
        return "BLANK"


#: a value of :meth:`Worksheet.write_column` written as a formatted empty cell (``write_blank``)
BLANK = _Blank()


class _Full:
    """A column of a band with a cell in every row, kept as its parts until the rows are made: the cells'
    kind (``"s"`` a shared string, ``"n"`` a number, ``"m"`` either, ``"b"`` a formatted blank), their ``s``
    attribute (one for the column, or a list of one per row), each cell's value text (a string's index or a
    number's text; none for blanks) and, for a column of both, each cell's opening of its value (whether it
    is a string). :func:`_row_maker` writes such columns into the rows with no cell made alone."""

    __slots__ = ("kind", "styles", "texts", "n", "opens")

    def __init__(self, kind: str, styles: str | list[str], texts: list[str] | None, n: int,
                 opens: list[str] | None = None):
        self.kind, self.styles, self.texts, self.n, self.opens = kind, styles, texts, n, opens

    def _opens(self):
        return self.opens if self.kind == "m" else repeat(_VALUE_OPEN[self.kind], self.n)

    def cells(self, letter: str, rows: list[str]) -> list[str]:
        """The cells as finished XML, one per row (``rows``: the rows' numbers), for a write over some of
        them or a row taken out."""
        styles = self.styles if isinstance(self.styles, list) else repeat(self.styles)
        if self.kind == "b":
            return [f'<c r="{letter}{r}"{s}/>' for r, s in zip(rows, styles)]
        return [f'<c r="{letter}{r}"{s}{o}{t}</v></c>' for r, s, o, t in zip(rows, styles, self._opens(), self.texts)]

    def cell(self, letter: str, i: int, row: str) -> str:
        """The cell of the ``i``-th row (its number ``row``) as finished XML."""
        style = self.styles[i] if isinstance(self.styles, list) else self.styles
        if self.kind == "b":
            return f'<c r="{letter}{row}"{style}/>'
        opening = self.opens[i] if self.kind == "m" else _VALUE_OPEN[self.kind]
        return f'<c r="{letter}{row}"{style}{opening}{self.texts[i]}</v></c>'


_VALUE_OPEN = {"s": ' t="s"><v>', "n": "><v>"}  # a full column's cell from its s attribute to its value
_MIXED_OPEN = (_VALUE_OPEN["n"], _VALUE_OPEN["s"])  # the same by whether the value is a string


class _Band:
    """Rows ``first`` … ``first + n - 1`` whose cells were written a column at a time: by column, each
    row's cell XML ("" where that row has no cell in the column, so a row is its cells joined as they are),
    or a :class:`_Full` column. A later write of a column over the same rows replaces the cells it writes,
    as one write per cell would."""

    __slots__ = ("first", "n", "columns", "taken")

    def __init__(self, first: int, n: int):
        self.first, self.n = first, n
        self.columns: dict[int, list[str] | _Full] = {}
        self.taken = False  # whether a row was taken out (written one cell at a time since)

    def put(self, col: int, cells: list[str] | _Full) -> None:
        old = self.columns.get(col)
        if old is None or isinstance(cells, _Full):  # a full column replaces every cell
            self.columns[col] = cells
            return
        if isinstance(old, _Full):
            old = old.cells(_LETTERS[col], _numbers(self.first + 1, self.first + self.n))
        self.columns[col] = [c or o for c, o in zip(cells, old)]

    def take(self, row: int) -> dict[int, str]:
        """Row ``row``'s cells by column, taken out of the band (a single write to the row follows; the
        sheet's XML leaves the row out of the band's rows, so a full column is left as it is)."""
        i = row - self.first
        self.taken = True
        out = {}
        for col, cells in self.columns.items():
            if isinstance(cells, _Full):
                out[col] = cells.cell(_LETTERS[col], i, str(row + 1))
            elif cells[i]:
                out[col] = cells[i]
                cells[i] = ""
        return out

    def rows(self, heights: dict[int, str]) -> tuple[list[str], list[int]]:
        """Each row's ``<row>`` element ("" for a row of no cell), its attributes from ``heights``; the columns
        that hold a cell. With a full column every row has a cell: all are made by one f-string a row."""
        order = sorted(self.columns)
        columns = [self.columns[c] for c in order]
        first, n = self.first, self.n
        numbers = _numbers(first + 1, first + n)
        attributes = list(map(heights.get, range(first, first + n), repeat("")))
        full = [isinstance(c, _Full) for c in columns]
        used = [c for c, cells, is_full in zip(order, columns, full) if is_full or any(cells)]
        if not any(full):
            texts = map("".join, zip(*columns))
            return [f'<row r="{r}"{h}>{t}</row>' if t else "" for r, h, t in zip(numbers, attributes, texts)], used
        shape, args = [], []
        for col, cells in zip(order, columns):
            if not isinstance(cells, _Full):
                shape.append(("cells", "", None))
                args.append(cells)
                continue
            varies = isinstance(cells.styles, list)
            shape.append((cells.kind, _LETTERS[col], None if varies else cells.styles))
            args += (([cells.styles] if varies else []) + ([cells.opens] if cells.kind == "m" else [])
                     + ([] if cells.texts is None else [cells.texts]))
        return _row_maker(tuple(shape))(numbers, attributes, *args), used


_LETTERS_ONLY, _STYLE_ONLY = re.compile("[A-Z]{1,3}"), re.compile(r'( s="[0-9]+")?')


@functools.lru_cache(maxsize=256)
def _row_maker(shape: tuple[tuple[str, str, str | None], ...]):
    """A function making a band's ``<row>`` elements for columns of ``shape`` (in column order): for a
    column of finished cells ``("cells", "", None)``, else its :class:`_Full` kind, letter and ``s``
    attribute (None when it varies by row). Called with the rows' numbers, their attributes, then for each
    column its cells, or its styles (when they vary) and its texts (but a blank's), each a list by row.

    Why made from source: each row's XML as one f-string (the fixed markup of its cells compiled in) is
    about twice as fast as an f-string per cell and a join per row, and most of a statement is its
    charges' and steps' rows. The source holds only column letters and ``s`` attributes (checked here
    against their forms) and this module's markup; every text of a cell comes in as an argument."""
    names, pieces = ["r", "h"], []
    for j, (kind, letter, style) in enumerate(shape):
        if kind == "cells":
            names.append(f"c{j}")
            pieces.append(f"{{c{j}}}")
            continue
        if not _LETTERS_ONLY.fullmatch(letter) or not (style is None or _STYLE_ONLY.fullmatch(style)):
            raise ValueError(f"not a column letter and s attribute: {letter!r}, {style!r}")
        if style is None:
            names.append(f"s{j}")
            style = f"{{s{j}}}"
        if kind == "b":
            pieces.append(f'<c r="{letter}{{r}}"{style}/>')
            continue
        opening = _VALUE_OPEN.get(kind)
        if opening is None:  # "m": each row's own
            names.append(f"k{j}")
            opening = f"{{k{j}}}"
        names.append(f"t{j}")
        pieces.append(f'<c r="{letter}{{r}}"{style}{opening}{{t{j}}}</v></c>')
    lists = ", ".join(name + "_" for name in names)
    source = (f"def rows({lists}):\n"
              f"    return [f'<row r=\"{{r}}\"{{h}}>{''.join(pieces)}</row>' for {', '.join(names)} in zip({lists})]\n")
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102 - the source is this module's markup, letters and s attributes only
    return namespace["rows"]


class Table:
    """An Excel table over a block of a sheet: header row, data rows and (optionally) a total row."""

    def __init__(self, table_id: int, name: str, first: tuple[int, int], last: tuple[int, int], columns: list[dict],
                 total_row: bool, autofilter: bool, style: str):
        self.id, self.name, self.first, self.last = table_id, name, first, last
        self.columns, self.total_row, self.autofilter, self.style = columns, total_row, autofilter, style

    def xml(self) -> str:
        (r1, c1), (r2, c2) = self.first, self.last
        ref = f"{_ref(r1, c1)}:{_ref(r2, c2)}"
        columns = []
        for i, c in enumerate(self.columns, 1):
            head = f'<tableColumn id="{i}" name="{escape_attribute(c["name"])}"'
            if c.get("label"):
                columns.append(f'{head} totalsRowLabel="{escape_attribute(c["label"])}"/>')
            elif c.get("formula"):
                columns.append(f'{head} totalsRowFunction="custom"><totalsRowFormula>{escape_data(c["formula"])}'
                               "</totalsRowFormula></tableColumn>")
            else:
                columns.append(f"{head}/>")
        last_filtered = r2 - 1 if self.total_row else r2
        return (f'{_XML}<table xmlns="{_MAIN}" id="{self.id}" name="{escape_attribute(self.name)}" '
                f'displayName="{escape_attribute(self.name)}" ref="{ref}" '
                + ('totalsRowCount="1">' if self.total_row else 'totalsRowShown="0">')
                + (f'<autoFilter ref="{_ref(r1, c1)}:{_ref(last_filtered, c2)}"/>' if self.autofilter else "")
                + f'<tableColumns count="{len(columns)}">{"".join(columns)}</tableColumns>'
                f'<tableStyleInfo name="{escape_attribute(self.style)}" showFirstColumn="0" showLastColumn="0" '
                'showRowStripes="1" showColumnStripes="0"/></table>')


class Worksheet:
    """One sheet: cells kept as their finished XML, by row and column; the sheet's settings beside them.

    Coordinates are zero-based ints (no A1 notation). The write methods take xlsxwriter's arguments and
    keep its rules: text over Excel's 32,767 characters is cut, a blank without a format is not written,
    NaN and infinity are refused, merged ranges and tables may not overlap.
    """

    def __init__(self, book: Workbook, name: str, index: int):
        self.book, self.name, self.index = book, name, index
        self.rows: dict[int, dict[int, str]] = {}  # cells written one at a time, by row and column
        self.bands: list[_Band] = []  # columns written in one call, by block of rows
        self._banded: dict[int, _Band] = {}  # each row of a band → its band
        self.heights: dict[int, str] = {}  # row → its <row> attributes after r (ht and customHeight)
        self.widths: dict[int, float] = {}  # column → width in characters
        self.merged: list[tuple[int, int, int, int]] = []
        self._merged_rows: dict[int, list[tuple]] = {}  # each row → the merged ranges on it (the overlap check)
        self.tables: list[Table] = []
        self.hbreaks: list[int] = []
        self.repeat: tuple[int, int] | None = None
        self.footer = ""
        self.margins = (0.7, 0.7, 0.75, 0.75)  # left, right, top, bottom (inches): Excel's defaults
        self.landscape = False
        self.paper = 0
        self.fit: tuple[int, int] | None = None
        self.page_setup_changed = False
        self.screen_gridlines = True
        self.print_gridlines = False

    def get_name(self) -> str:
        return self.name

    # --- cells -------------------------------------------------------------------------------------------

    # A cell written on its own is stored through _cells(row), which checks the row when it is first used
    # (and takes the row out of its band, if a band holds it); the columns are checked once, when the
    # sheet's XML is made (_dimension): a cell costs one dict store and one f-string. A column written in
    # one call is stored through _store: one list in a band of rows.

    def _cells(self, row: int) -> dict[int, str]:
        """Row ``row``'s cells (a new row checked against the sheet's size)."""
        cells = self.rows.get(row)
        if cells is None:
            if row.__class__ is not int:  # a numpy integer (a frame's index value) is a row as xlsxwriter took it
                try:
                    row = operator.index(row)
                except TypeError:
                    raise TypeError(f"row {row!r} is not a whole number") from None
            if not 0 <= row < _MAX_ROWS:
                raise IndexError(f"row {row} is outside the sheet")
            band = self._banded.pop(row, None)
            cells = self.rows[row] = band.take(row) if band is not None else {}
        return cells

    def _store(self, first_row: int, col: int, cells: list[str] | _Full) -> None:
        """Column ``col``'s cells from ``first_row`` ("": no cell), or a full column. Kept in the band of
        exactly these rows (a new one if none of the rows holds a cell yet); over rows written otherwise, one
        cell at a time."""
        n, banded = (cells.n if isinstance(cells, _Full) else len(cells)), self._banded
        band = banded.get(first_row)
        if band is None or band.first != first_row or band.n != n:
            last = first_row + n - 1
            if not (first_row.__class__ is int and 0 <= first_row and last < _MAX_ROWS):
                raise IndexError(f"rows {first_row} to {last} are outside the sheet")
            if any(r in banded or r in self.rows for r in range(first_row, last + 1)):
                if isinstance(cells, _Full):
                    cells = cells.cells(_LETTERS[col], _numbers(first_row + 1, last + 1))
                for row, cell in enumerate(cells, first_row):
                    if cell:
                        self._cells(row)[col] = cell
                return
            band = _Band(first_row, n)
            self.bands.append(band)
            banded.update(dict.fromkeys(range(first_row, last + 1), band))
        band.put(col, cells)

    def write_string(self, row: int, col: int, string: str, cell_format: Format | None = None) -> None:
        """Text, always as text (a shared string), cut to Excel's 32,767 characters."""
        index = self.book.string_index(string[:_MAX_STRING])
        style = cell_format.s if cell_format is not None else ""
        self._cells(row)[col] = f'<c r="{_LETTERS[col]}{row + 1}"{style} t="s"><v>{index}</v></c>'

    def write_number(self, row: int, col: int, number, cell_format: Format | None = None) -> None:
        style = cell_format.s if cell_format is not None else ""
        self._cells(row)[col] = f'<c r="{_LETTERS[col]}{row + 1}"{style}><v>{_finite(number)}</v></c>'

    def write_blank(self, row: int, col: int, blank=None, cell_format: Format | None = None) -> None:
        """A formatted empty cell; without a format nothing is written (as xlsxwriter)."""
        if cell_format is not None:
            self._cells(row)[col] = f'<c r="{_LETTERS[col]}{row + 1}"{cell_format.s}/>'

    def write_formula(self, row: int, col: int, formula: str, cell_format: Format | None = None, value=0) -> None:
        """A formula with its computed value cached (a number, or text as a formula string). Written as given:
        no ``_xlfn.`` prefix is added, which only Excel 2010's new functions need (the statements' formulas
        are SUM, SUBTOTAL and + / −)."""
        style = cell_format.s if cell_format is not None else ""
        text = escape_data(formula[1:] if formula.startswith("=") else formula)
        if isinstance(value, str):
            cached = f' t="str"><f>{text}</f><v>{escape_data(value)}</v></c>'
        else:
            cached = f"><f>{text}</f><v>{_finite(value)}</v></c>"
        self._cells(row)[col] = f'<c r="{_LETTERS[col]}{row + 1}"{style}{cached}'

    def write_datetime(self, row: int, col: int, when: datetime, cell_format: Format | None = None) -> None:
        self.write_number(row, col, _datetime_to_excel_datetime(when, False, False), cell_format)

    def write_cells(self, first_row: int, col: int, values: list, cell_format: Format | None, text: bool) -> None:
        """``values`` down column ``col`` from ``first_row``, all in ``cell_format``; a None is left unwritten.
        The same cells as ``write_string`` (``text``) or ``write_number`` on each value, made in one pass."""
        if not values:
            return
        style = cell_format.s if cell_format is not None else ""
        if None not in values:
            texts = self._string_texts(values) if text else _finite_texts(values)
            self._store(first_row, col, _Full("s" if text else "n", style, texts, len(values)))
            return
        make = self._text_cells if text else _number_cells
        self._store(first_row, col, make(_LETTERS[col], _numbers(first_row + 1, first_row + len(values)), values,
                                         repeat(style)))

    def write_column(self, first_row: int, col: int, values: list, formats: Format | None | list) -> None:
        """``values`` down column ``col`` from ``first_row``, each written as its type says: text (a str) as
        ``write_string``, a number as ``write_number``, :data:`BLANK` as ``write_blank``; None is left
        unwritten. ``formats``: one for every cell, or a list of one per value. Made in one pass per type;
        a column of one type with a cell in every row is kept as a full column."""
        if not values:
            return
        if not isinstance(formats, list):
            style = formats.s if formats is not None else ""
        elif None in formats:
            style = [f.s if f is not None else "" for f in formats]
        else:
            style = list(map(_STYLE, formats))
        types = set(map(type, values))
        full = None if type(None) in types else self._full(values, types, style)
        if full is not None:
            self._store(first_row, col, full)
            return
        styles = style if isinstance(style, list) else [style] * len(values)
        letter, rows = _LETTERS[col], _numbers(first_row + 1, first_row + len(values))
        types.discard(type(None))
        if types <= {str}:
            cells = self._text_cells(letter, rows, values, styles)
        elif types == {_Blank}:
            cells = _blank_cells(letter, rows, values, styles)
        elif str not in types and _Blank not in types:
            cells = _number_cells(letter, rows, values, styles)
        else:  # mixed: each type's cells made apart, then taken row by row
            texts = self._text_cells(letter, rows, [v if isinstance(v, str) else None for v in values], styles)
            blanks = _blank_cells(letter, rows, [v if v is BLANK else None for v in values], styles)
            numbers = _number_cells(letter, rows, [None if v is None or v is BLANK or isinstance(v, str) else v
                                                   for v in values], styles)
            cells = [t or b or n for t, b, n in zip(texts, blanks, numbers)]
        self._store(first_row, col, cells)

    def _full(self, values: list, types: set, style: str | list[str]) -> _Full | None:
        """``values`` (none None; of ``types``) as a full column, or None where it is not one: blanks with
        values, or a blank without a format (no cell). Text among numbers is numbered as the strings come."""
        n = len(values)
        if _Blank in types:
            with_format = style != "" if isinstance(style, str) else "" not in style
            return _Full("b", style, None, n) if len(types) == 1 and with_format else None
        if str not in types:
            return _Full("n", style, _finite_texts(values), n)
        if len(types) == 1:
            return _Full("s", style, self._string_texts(values), n)
        # text and numbers: each type's texts made apart, then taken back in the rows' order
        is_text = list(map(isinstance, values, repeat(str)))
        strings = self._string_texts(list(compress(values, is_text)))
        numbers = _finite_texts(list(compress(values, map(operator.not_, is_text))))
        sources = (iter(numbers), iter(strings))
        return _Full("m", style, list(map(next, map(sources.__getitem__, is_text))), n,
                     list(map(_MIXED_OPEN.__getitem__, is_text)))

    def _string_texts(self, texts: list[str]) -> list[str]:
        """The shared-string index of each of ``texts`` (none None) as text (counted as cells)."""
        indexes = self.book.string_indexes(texts)
        return list(map(_number_texts_to(len(self.book.strings)).__getitem__, indexes))

    def _text_cells(self, letter: str, rows: list[str], texts: list, styles) -> list[str]:
        """Shared-string cells for ``texts`` (None: no cell, "") in rows ``rows``, each with its ``s``."""
        indexes = self.book.string_indexes(texts)
        index_texts = _number_texts_to(len(self.book.strings))
        return ["" if i is None else f'<c r="{letter}{r}"{s} t="s"><v>{index_texts[i]}</v></c>'
                for i, r, s in zip(indexes, rows, styles)]

    def _check_merge(self, box: tuple[int, int, int, int]) -> None:
        """Refuse a merge over another merged range or a table, as xlsxwriter does."""
        by_row = self._merged_rows
        rows = range(box[0], box[2] + 1)
        merged = [b for row in rows for b in by_row.get(row, ())] if any(map(by_row.__contains__, rows)) else []
        for other in merged + [(*t.first, *t.last) for t in self.tables]:
            if boxes_overlap(box, other):
                raise OverlappingRange(f"merge {box} overlaps {other}")

    def merge_range(self, first_row: int, first_col: int, last_row: int, last_col: int, data: str,
                    cell_format: Format | None = None) -> None:
        """Merge a block: its first cell holds ``data`` (text), the others are blanks in ``cell_format``."""
        if first_row == last_row and first_col == last_col:
            return  # one cell is not merged (xlsxwriter warns and writes nothing)
        box = (first_row, first_col, last_row, last_col)
        self._check_merge(box)
        by_row = self._merged_rows
        self.merged.append(box)
        for row in range(first_row, last_row + 1):
            by_row.setdefault(row, []).append(box)
            if cell_format is not None:
                cells, n, style = self._cells(row), row + 1, cell_format.s
                for col in range(first_col, last_col + 1):
                    cells[col] = f'<c r="{_LETTERS[col]}{n}"{style}/>'
        if data != "":
            self.write_string(first_row, first_col, data, cell_format)

    def merge_rows(self, first_row: int, last_row: int, first_col: int, last_col: int,
                   cell_format: Format | None = None) -> None:
        """Each row from ``first_row`` to ``last_row`` merged across ``first_col`` … ``last_col``, empty: as
        ``merge_range(row, first_col, row, last_col, "", cell_format)`` on each row, in one call."""
        if first_col == last_col or last_row < first_row:
            return
        box = (first_row, first_col, last_row, last_col)
        self._check_merge(box)
        by_row = self._merged_rows
        rows = range(first_row, last_row + 1)
        boxes = list(zip(rows, repeat(first_col), rows, repeat(last_col)))
        self.merged += boxes
        if any(map(by_row.__contains__, rows)):
            for box in boxes:
                by_row.setdefault(box[0], []).append(box)
        else:  # rows merged nowhere yet (the aid steps' block): each row's list of its one box, in one pass
            by_row.update(zip(rows, map(list, zip(boxes))))
        if cell_format is not None:
            blanks = [BLANK] * len(boxes)
            for col in range(first_col, last_col + 1):
                self.write_column(first_row, col, blanks, cell_format)

    def add_table(self, first_row: int, first_col: int, last_row: int, last_col: int, options: dict) -> None:
        """An Excel table (the options :func:`.tables._add_table` gives): its header cells written here
        in their ``header_format``; the total row's label and formulas (with ``total_value``) too."""
        box = (first_row, first_col, last_row, last_col)
        for other in self.merged + [(*t.first, *t.last) for t in self.tables]:
            if boxes_overlap(box, other):
                raise OverlappingRange(f"table {box} overlaps {other}")
        specs = options.get("columns", [])
        total = bool(options.get("total_row"))
        columns, seen = [], set()
        for j, col in enumerate(range(first_col, last_col + 1)):
            spec = specs[j] if j < len(specs) else {}
            name = spec.get("header") or f"Column{j + 1}"
            if name.lower() in seen:  # Excel refuses a table with two columns of one name
                raise ValueError(f"duplicate table header {name!r}")
            seen.add(name.lower())
            column = {"name": name}
            self.write_string(first_row, col, name, spec.get("header_format"))
            if total and spec.get("total_function"):
                column["formula"] = spec["total_function"].lstrip("=")
                self.write_formula(last_row, col, column["formula"], spec.get("format"), spec.get("total_value", 0))
            elif total and spec.get("total_string"):
                column["label"] = spec["total_string"]
                self.write_string(last_row, col, spec["total_string"], spec.get("format"))
            columns.append(column)
        table_id = sum(len(s.tables) for s in self.book.sheets) + 1
        name = options.get("name") or f"Table{table_id}"
        style = options.get("style", "Table Style Medium 9").replace(" ", "")
        self.tables.append(Table(table_id, name, (first_row, first_col), (last_row, last_col), columns, total,
                                 options.get("autofilter", True), style))

    # --- rows, columns and the page ----------------------------------------------------------------------

    def set_row(self, row: int, height: float) -> None:
        """A row's height in points, rounded to whole pixels as xlsxwriter rounds it."""
        if not (row.__class__ is int and 0 <= row < _MAX_ROWS):
            raise IndexError(f"row {row} is outside the sheet")
        self.heights[row] = _height(height)

    def set_rows(self, first_row: int, heights: list) -> None:
        """``set_row`` on each row from ``first_row`` whose height in ``heights`` is not None, in one pass."""
        rows = [row for row, height in enumerate(heights, first_row) if height is not None]
        if rows:
            if not (first_row.__class__ is int and 0 <= first_row and rows[-1] < _MAX_ROWS):
                raise IndexError(f"rows {first_row} to {rows[-1]} are outside the sheet")
            self.heights.update(zip(rows, map(_height, [h for h in heights if h is not None])))

    def set_column(self, first_col: int, last_col: int, width: float) -> None:
        for col in range(first_col, last_col + 1):
            self.widths[col] = width

    def set_h_pagebreaks(self, breaks: list[int]) -> None:
        self.hbreaks = sorted(set(breaks) - {0})[:1023]  # Excel keeps at most 1,023 breaks

    def set_landscape(self) -> None:
        self.landscape, self.page_setup_changed = True, True

    def set_portrait(self) -> None:
        self.landscape, self.page_setup_changed = False, True

    def set_paper(self, paper: int) -> None:
        self.paper, self.page_setup_changed = paper, True

    def fit_to_pages(self, width: int, height: int) -> None:
        self.fit, self.page_setup_changed = (width, height), True

    def set_margins(self, left: float = 0.7, right: float = 0.7, top: float = 0.75, bottom: float = 0.75) -> None:
        self.margins = (left, right, top, bottom)

    def set_footer(self, footer: str) -> None:
        self.footer = footer

    def repeat_rows(self, first_row: int, last_row: int | None = None) -> None:
        self.repeat = (first_row, first_row if last_row is None else last_row)

    def hide_gridlines(self, option: int = 1) -> None:
        """xlsxwriter's options: 0 shows and prints gridlines, 1 (default) shows them, 2 hides them."""
        self.print_gridlines = option == 0
        self.screen_gridlines = option < 2

    # --- the sheet's XML ---------------------------------------------------------------------------------

    def xml(self) -> bytes:
        """The worksheet part, its elements in the order the schema (and xlsxwriter) gives them, in UTF-8.
        Each element is encoded on its own: the cells are ASCII, and one character beyond it elsewhere (the
        footer's dash) would make the whole sheet's text two bytes a character to join and to encode."""
        parts = [f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}">']
        if self.fit is not None:
            parts.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
        data, written, columns = self._sheet_data()
        parts.append(f'<dimension ref="{self._dimension(written, columns)}"/>')
        grid = "" if self.screen_gridlines else ' showGridLines="0"'
        selected = ' tabSelected="1"' if self.index == 0 else ""
        parts.append(f'<sheetViews><sheetView{grid}{selected} workbookViewId="0"/></sheetViews>'
                     '<sheetFormatPr defaultRowHeight="15"/>')
        if self.widths:
            parts.append("<cols>" + "".join(_col(c, w) for c, w in sorted(self.widths.items())) + "</cols>")
        parts.append(data)
        if self.merged:
            letters, numbers = _LETTERS, _numbers(0, max(r2 for _, _, r2, _ in self.merged) + 1)
            parts.append(f'<mergeCells count="{len(self.merged)}">' + "".join([
                f'<mergeCell ref="{letters[c1]}{numbers[r1 + 1]}:{letters[c2]}{numbers[r2 + 1]}"/>'
                for r1, c1, r2, c2 in self.merged]) + "</mergeCells>")
        if self.print_gridlines:
            parts.append('<printOptions gridLines="1"/>')
        left, right, top, bottom = self.margins
        parts.append(f'<pageMargins left="{left}" right="{right}" top="{top}" bottom="{bottom}" header="0.3" '
                     'footer="0.3"/>')
        if self.page_setup_changed:
            setup = f' paperSize="{self.paper}"' if self.paper else ""
            if self.fit is not None:
                setup += "".join(f' {name}="{n}"' for name, n in zip(("fitToWidth", "fitToHeight"), self.fit) if n != 1)
            setup += ' orientation="landscape"' if self.landscape else ' orientation="portrait"'
            parts.append(f"<pageSetup{setup}/>")
        if self.footer:
            parts.append(f"<headerFooter><oddFooter>{xstring(self.footer)}</oddFooter></headerFooter>")
        if self.hbreaks:
            parts.append(f'<rowBreaks count="{len(self.hbreaks)}" manualBreakCount="{len(self.hbreaks)}">'
                         + "".join(f'<brk id="{r}" max="16383" man="1"/>' for r in self.hbreaks) + "</rowBreaks>")
        if self.tables:
            parts.append(f'<tableParts count="{len(self.tables)}">'
                         + "".join(f'<tablePart r:id="rId{i}"/>' for i in range(1, len(self.tables) + 1))
                         + "</tableParts>")
        parts.append("</worksheet>")
        return b"".join([part.encode("utf-8") for part in parts])

    def _sheet_data(self) -> tuple[str, list[int], list[int]]:
        """The ``<sheetData>``, row by row, each row's cells in column order; the rows written (a cell or a
        height) and the first and last column of each row or band with cells. A band's rows are made in one
        pass over it."""
        rows, heights, banded = self.rows, self.heights, self._banded
        out: dict[int, str] = {}  # row → its <row> element
        columns: list[int] = []
        for band in self.bands:
            texts, used = band.rows(heights)
            if used:
                columns += (used[0], used[-1])
            first = band.first
            if band.taken or "" in texts:  # only the rows with a cell that are still the band's
                out.update({row: text for row, text in zip(range(first, first + band.n), texts)
                            if text and banded.get(row) is band})
            else:
                out.update(zip(range(first, first + band.n), texts))
        for row, cells in rows.items():
            if cells:
                order = sorted(cells)
                columns += (order[0], order[-1])
                out[row] = f'<row r="{row + 1}"{heights.get(row, "")}>{"".join([cells[c] for c in order])}</row>'
        for row, attributes in heights.items():
            if row not in out:
                out[row] = f'<row r="{row + 1}"{attributes}/>'
        for row in rows.keys() - out.keys():  # a row of no cells (none is stored so): as xlsxwriter, an empty row
            out[row] = f'<row r="{row + 1}"/>'
        if not out:
            return "<sheetData/>", [], []
        written = sorted(out)
        return "<sheetData>" + "".join([out[row] for row in written]) + "</sheetData>", written, columns

    def _dimension(self, rows: list[int], columns: list[int]) -> str:
        """The used range: every row with a cell or a height, every column with a cell (``A1`` when empty);
        a cell stored outside the sheet's columns is refused here."""
        if not rows:
            return "A1"
        columns = columns or [0]
        if min(columns) < 0 or max(columns) >= _MAX_COLS:
            raise IndexError(f"a cell of sheet {self.name!r} is outside its {_MAX_COLS} columns")
        first, last = _ref(rows[0], min(columns)), _ref(rows[-1], max(columns))
        return first if first == last else f"{first}:{last}"


# --- the block calls on any worksheet ------------------------------------------------------------------
# The layout code (.statement, .tables) draws on this module's worksheets and on xlsxwriter's (the summary;
# the reference that tests/test_sheetxml.py compares with): these give xlsxwriter's the block calls, cell by
# cell, so each says once what its one-pass version must write.

def write_column(ws, first_row: int, col: int, values: list, formats) -> None:
    """:meth:`Worksheet.write_column` on ``ws``."""
    if isinstance(ws, Worksheet):
        return ws.write_column(first_row, col, values, formats)
    for row, value in enumerate(values, first_row):
        fmt = formats[row - first_row] if isinstance(formats, list) else formats
        if value is BLANK:
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            ws.write_string(row, col, value, fmt)
        elif value is not None:
            ws.write_number(row, col, value, fmt)


def merge_rows(ws, first_row: int, last_row: int, first_col: int, last_col: int, cell_format=None) -> None:
    """:meth:`Worksheet.merge_rows` on ``ws``."""
    if isinstance(ws, Worksheet):
        return ws.merge_rows(first_row, last_row, first_col, last_col, cell_format)
    if first_col != last_col:
        for row in range(first_row, last_row + 1):
            ws.merge_range(row, first_col, row, last_col, "", cell_format)


def set_rows(ws, first_row: int, heights: list) -> None:
    """:meth:`Worksheet.set_rows` on ``ws``."""
    if isinstance(ws, Worksheet):
        return ws.set_rows(first_row, heights)
    for row, height in enumerate(heights, first_row):
        if height is not None:
            ws.set_row(row, height)


def reserve_strings(ws, texts) -> None:
    """:meth:`Workbook.reserve_strings` for ``ws``'s workbook (xlsxwriter's numbers its strings as they come:
    the order is not what a reader sees)."""
    if isinstance(ws, Worksheet):
        ws.book.reserve_strings(texts)


def _finite(number) -> str:
    """A number's text in the XML; NaN and infinity refused, as xlsxwriter refuses them."""
    if not isfinite(number):
        raise TypeError(f"{number} cannot be written as a number")
    return number_text(number)


def _number_cells(letter: str, rows: list[str], values: list, styles) -> list[str]:
    """Number cells for ``values`` (None: no cell, "") in rows ``rows``; NaN and infinity refused, as
    :func:`_finite` refuses them, checked once for the column."""
    if None in values:
        present = [v for v in values if v is not None]
        texts = iter(_finite_texts(present))
        return ["" if v is None else f'<c r="{letter}{r}"{s}><v>{next(texts)}</v></c>'
                for v, r, s in zip(values, rows, styles)]
    return [f'<c r="{letter}{r}"{s}><v>{t}</v></c>' for t, r, s in zip(_finite_texts(values), rows, styles)]


def _finite_texts(numbers: list) -> list[str]:
    """Each number's text as :func:`~.xlsx.number_text` gives it (xlsxwriter's ``.16G``: an int that a float
    holds exactly prints as ``str`` does), by one bound format over the column; a column of ints and floats
    takes the texts this process already made (:data:`_FLOAT_TEXTS`) in one look-up pass, formatting only the
    others (a job's statements repeat their units, unit costs and many amounts)."""
    if not all(map(isfinite, numbers)):
        raise TypeError(f"{next(v for v in numbers if not isfinite(v))} cannot be written as a number")
    if not _INT_OR_FLOAT.issuperset(map(type, numbers)):  # a Decimal 5.0 equals 5.0 but prints "5.0"
        return list(map(_G16, numbers))
    texts = list(map(_FLOAT_TEXTS.get, numbers))
    if None in texts:
        if len(_FLOAT_TEXTS) > _FLOAT_TEXTS_LIMIT:
            _FLOAT_TEXTS.clear()
        for i in compress(range(len(texts)), map(operator.is_, texts, repeat(None))):
            number = numbers[i]
            texts[i] = text = _G16(number)
            if number.__class__ is float and number:  # 0.0 and -0.0 are one key but two texts: neither kept
                _FLOAT_TEXTS[number] = text
    return texts


_G16 = "{:.16G}".format
_INT_OR_FLOAT = frozenset({int, float})
# a float's .16G text, by the float: an int equal to it prints the same (.16G formats an int as the float it
# equals); never a zero (0.0 and -0.0 are one key)
_FLOAT_TEXTS: dict[float, str] = {}
_FLOAT_TEXTS_LIMIT = 200_000


def _blank_cells(letter: str, rows: list[str], values: list, styles) -> list[str]:
    """Formatted empty cells where ``values`` holds :data:`BLANK` (none without a format, as ``write_blank``)."""
    return [f'<c r="{letter}{r}"{s}/>' if v is BLANK and s else "" for v, r, s in zip(values, rows, styles)]


@functools.lru_cache(maxsize=1024)
def _height(height: float) -> str:
    """A ``<row>``'s attributes for a height in points: whole pixels, as xlsxwriter rounds them."""
    pixels = int(height * 4.0 / 3.0 + 0.5)
    return "" if pixels == _DEFAULT_ROW_PIXELS else f' ht="{pixels * 0.75:.16g}" customHeight="1"'


def _col(col: int, width: float) -> str:
    """A ``<col>`` element: the width in characters to whole pixels and back, as xlsxwriter stores it."""
    if width == 0:
        pixels = 0
    elif width < 1:
        pixels = int(width * 12 + 0.5)  # 7 pixels a digit + 5 of padding, scaled below one character
    else:
        pixels = int(width * 7 + 0.5) + 5
    custom = ' customWidth="1"' if pixels != _DEFAULT_COL_PIXELS else ""
    return f'<col min="{col + 1}" max="{col + 1}" width="{(pixels * 256 // 7) / 256.0:.16g}"{custom}/>'


