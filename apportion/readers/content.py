"""Cells whose value cannot be trusted: a formula never calculated (no saved result, or a
workbook that asks to be recalculated on open, as files written by xlsxwriter and openpyxl
do) and an Excel error value such as ``#DIV/0!``. Such a cell would silently read as blank
or stale, so the readers report it instead of its value.

:func:`suspect_cells` runs inside the safety scan's single pass over the parts
(:func:`.safety.check_file`); the table and item readers turn its findings into issues.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from html import unescape

SUSPECT_MESSAGES = {
    "formula-without-value": "the cell holds a formula that was never calculated; open the file in Excel and save it",
    "excel-error": "the cell shows an Excel error; correct the formula or type the value",
}


@dataclass
class Scan:
    """What the pre-parse pass learnt: cells not to trust, by sheet name → A1 cell → (issue code, found)."""

    suspect: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)


def recalculates_on_open(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """Files written by xlsxwriter or openpyxl ask Excel to recalculate on open: their saved results are placeholders."""
    book = next((n for n in sorted(names) if n.endswith("workbook.xml")), None)
    return book is not None and re.search(rb'fullCalcOnLoad="(1|true)"', zf.read(book)) is not None


_CELL = re.compile(rb"<(\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]+)</", re.DOTALL)


def suspect_cells(data: bytes, recalc: bool) -> dict[str, tuple[str, str]]:
    """Cells with an uncalculated formula or an Excel error value, by A1 reference."""
    if b"f>" not in data and b't="e"' not in data:  # "f>" ends <f>…</f> and <x:f>…</x:f>: one fast pass
        return {}
    out: dict[str, tuple[str, str]] = {}
    for _, attrs, inner in _CELL.findall(data):
        ref = _REF.search(attrs)
        if ref is None:
            continue
        typ = _TYPE.search(attrs)
        typ = typ.group(1) if typ else b"n"
        value = _VALUE.search(inner or b"")
        formula = re.search(rb"<(?:\w+:)?f[ >/]", inner or b"") is not None
        if typ == b"e":
            shown = unescape(value.group(1).decode("utf-8", errors="replace")) if value else "an error"
            out[ref.group(1).decode()] = ("excel-error", f"the Excel error {shown}")
        elif formula and (recalc or (value is None and typ not in (b"str", b"inlineStr"))):
            out[ref.group(1).decode()] = ("formula-without-value", "an uncalculated formula")
    return out
