"""Checks made before a workbook is parsed: size limits, zip bombs, XML entities,
and formula cells that were never calculated.

An ``.xlsx`` is a zip of XML parts. We refuse a file whose *declared*
uncompressed size is too large (a zip bomb) before inflating anything, and any
part that declares a DOCTYPE (entity expansion, external entities), so no
parser ever sees one.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Limits:
    """Configurable limits on what one input file may hold."""

    max_file_bytes: int = 200 * 2**20
    max_uncompressed_bytes: int = 2 * 2**30
    max_compression_ratio: int = 200
    max_rows: int = 5_000_000


DEFAULT_LIMITS = Limits()
ZIP_FORMATS = {".xlsx", ".xlsm", ".ods"}


class UnsafeWorkbook(Exception):
    """The file was refused before parsing; ``code`` is the issue code."""

    def __init__(self, code: str, message: str, found: str = ""):
        self.code = code
        self.found = found
        super().__init__(message)


def check_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise :class:`UnsafeWorkbook` if the file must not be parsed."""
    size = path.stat().st_size
    if size == 0:
        raise UnsafeWorkbook("empty-file", "the file is empty", "0 bytes")
    if size > limits.max_file_bytes:
        raise UnsafeWorkbook("file-too-large", f"the file is larger than the limit of {limits.max_file_bytes:,} bytes",
                             f"{size:,} bytes")
    if path.suffix.lower() not in ZIP_FORMATS:
        return
    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise UnsafeWorkbook("encrypted-workbook",
                                 "the workbook is password-protected or in the old binary format; remove the password "
                                 "and save it as an Excel workbook (.xlsx)", "an encrypted or OLE file")
        raise UnsafeWorkbook("not-a-workbook", "the file is not an Excel workbook (it is not a zip archive)",
                             f"a file starting {head[:4]!r}")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            declared = sum(i.file_size for i in infos)
            compressed = sum(i.compress_size for i in infos) or 1
            if declared > limits.max_uncompressed_bytes or declared / compressed > limits.max_compression_ratio:
                raise UnsafeWorkbook("zip-bomb", "the workbook would unpack to more than the allowed size; refused",
                                     f"{declared:,} bytes declared uncompressed")
            for info in infos:
                if info.filename.endswith((".xml", ".rels")) and info.file_size:
                    with zf.open(info) as part:
                        head = part.read(4096)
                    if re.search(rb"<!DOCTYPE|<!ENTITY", head, re.IGNORECASE):
                        raise UnsafeWorkbook("xml-entities",
                                             "the workbook declares XML entities (a DOCTYPE); refused for safety",
                                             f"a DOCTYPE in {info.filename}")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise UnsafeWorkbook("corrupt-workbook", "the workbook is damaged and cannot be read", str(exc)) from None


_SHEET = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"', re.DOTALL)
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"', re.DOTALL)
_REL_ALT = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"', re.DOTALL)
_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.DOTALL)


def uncalculated_formulas(path: Path) -> dict[str, list[str]]:
    """Cells holding a formula with no saved result, by sheet name (``.xlsx`` only).

    Such cells read as blank, which would silently change a result; the user
    must open the file in Excel and save it.
    """
    if path.suffix.lower() not in {".xlsx", ".xlsm"}:
        return {}
    out: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return {}
        rels_xml = zf.read("xl/_rels/workbook.xml.rels")
        rels = {rid: target for rid, target in _REL.findall(rels_xml)}
        rels.update({rid: target for target, rid in _REL_ALT.findall(rels_xml)})
        from html import unescape
        for name, rid in _SHEET.findall(zf.read("xl/workbook.xml")):
            target = rels.get(rid, b"").decode()
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if part not in names:
                continue
            data = zf.read(part)
            if b"<f" not in data:
                continue
            cells = [ref.decode() for ref, inner in _CELL.findall(data)
                     if inner and b"<f" in inner and b"<v" not in inner and b"<is>" not in inner]
            if cells:
                out[unescape(name.decode("utf-8"))] = cells
    return out
