"""The reader's size limits, in one place: named settings with documented defaults (docs/formats.md, Limits).

A limit stops an input that would exhaust memory or time (a zip bomb, a sheet
whose cells span the whole grid), or a cell no BOCES figure could need (a
2,000-character name). Each is a setting an IT office can raise for one run —
``apportion run --limit rows=8000000`` (repeatable, also on ``validate`` and
``watch``) or, for a scheduled task, the environment variable
``APPORTION_LIMITS="rows=8000000,file-bytes=500000000"``; ``--limit`` wins over
the environment. An input past a limit is a located error naming the limit,
its value and how to raise it (:func:`how_to_raise`).

Some settings have a ceiling no override may pass, because a larger value would
break a guarantee elsewhere: ``rows`` keeps a quantity column's sum exact in
int64 (9,000,000 rows × the 10**12 millionths a cell may hold < 2**63), and
``code-length`` keeps the output folder's name, built from the BOCES code,
under the file system's 255 bytes.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields

ENVIRONMENT = "APPORTION_LIMITS"


@dataclass(frozen=True)
class Limits:
    """What one input may hold. Each field's metadata: its setting name, meaning and ceiling."""

    max_file_bytes: int = dataclasses.field(default=200 * 2**20, metadata={
        "name": "file-bytes", "unit": "bytes", "help": "size of one workbook file"})
    max_uncompressed_bytes: int = dataclasses.field(default=2 * 2**30, metadata={
        "name": "unpacked-bytes", "unit": "bytes", "help": "size of one workbook's parts once unzipped"})
    max_compression_ratio: int = dataclasses.field(default=200, metadata={
        "name": "compression-ratio", "unit": "", "help": "unzipped size ÷ file size, past 16 MiB unzipped"})
    #: below this much XML a high ratio is harmless (empty styles compress well); not a setting
    ratio_floor_bytes: int = 16 * 2**20
    max_zip_entries: int = dataclasses.field(default=10_000, metadata={
        "name": "zip-parts", "unit": "parts", "help": "parts (files) inside one workbook"})
    max_rows: int = dataclasses.field(default=5_000_000, metadata={
        "name": "rows", "unit": "rows", "help": "rows of one sheet", "ceiling": 9_000_000})
    max_cells: int = dataclasses.field(default=50_000_000, metadata={
        "name": "cells", "unit": "cells", "help": "cells of one sheet's used area (rows × columns from A1)"})
    code_length: int = dataclasses.field(default=40, metadata={
        "name": "code-length", "unit": "characters", "help": "a code cell (BOCES, service, contract)",
        "ceiling": 100})
    text_length: int = dataclasses.field(default=200, metadata={
        "name": "text-length", "unit": "characters", "help": "a name or other text cell", "ceiling": 1_000})
    issues_per_code: int = dataclasses.field(default=100, metadata={
        "name": "issues-per-code", "unit": "issues",
        "help": "issues of one code listed (issues.csv, ERRORS.txt, the Issues sheet, the terminal) before "
                "one line '… and K more'"})


DEFAULT_LIMITS = Limits()
#: setting name → the dataclass field
SETTINGS = {f.metadata["name"]: f for f in fields(Limits) if "name" in f.metadata}


def setting_name(attribute: str) -> str:
    """``max_rows`` → ``rows``."""
    return next(name for name, f in SETTINGS.items() if f.name == attribute)


def how_to_raise(attribute: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """The words every over-the-limit error ends with: the limit's name, its value and how to raise it."""
    name = setting_name(attribute)
    value = getattr(limits, attribute)
    unit = SETTINGS[name].metadata["unit"]
    return (f"the limit {name} is {value:,}{' ' + unit if unit else ''}; if the input is right, raise it with "
            f"--limit {name}=N (or {ENVIRONMENT}={name}=N)")


def parse_limits(pairs: list[str] | tuple[str, ...], environment: str | None = None,
                 base: Limits = DEFAULT_LIMITS) -> Limits:
    """``base`` with the settings of ``environment`` (``name=N,name=N``), then of ``pairs``, applied.

    Raises ValueError naming the bad setting: an unknown name, a value that is not a whole number of 1 or
    more, or one past its ceiling.
    """
    given: list[str] = [p for p in (environment or "").split(",") if p.strip()] + list(pairs)
    changes = {}
    for pair in given:
        name, sep, text = pair.partition("=")
        name = name.strip().lower()
        if not sep or name not in SETTINGS:
            raise ValueError(f"{pair.strip()!r}: expected NAME=N with NAME one of {', '.join(SETTINGS)}")
        digits = text.strip().replace("_", "").replace(",", "")
        if not (digits.isascii() and digits.isdigit()) or int(digits) < 1:
            raise ValueError(f"{pair.strip()!r}: the value of {name} must be a whole number, 1 or more")
        value, f = int(digits), SETTINGS[name]
        ceiling = f.metadata.get("ceiling")
        if ceiling is not None and value > ceiling:
            raise ValueError(f"{pair.strip()!r}: {name} cannot be more than {ceiling:,}")
        changes[f.name] = value
    return dataclasses.replace(base, **changes)


def limits_from_environment(pairs: list[str] | tuple[str, ...] = ()) -> Limits:
    """The limits of this run: the defaults, then ``APPORTION_LIMITS``, then ``--limit`` (``pairs``)."""
    return parse_limits(pairs, os.environ.get(ENVIRONMENT))


def table() -> list[tuple[str, str, str, str]]:
    """(setting, default, what it limits, ceiling) for the docs."""
    return [(name, f"{f.default:,}", f.metadata["help"] + (f" ({f.metadata['unit']})" if f.metadata["unit"] else ""),
             f"{f.metadata['ceiling']:,}" if "ceiling" in f.metadata else "") for name, f in SETTINGS.items()]
