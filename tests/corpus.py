"""A small valid job as plain data, and the tools to break it one defect at a time.

Every hardening and reader test starts from :func:`valid_sheets` (which the
suite proves valid), changes one thing, writes the workbook with
:func:`tests.builders.write_workbook` and checks the issue's code and cell.
The helpers speak the user's language — sheet names, headers and BOCES items
as typed — and return the A1 cell they touched, so a test can assert the
location without counting columns by hand.

The second half crafts files that are not honest workbooks at all: OLE
(password-protected) files, damaged or bomb-like zips, XML with entities, an
OpenDocument spreadsheet.
"""
from __future__ import annotations

import copy
import datetime as dt
import io
import struct
import zipfile
from pathlib import Path

from apportion.schema import column_letter

from .builders import boces_rows, write_workbook

# --- the valid job -------------------------------------------------------------------

CODES = ("010100010000", "010201040000", "010306060000", "010402020000", "010615020000")


def valid_sheets() -> dict[str, list[list]]:
    """A five-district WADA job with CoSers, staff, shared PD and collaboration hours; no errors."""
    districts = [["District code", "District name", "Type", "Full value", "RWADA", "Enrollment", "Tax levy", "PILOTs",
                  "Budget vote", "Email"],
                 [CODES[0], "Albany City", "component", 6_100_000_000, 9_850.25, 8_900, 120_500_000, 0, "yes",
                  "business@albany.example"],
                 [CODES[1], "Berne-Knox-Westerlo", "component", 410_000_000, 860.5, 780, 9_800_000, 0, "yes",
                  "bo@bkw.example"],
                 [CODES[2], "Bethlehem Central", "component", 3_900_000_000, 4_700, 4_500, 80_250_000.5, 0, "no",
                  "bo@bethlehem.example"],
                 [CODES[3], "Cohoes City", "component", 1_100_000_000, 2_310.75, 2_050, 18_000_000, 12_000, "yes",
                  "bo@cohoes.example"],
                 [CODES[4], "Outside Union Free", "non-component", None, None, None, None, None, None, None]]
    services = [["Service code", "Service name", "Budget", "Unit", "Unit cost basis", "Aidable", "Transportation"],
                ["101", "Special education class", 1_250_000, "pupil", "anticipated", "yes", "no"],
                ["220", "Itinerant speech", 300_000.25, "FTE", "current", "yes", "no"],
                ["910", "Bus garage", 80_000, "route", "anticipated", "no", "yes"]]
    participation = [["District code", "Service code", "Units", "Current units"],
                     [CODES[0], "101", 12, 11],
                     [CODES[1], "101", 3.5, 3],
                     [CODES[2], "220", None, 2],
                     [CODES[3], "220", None, 1.25],
                     [CODES[4], "101", 1, 1],
                     [CODES[0], "910", 4, 4]]
    staff = [["Service code", "Employee", "Salary"],
             ["101", "Teacher A", 72_000],
             ["220", "Therapist B", 64_500.5]]
    shared_pd = [["Contract", "Vendor", "Cost", "Days", "Credit or certificate", "Non-aidable costs",
                  "Board approval date", "Start date"],
                 ["PD-1", "Reading Institute", 12_000, 3, "no", 1_500, dt.date(2026, 6, 1), dt.date(2026, 9, 15)]]
    attendance = [["Contract", "District code", "Date", "Staff attending"],
                  ["PD-1", CODES[0], dt.date(2026, 9, 15), 10],
                  ["PD-1", CODES[1], dt.date(2026, 9, 15), 4],
                  ["PD-1", CODES[3], dt.date(2026, 9, 16), 2]]
    collaboration = [["Teacher", "District code", "Course", "Quarter", "Hours", "Wants credit"],
                     ["T. One", CODES[0], "Math circle", "2026-Q3", 12, "yes"],
                     ["T. One", CODES[0], "Math circle", "2026-Q4", 9, "yes"],
                     ["T. Two", CODES[1], "Writing lab", "2026-Q3", 4, "no"]]
    return {
        "BOCES": boces_rows(**{
            "BOCES name": "Capital Region BOCES", "BOCES code": "CR01", "School year": "2026-27",
            "Apportionment method": "WADA", "Administrative budget": 2_500_000, "Capital budget": 400_000,
            "Rent budget": 60_000, "State aid administrative": 100_000, "Other revenue capital": 25_000,
            "Administrative surplus": 15_000.5, "Prior year administrative budget": 2_400_000,
            "Excluded retirement increases": 10_000, "State average AV per RWADA": 1_037_700,
        }),
        "Districts": districts,
        "Services": services,
        "Participation": participation,
        "Staff": staff,
        "Shared PD": shared_pd,
        "PD Attendance": attendance,
        "Collaboration hours": collaboration,
    }


