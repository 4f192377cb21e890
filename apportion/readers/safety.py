"""Checks made before a workbook is parsed: size limits, zip bombs, XML entities,
sheets whose used area would exhaust memory, and cells whose value cannot be trusted.

An ``.xlsx`` (or ``.xlsm``, ``.ods``) is a zip of XML parts. :func:`check_file`
reads every part once, through Python's zip reader — which stops at each part's
*declared* size and then checks its CRC, so a part that lies about its size is
caught — and refuses the file before calamine sees it when:

* the file, the declared uncompressed total, or the compression ratio is too
  large (a zip bomb), or the archive holds absurdly many parts;
* any part declares a DOCTYPE or an entity (entity expansion, external
  entities): no parser ever gets to resolve one;
* a worksheet's cells span more than ``max_cells`` (calamine allocates the
  whole rectangle from A1 to the last cell, so two cells at A1 and XFD1048576
  in a 5 KB file would abort the process for want of memory).

The same pass hands each worksheet part to :mod:`.content`, which notes the
cells whose value cannot be trusted (each part is read once).
"""
from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from html import unescape
from pathlib import Path

from ..limits import DEFAULT_LIMITS, Limits, how_to_raise
from .content import Scan, recalculates_on_open, suspect_cells


ZIP_FORMATS = {".xlsx", ".xlsm", ".ods"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UnsafeWorkbook(Exception):
    """The file was refused before parsing; ``code`` is the issue code."""

    def __init__(self, code: str, message: str, found: str = "", sheet: str = ""):
        self.code = code
        self.found = found
        self.sheet = sheet
        super().__init__(message)


def check_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> Scan:
    """Raise :class:`UnsafeWorkbook` if the file must not be parsed; else the cells to distrust."""
    size = path.stat().st_size
    if size == 0:
        raise UnsafeWorkbook("empty-file", "the file is empty", "0 bytes")
    if size > limits.max_file_bytes:
        raise UnsafeWorkbook("file-too-large", "the file is too large: " + how_to_raise("max_file_bytes", limits),
                             f"{size:,} bytes")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC and path.suffix.lower() in ZIP_FORMATS:
        raise UnsafeWorkbook("encrypted-workbook",
                             "the workbook is password-protected (or an old .xls renamed); remove the password "
                             "and save it as an Excel workbook (.xlsx)", "an encrypted (OLE) file")
    if path.suffix.lower() not in ZIP_FORMATS:
        if head.startswith(b"PK\x03\x04"):  # an .xlsx saved or renamed under .xls: calamine goes by the name
            raise UnsafeWorkbook("misnamed-workbook", f"the file is an Excel workbook (.xlsx) named {path.suffix}; "
                                 "rename it to end in .xlsx", f"a zip (.xlsx) file named {path.name}")
        if head == OLE_MAGIC:  # .xls: calamine sizes its buffers from the header and chains, so prove them first
            with path.open("rb") as fh:
                check_compound_file(fh.read(), path.name)
        return Scan()
    if not zipfile.is_zipfile(path):
        if head.startswith(b"PK"):  # a zip that lost its end: an interrupted download or copy
            raise UnsafeWorkbook("corrupt-workbook", "the workbook is damaged (cut short) and cannot be read",
                                 "an incomplete zip archive")
        raise UnsafeWorkbook("not-a-workbook", "the file is not an Excel workbook (it is not a zip archive)",
                             f"a file starting {head[:4]!r}")
    try:
        with zipfile.ZipFile(path) as zf:
            _check_kind(zf, path)
            return _scan_zip(zf, size, limits)
    except UnsafeWorkbook:
        raise
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
        raise UnsafeWorkbook("encrypted-workbook", "the archive is encrypted; remove the password and save it again",
                             str(exc)[:200]) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, NotImplementedError,
            ValueError) as exc:
        raise UnsafeWorkbook("corrupt-workbook", "the workbook is damaged and cannot be read; open it in Excel and "
                             "save it again", f"{type(exc).__name__}: {exc}"[:200]) from None


