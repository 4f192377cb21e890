"""Formatting shared by every writer: money, ratios, units, safe text and safe file names."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import pandas as pd

DANGEROUS_LEADS = ("=", "+", "-", "@", "\t", "\r")
#: characters that input text never carries into an output: the C0 controls XML 1.0 forbids in every xlsx
#: part (all but tab, LF and CR), DEL and the C1 controls a terminal obeys (ESC [ 2 J clears the screen,
#: \x9b is CSI), lone surrogates and U+FFFE/U+FFFF (no UTF-8 or XML form), and the bidirectional
#: overrides and isolates that reorder what a line shows
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
#: what a terminal line or ERRORS.txt shows escaped: the above, and tab, LF and CR, which would break the line
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """Text for any output format (xlsx cells, table columns, sheet, chart and defined names, document
    properties, CSV, .eml headers, file names): the :data:`FORBIDDEN` characters removed."""
    return FORBIDDEN.sub("", text)


def visible(text: object) -> str:
    """Text for a terminal or ERRORS.txt: every control character shown as its escape (ESC → ``\\x1b``),
    so a cell can neither clear the screen nor hide a line."""
    return CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", str(text))


def safe_text(value) -> str:
    """Text from inputs for a CSV cell: a leading = + - @ tab or CR gets a ' so no spreadsheet runs it."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    text = clean_text(str(value))
    return "'" + text if text.startswith(DANGEROUS_LEADS) else text


def cents_text(cents) -> str:
    """Cents as dollars with exactly two decimals; blank for a missing value."""
    if cents is None or cents is pd.NA or (isinstance(cents, float) and cents != cents):
        return ""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def scaled_text(value, scale: int) -> str:
    """An integer over a power-of-ten scale with exactly that many decimals (ratio 531/1000 → "0.531")."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    digits = len(str(scale)) - 1
    return f"{Decimal(int(value)) / scale:.{digits}f}"


def whole_text(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(int(value))


def short_names(names: pd.Series, limit: int = 40) -> pd.Series:
    """File-system-safe short names (letters, digits, - and _; at most ``limit``), unique within the job.

    Clashes (two names that sanitise alike, or reserved names like CON) get the district code's tail.
    """
    reserved = {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | {f"lpt{i}" for i in range(1, 10)}

    def clean(name) -> str:
        ascii_name = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode()
        text = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_name).strip("_-.")
        text = re.sub(r"_+", "_", text)[:limit].strip("_-") or "district"
        return text + "_" if text.casefold() in reserved else text

    cleaned = names.map(clean)
    seen: dict[str, int] = {}
    out = {}
    for code in sorted(names.index):
        base = cleaned[code]
        key = base.casefold()
        if key in seen:
            suffix = f"-{str(code)[-4:]}"
            base = base[: limit - len(suffix)] + suffix
            key = base.casefold()
        seen[key] = 1
        out[code] = base
    return pd.Series(out).reindex(names.index)