def write(path: Path, sheets: dict[str, list[list]] | None = None) -> Path:
    """Write ``sheets`` (default: the valid job) to ``path``."""
    return write_workbook(path, valid_sheets() if sheets is None else sheets)


# --- one defect at a time ------------------------------------------------------------

def col(sheets: dict, sheet: str, header: str) -> int:
    """The 0-based column of ``header`` on ``sheet``'s first row."""
    return sheets[sheet][0].index(header)


def set_cell(sheets: dict, sheet: str, header: str, row: int, value) -> str:
    """Put ``value`` under ``header`` in data row ``row`` (1 = first data row); the A1 cell."""
    j = col(sheets, sheet, header)
    cells = sheets[sheet][row]
    cells.extend([None] * (j + 1 - len(cells)))
    cells[j] = value
    return f"{column_letter(j)}{row + 1}"


def drop_column(sheets: dict, sheet: str, header: str) -> None:
    """Remove the column headed ``header``."""
    j = col(sheets, sheet, header)
    for cells in sheets[sheet]:
        if j < len(cells):
            del cells[j]


def set_item(sheets: dict, item: str, value) -> str:
    """Set (or add) a BOCES item; ``None`` removes the row. The A1 cell of its value."""
    rows = sheets["BOCES"]
    for i, cells in enumerate(rows):
        if cells[0] == item:
            if value is None:
                del rows[i]
                return ""
            cells[1] = value
            return f"B{i + 1}"
    if value is None:
        return ""
    rows.append([item, value])
    return f"B{len(rows)}"


def item_cell(sheets: dict, item: str) -> str:
    """Where a BOCES item's value sits."""
    return next(f"B{i + 1}" for i, cells in enumerate(sheets["BOCES"]) if cells[0] == item)


def rename_item(sheets: dict, item: str, typed: str) -> str:
    """Retype the BOCES item ``item``'s name as ``typed``; the A1 cell of the name."""
    row = next(i for i, cells in enumerate(sheets["BOCES"]) if cells and cells[0] == item)
    sheets["BOCES"][row][0] = typed
    return f"A{row + 1}"


def add_column(sheets: dict, sheet: str, header: str, values: list | None = None) -> str:
    """Append a column headed ``header`` with ``values`` down the data rows; the A1 cell of its header."""
    rows = sheets[sheet]
    j = max(len(r) for r in rows)
    for i, cells in enumerate(rows):
        cells.extend([None] * (j - len(cells)))
        cells.append(header if i == 0 else (values[i - 1] if values and i - 1 < len(values) else None))
    return f"{column_letter(j)}1"


def rename_column(sheets: dict, sheet: str, header: str, typed: str) -> str:
    """Retype the header ``header`` as ``typed``; its A1 cell."""
    j = col(sheets, sheet, header)
    sheets[sheet][0][j] = typed
    return f"{column_letter(j)}1"


def rename_sheet(sheets: dict, name: str, typed: str) -> None:
    """Retype a sheet's name, keeping its place in the workbook."""
    for key in list(sheets):
        sheets[typed if key == name else key] = sheets.pop(key)


def add_row(sheets: dict, sheet: str, values: dict) -> int:
    """Append a data row from header → value; its Excel row number."""
    header = sheets[sheet][0]
    sheets[sheet].append([values.get(h) for h in header])
    return len(sheets[sheet])


def variant(**changes) -> dict:
    """The valid job with BOCES items changed (``None`` removes one); keys use _ for spaces."""
    sheets = copy.deepcopy(valid_sheets())
    for key, value in changes.items():
        set_item(sheets, key.replace("_", " "), value)
    return sheets


# --- where an issue points ------------------------------------------------------------------

def unlocated(issues) -> list[tuple[str, str, str, str]]:
    """The issues lacking the location their catalogue level asks (issue 13, point 4): a *cell* issue names its
    file, sheet and cell (or, for an item set with ``run --set``, the command line and the item); a *sheet*
    issue its file and sheet; a *file* issue its file. As (code, file, sheet, cell)."""
    from apportion.issues import lookup
    from apportion.readers.items import SET_LOCATION

    def located(i) -> bool:
        level = lookup(i.code).level
        if level == "cell" and i.file == SET_LOCATION:
            return bool(i.column)
        return bool(i.file) and (level == "file" or bool(i.sheet) and (level == "sheet" or bool(i.cell)))
    return [(i.code, i.file, i.sheet, i.cell) for i in issues if not located(i)]


# --- files that are not honest workbooks -------------------------------------------------