def _check_kind(zf: zipfile.ZipFile, path: Path) -> None:
    """An Excel workbook saved under .ods, or an OpenDocument one under .xlsx/.xlsm: calamine goes by the name,
    so the file would be unreadable-workbook, saying nothing of why; it is misnamed-workbook, as under .xls."""
    names = set(zf.namelist())
    excel, ods = "xl/workbook.xml" in names, "content.xml" in names and "mimetype" in names
    suffix = path.suffix.lower()
    if (suffix == ".ods" and excel) or (suffix != ".ods" and ods and not excel):
        kind, right = ("an Excel workbook (.xlsx)", ".xlsx") if excel else ("an OpenDocument spreadsheet (.ods)",
                                                                          ".ods")
        raise UnsafeWorkbook("misnamed-workbook", f"the file is {kind} named {path.suffix}; rename it to end in "
                             f"{right}", f"{kind} named {path.name}")


def _scan_zip(zf: zipfile.ZipFile, size: int, limits: Limits) -> Scan:
    infos = zf.infolist()
    if len(infos) > limits.max_zip_entries:
        raise UnsafeWorkbook("zip-bomb", "the workbook holds too many parts: " + how_to_raise("max_zip_entries", limits),
                             f"{len(infos):,} parts")
    declared = sum(i.file_size for i in infos)
    over = "max_uncompressed_bytes" if declared > limits.max_uncompressed_bytes else (
        "max_compression_ratio" if declared > limits.ratio_floor_bytes and declared > size * limits.max_compression_ratio
        else None)
    if over:
        raise UnsafeWorkbook("zip-bomb", "the workbook would unpack to more than the allowed size: "
                             + how_to_raise(over, limits), f"{declared:,} bytes declared uncompressed from {size:,}")
    names = {i.filename for i in infos}
    sheets = _sheet_parts(zf, names)
    recalc = recalculates_on_open(zf, names)
    scan = Scan()
    for info in infos:
        if info.is_dir():
            continue
        data = zf.read(info)  # stops at the declared size and checks the CRC: a lying part raises
        _refuse_entities(data, info.filename)
        _refuse_inflated_counts(data, info.filename, declared)
        if info.filename == "content.xml" and b"<table:table" in data:
            for sheet, rows, cols in _ods_extents(data):
                if rows * cols > limits.max_cells:
                    raise UnsafeWorkbook("sheet-too-large", "the sheet's cells span too many cells (delete stray "
                                         "cells and save again): " + how_to_raise("max_cells", limits),
                                         f"cells up to row {rows:,} and column {cols:,}", sheet=sheet)
        if b"sheetData" in data:
            _check_extent(data, sheets.get(info.filename, info.filename), limits)
            cells = suspect_cells(data, recalc)
            if cells:
                scan.suspect[sheets.get(info.filename, info.filename)] = cells
    return scan


_DECLARATION = re.compile(rb"<!(?i:doctype|entity)")  # "<!" is rare in a workbook, so this is one fast pass


def _refuse_entities(data: bytes, part: str) -> None:
    """Refuse any DOCTYPE or entity declaration: in a workbook they only ever serve an attack."""
    text = data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 would hide the markers from a byte search
        text = data.decode("utf-16", errors="replace").encode("utf-8")
    if _DECLARATION.search(text):
        raise UnsafeWorkbook("xml-entities", "the workbook declares XML entities (a DOCTYPE); refused for safety",
                             f"a DOCTYPE in {part}")


_BIG_COUNT = re.compile(rb'ount="(\d{6,})"')  # count= and uniqueCount= of 100,000 or more (a literal start: fast)


def _refuse_inflated_counts(data: bytes, part: str, total: int) -> None:
    """Refuse a declared element count larger than the whole archive could hold.

    calamine reserves memory from ``<sst uniqueCount="...">`` and its kin before
    reading the elements, so a 4,000,000,000 in a 2 KB file would abort the
    process. Every counted element (a string, a style, a cell referring to a
    shared string) takes at least a byte of the unpacked archive.
    """
    for number in _BIG_COUNT.findall(data):
        if int(number) > total:
            raise UnsafeWorkbook("corrupt-workbook", "the workbook declares more elements than it holds; open it in "
                                 "Excel and save it again", f"a count of {int(number):,} in {part}")


# --- which part is which sheet -----------------------------------------------------------

_TAG_ATTR = {name: re.compile(rb"\b" + name + rb'="([^"]*)"') for name in (b"name", b"r:id", b"Id", b"Target")}


def _attr(tag: bytes, name: bytes) -> str:
    m = _TAG_ATTR[name].search(tag)
    return unescape(m.group(1).decode("utf-8", errors="replace")) if m else ""


def _sheet_parts(zf: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Worksheet part path → sheet name as typed, from the workbook and its relationships."""
    book = next((n for n in sorted(names) if n.endswith("workbook.xml")), None)
    if book is None:
        return {}
    folder, base = posixpath.split(book)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in names:
        return {}
    rels = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", zf.read(rels_name)):
        target = _attr(tag, b"Target")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        rels[_attr(tag, b"Id")] = part
    out = {}
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", zf.read(book)):
        part = rels.get(_attr(tag, b"r:id"))
        if part:
            out[part] = _attr(tag, b"name")
    return out


# --- the used area of a worksheet ------------------------------------------------------

_COLUMN_SPANS = (26, 26 + 26**2, 16_384)


def _prefix(data: bytes) -> bytes:
    """The namespace prefix of the sheet's elements (``x:`` in files from the .NET SDK), or none."""
    m = re.search(rb"<(\w+:)?sheetData\b", data)
    return (m.group(1) or b"") if m else b""


def _check_extent(data: bytes, sheet: str, limits: Limits) -> None:
    """Refuse a sheet whose used area (from A1 to its last cell) exceeds ``limits.max_cells``."""
    rows, cols = _extent(data, _prefix(data), limits.max_cells)
    if rows * cols > limits.max_cells:
        raise UnsafeWorkbook("sheet-too-large", "the sheet's cells span too many cells (delete stray cells far "
                             "from the table and save again): " + how_to_raise("max_cells", limits),
                             f"cells up to row {rows:,} and column {cols:,}", sheet=sheet)


def _extent(data: bytes, prefix: bytes, budget: int) -> tuple[int, int]:
    """An upper bound on (last row, last column) as calamine will place the cells.

    When every row and cell leads with its reference (Excel, LibreOffice,
    openpyxl and xlsxwriter all write ``<c r="B7"``), a handful of one-pass
    searches in C bound the area: the longest row number and column letters
    present. Only when that bound is over ``budget`` — or the file writes
    references late or not at all — is every reference read. A row or cell
    without a reference follows the one before, so each adds at most one.
    """
    row_open, cell_open = re.escape(b"<" + prefix + b"row"), re.escape(b"<" + prefix + b"c")
    tight = _tight_extent(data, prefix, row_open, cell_open, budget)
    if tight:
        return tight
    late_rows = re.search(row_open + rb'(?:>|/>|\s(?!r="))', data) is not None
    late_cells = re.search(cell_open + rb'(?:>|/>|\s(?!r="))', data) is not None
    if not (late_rows or late_cells):
        row_ref, cell_ref = row_open + rb' r="', cell_open + rb' r="'
        last = re.search(row_ref + rb"(\d{1,15})", data[data.rfind(b"<" + prefix + b'row r="'):])
        digits = len(last.group(1)) if last else 1
        if re.search(row_ref + rb"\d{%d}" % (digits + 1), data) or re.search(
                cell_ref + rb"[A-Z]{1,3}\d{%d}" % (digits + 1), data):
            digits = 16
        letters = next((n for n in (4, 3, 2) if re.search(cell_ref + rb"[A-Z]{%d}" % n, data)), 1)
        rows, cols = 10**digits - 1, _COLUMN_SPANS[letters - 1] if letters <= 3 else 10**15
        if rows * cols <= budget:
            return rows, cols
    # exact: every reference, wherever it sits among the attributes
    row_refs = re.findall(row_open + rb'\b[^>]*?\sr="(\d{1,15})"', data)
    cell_refs = set(re.findall(cell_open + rb'\b[^>]*?\sr="([A-Z]{1,7})(\d{1,15})"', data))
    rows = max([int(r) for r in set(row_refs)] + [int(r) for _, r in cell_refs] + [0])
    cols = max((_column_number(c) for c in {c for c, _ in cell_refs}), default=0)
    if late_rows:
        rows += data.count(b"<" + prefix + b"row") - len(row_refs)
    if late_cells:
        cols += max(chunk.count(b"<" + prefix + b"c") for chunk in data.split(b"</" + prefix + b"row>"))
    return max(rows, 1), max(cols, 1)


def _tight_extent(data: bytes, prefix: bytes, row_open: bytes, cell_open: bytes, budget: int) -> tuple[int, int] | None:
    """(last row, a bound on the last column) in two searches, when every row and cell leads with a reference
    no further down than the last row's — else None (the slower bounds of :func:`_extent` decide).

    A million-row sheet's row numbers have seven digits, so the digit-count bound of
    :func:`_extent` (9,999,999 rows) would exceed the budget and send it to reading every
    reference; here a search for any reference *past* the last row's proves the exact height.
    """
    last = re.search(row_open + rb' r="([1-9]\d{0,14})"', data[data.rfind(b"<" + prefix + b'row r="'):])
    if last is None:
        return None
    height = int(last.group(1))
    letters = next((n for n in (1, 2, 3) if height * _COLUMN_SPANS[n - 1] <= budget), None)
    if letters is None:
        return None
    upto = _at_most(height)
    if re.search(row_open + rb'(?:>|/>|\s(?!r="' + upto + rb'"))', data) or re.search(
            cell_open + rb'(?:>|/>|\s(?!r="[A-Z]{1,%d}' % letters + upto + rb'"))', data):
        return None
    return height, _COLUMN_SPANS[letters - 1]


def _at_most(n: int) -> bytes:
    """A pattern matching the numbers 1 to ``n`` written as a reference writes them (no sign, no leading 0)."""
    digits = str(n)
    options = [rb"[1-9]\d{0,%d}" % (len(digits) - 2)] if len(digits) > 1 else []
    for i, ch in enumerate(digits):  # the first i digits of n, then a smaller digit, then any
        low = 1 if i == 0 else 0
        if int(ch) - 1 >= low:
            options.append(digits[:i].encode() + b"[%d-%d]" % (low, int(ch) - 1) + rb"\d{%d}" % (len(digits) - i - 1))
    return b"(?:" + b"|".join(options + [digits.encode()]) + b")"


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


# --- OpenDocument: repeated rows and columns -----------------------------------------------

_ODS_TABLE = re.compile(rb"<table:table\b([^>]*)>(.*?)</table:table>", re.DOTALL)
_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(?:/>|>(.*?)</table:table-row>)", re.DOTALL)
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)(/>|>)")
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d{1,12})"')
_COLS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d{1,12})"')