def ole_file(path: Path) -> Path:
    """A minimal OLE compound file: what Excel writes for a password-protected workbook (and old .xls)."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)  # minor, major version, byte order, sector shift
    struct.pack_into("<H", header, 32, 6)  # mini sector shift
    header[76:512] = b"\xff" * 436  # no FAT sectors
    path.write_bytes(bytes(header) + b"\0" * 1024)
    return path


def repack(src: Path, dest: Path, change=None, extra: dict[str, bytes] | None = None) -> Path:
    """Copy a zip part by part; ``change(name, data)`` may rewrite a part; ``extra`` adds parts."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, change(info.filename, data) if change else data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dest


def with_doctype(src: Path, dest: Path, part: str, doctype: bytes) -> Path:
    """A valid workbook whose ``part`` declares ``doctype`` (entity expansion, external entities)."""
    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        decl_end = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
        return data[:decl_end] + b"\n" + doctype + data[decl_end:]
    return repack(src, dest, change)


BILLION_LAUGHS = (b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
                  + b"".join(b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(9))
                  + b"]>")
EXTERNAL_ENTITY = b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def zip_bomb(path: Path, size: int = 64 * 2**20) -> Path:
    """A workbook-shaped zip whose one sheet inflates from a few kilobytes to ``size`` bytes of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * 2**20
            for _ in range(size // len(chunk)):
                part.write(chunk)
    return path


def lying_zip(path: Path, declared: int = 2**40) -> Path:
    """A tiny zip whose central directory declares a huge uncompressed size."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
    data = bytearray(buffer.getvalue())
    cd = data.rindex(b"PK\x01\x02")
    # central directory: uncompressed size at offset 24 (32-bit); 0xFFFFFFFF would need zip64, so stay below it
    struct.pack_into("<I", data, cd + 24, min(declared, 0xFFFFFFFE))
    path.write_bytes(bytes(data))
    return path


def truncated(src: Path, dest: Path, keep: float = 0.5) -> Path:
    """The first part of a valid workbook: a damaged download."""
    data = src.read_bytes()
    dest.write_bytes(data[: int(len(data) * keep)])
    return dest


def corrupted(src: Path, dest: Path) -> Path:
    """A valid workbook with its compressed data overwritten (the central directory still intact)."""
    data = bytearray(src.read_bytes())
    cd = data.rindex(b"PK\x01\x02")
    for i in range(200, min(cd, 2000)):
        data[i] = 0x5A
    dest.write_bytes(bytes(data))
    return dest


# --- OpenDocument ------------------------------------------------------------------------

_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')


def _ods_cell(value) -> str:
    from xml.sax.saxutils import escape
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, (dt.date, dt.datetime)):
        iso = value.isoformat() if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else value.date().isoformat()
        return f'<table:table-cell office:value-type="date" office:date-value="{iso}"><text:p>{iso}</text:p></table:table-cell>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (f'<table:table-cell office:value-type="float" office:value="{value!r}">'
                f"<text:p>{value!r}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def write_ods(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A minimal OpenDocument spreadsheet (mimetype, manifest, content) holding ``sheets``."""
    from xml.sax.saxutils import quoteattr
    tables = "".join(
        f"<table:table table:name={quoteattr(name)}>"
        + "".join("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>" for name, rows in sheets.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS}>'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
               "</office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype", (2026, 1, 1, 0, 0, 0)), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr(zipfile.ZipInfo("META-INF/manifest.xml", (2026, 1, 1, 0, 0, 0)), manifest,
                    compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr(zipfile.ZipInfo("content.xml", (2026, 1, 1, 0, 0, 0)), content, compress_type=zipfile.ZIP_DEFLATED)
    return path


# --- edits that the plain writer cannot make ---------------------------------------------

def excel_error(src: Path, dest: Path, sheet_number: int, ref: str, error: str = "#DIV/0!") -> Path:
    """``src`` with cell ``ref`` of worksheet ``sheet_number`` (1-based) replaced by a formula showing ``error``."""
    import re

    def change(name: str, data: bytes) -> bytes:
        if name != f"xl/worksheets/sheet{sheet_number}.xml":
            return data
        cell = b'<c r="%s" t="e"><f>1/0</f><v>%s</v></c>' % (ref.encode(), error.encode())
        data, n = re.subn(rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % ref.encode(), cell, data, count=1, flags=re.DOTALL)
        assert n == 1, f"no cell {ref} to replace"
        return data
    return repack(src, dest, change)


def with_openpyxl(src: Path, dest: Path, edit) -> Path:
    """``src`` loaded with openpyxl, changed by ``edit(book)`` and saved as ``dest`` (merges, inserted rows)."""
    import openpyxl
    book = openpyxl.load_workbook(src)
    edit(book)
    book.save(dest)
    return dest


def sha256(path: Path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()