def _ods_extents(content: bytes):
    """(sheet, rows, columns) of each table's used area, counting repeated rows and cells as calamine expands them.

    Trailing empty repeats (LibreOffice pads every sheet to its full size) are not part of the used area.
    """
    for attrs, body in _ODS_TABLE.findall(content):
        name = _attr(attrs, b"name")
        row, last_row, width = 0, 0, 0
        for row_attrs, cells in _ODS_ROW.findall(body):
            repeat = _ROWS_REPEATED.search(row_attrs)
            repeat = int(repeat.group(1)) if repeat else 1
            col, used = 0, 0
            for cell_attrs, end in _ODS_CELL.findall(cells or b""):
                span = _COLS_REPEATED.search(cell_attrs)
                col += int(span.group(1)) if span else 1
                if b"office:value-type" in cell_attrs or end == b">":  # a value, or content inside
                    used = col
            row += repeat
            if used:
                last_row, width = row, max(width, used)
        yield name, last_row, width


# --- OLE compound files (.xls) ----------------------------------------------------------

_SPECIAL_SECTORS = 0xFFFFFFFA  # ids from here up are markers (end of chain, free, FAT, DIFAT)


def check_compound_file(data: bytes, name: str) -> None:
    """Refuse an OLE compound file whose header, sector chains or stream sizes point outside the file.

    calamine reserves memory from these numbers before reading, so a 2 KB file
    claiming a 4 GB directory would abort the process; here every count, chain
    and size is proved to fit the file (and every chain to end) first.
    """
    def refuse(why: str):
        raise UnsafeWorkbook("corrupt-workbook", "the workbook is damaged and cannot be read; open it in Excel and "
                             "save it again as .xlsx", f"an OLE file with {why}")
    if len(data) < 512:
        refuse("a short header")
    major, order, shift, mini_shift = struct.unpack_from("<HHHH", data, 26)
    if order != 0xFFFE or (major, shift) not in ((3, 9), (4, 12)) or mini_shift != 6:
        refuse("an unknown header")
    size = 1 << shift
    sectors = (len(data) - size + size - 1) // size  # the header fills the first sector
    dir_len, fat_len, dir_start = struct.unpack_from("<III", data, 40)
    mini_fat_start, mini_fat_len, difat_start, difat_len = struct.unpack_from("<IIII", data, 60)
    if max(dir_len, fat_len, mini_fat_len, difat_len) > sectors:
        refuse("counts larger than the file")

    def sector(i: int) -> bytes:
        if i >= sectors:
            refuse("a sector outside the file")
        return data[size + i * size: size + (i + 1) * size].ljust(size, b"\0")

    difat = list(struct.unpack_from("<109I", data, 76))
    nxt, seen = difat_start, 0
    while nxt < _SPECIAL_SECTORS:
        seen += 1
        if seen > difat_len + 1:
            refuse("a looping DIFAT chain")
        words = struct.unpack(f"<{size // 4}I", sector(nxt))
        difat.extend(words[:-1])
        nxt = words[-1]
    fat: list[int] = []
    for i in difat:
        if i < _SPECIAL_SECTORS:
            fat.extend(struct.unpack(f"<{size // 4}I", sector(i)))
    if any(e >= sectors and e < _SPECIAL_SECTORS for e in fat):
        refuse("a FAT entry outside the file")

    def chain(start: int, table: list[int], limit: int) -> int:
        count, i = 0, start
        while i < _SPECIAL_SECTORS:
            if i >= len(table) or count > limit:
                refuse("a broken or looping sector chain")
            count, i = count + 1, table[i]
        return count

    dirs = b"".join(sector(i) for i in _walk(dir_start, fat, sectors, refuse))
    mini_sectors = 0
    mini_fat = [struct.unpack_from("<I", sector(i), k)[0] for i in _walk(mini_fat_start, fat, sectors, refuse)
                for k in range(0, size, 4)]
    for k in range(0, len(dirs) - 127, 128):
        entry = dirs[k:k + 128]
        kind = entry[66]
        start, length = struct.unpack_from("<IQ" if major == 4 else "<II", entry, 116)[:2]
        if kind == 5:  # the root: its stream is the mini stream
            if length > len(data):
                refuse("a stream larger than the file")
            mini_sectors = chain(start, fat, sectors) * size // 64
        elif kind == 2:
            if length > len(data):
                refuse("a stream larger than the file")
            if length < 4096:
                if chain(start, mini_fat, mini_sectors) * 64 < length or start >= max(mini_sectors, 1):
                    refuse("a stream outside the mini stream")
            else:
                chain(start, fat, sectors)


def _walk(start: int, fat: list[int], sectors: int, refuse) -> list[int]:
    """The sector ids of the chain from ``start`` (bounded: a loop or an id outside the file is refused)."""
    out, i = [], start
    while i < _SPECIAL_SECTORS:
        if i >= len(fat) or len(out) > sectors:
            refuse("a broken or looping sector chain")
        out.append(i)
        i = fat[i]
    return out


def workbook_part_sheet_names(zf: zipfile.ZipFile) -> list[str] | None:
    """The sheet names of an .xlsx from its small workbook part alone (declared size capped, no DOCTYPE),
    so listing a folder never inflates a zip bomb; None when that part is missing, too large or unsafe."""
    names = {i.filename: i for i in zf.infolist()}
    book = next((n for n in sorted(names) if n.endswith("workbook.xml")), None)
    if book is None or names[book].file_size > 16 * 2**20:
        return None
    data = zf.read(book)
    if _DECLARATION.search(data):
        return None
    return [_attr(tag, b"name") for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", data)]
