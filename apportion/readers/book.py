"""Opening an input workbook: the safety checks first, then calamine (a legacy .xls in a capped child).

Nothing here raises for a bad file: calamine's errors (and its Rust panics,
which Python sees as a ``BaseException``) become issues.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from ..errors import IssueLog
from ..schema import normalise
from .content import Scan
from .isolated import open_calamine, read_sheets
from ..limits import DEFAULT_LIMITS, Limits, how_to_raise
from .safety import OLE_MAGIC, UnsafeWorkbook, check_file, workbook_part_sheet_names


def _calamine_failure(exc: BaseException) -> bool:
    """True for anything calamine may raise on a bad file; False for an interrupt, which must propagate."""
    return not isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit))


class UnreadableSheet(Exception):
    """calamine could not read a sheet (damaged XML, a panic) or it is over the row limit."""

    def __init__(self, code: str, message: str, found: str):
        self.code, self.found = code, found
        super().__init__(message)


@dataclass
class Preloaded:
    """A workbook already read whole, in the isolated child (:mod:`.isolated`): sheet name → rows."""

    sheets: dict[str, list[list]]

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheets)


def load_book(path: Path):
    """calamine's workbook — or, for an OLE file (.xls), its sheets read in a memory-capped child."""
    with path.open("rb") as fh:
        if fh.read(8) == OLE_MAGIC:
            return Preloaded(read_sheets(path))
    return open_calamine(str(path))


@dataclass
class Workbook:
    """An input workbook: its path as shown to the user and its sheets by normalised name."""

    path: Path
    display: str
    sheets: dict[str, str]  # normalised → as typed
    book: object = None
    scan: Scan = field(default_factory=Scan)
    limits: Limits = DEFAULT_LIMITS

    def rows(self, sheet: str) -> list[list]:
        """The sheet's cells from A1, one list per row (all rows as wide as the widest)."""
        if isinstance(self.book, Preloaded):
            rows = self.book.sheets[sheet]
            if len(rows) > self.limits.max_rows:
                raise UnreadableSheet("too-many-rows", _too_many_rows(self.limits), f"{len(rows):,} rows")
            return rows
        try:
            data = self.book.get_sheet_by_name(sheet)
            end = data.end
            height = end[0] + 1 if end else 0
            if height > self.limits.max_rows:
                raise UnreadableSheet("too-many-rows", _too_many_rows(self.limits), f"{height:,} rows")
            return data.to_python(skip_empty_area=False) if height else []
        except UnreadableSheet:
            raise
        except BaseException as exc:
            if not _calamine_failure(exc):
                raise
            raise UnreadableSheet("unreadable-sheet", "the sheet is damaged and cannot be read; open the file in "
                                  "Excel and save it again", f"{type(exc).__name__}: {exc}"[:200]) from None

    def head(self, sheet: str, count: int) -> list[list]:
        """The sheet's first ``count`` rows (no more is read), or none when it cannot be read: for a look at
        its headers, the sheet's problems being reported where it is read whole."""
        if isinstance(self.book, Preloaded):
            return self.book.sheets[sheet][:count]
        try:
            return self.book.get_sheet_by_name(sheet).to_python(skip_empty_area=False, nrows=count)
        except BaseException as exc:
            if not _calamine_failure(exc):
                raise
            return []

    def suspect(self, sheet: str) -> dict[str, tuple[str, str]]:
        return self.scan.suspect.get(sheet, {})


def _too_many_rows(limits: Limits) -> str:
    return "the sheet has too many rows: " + how_to_raise("max_rows", limits)


def open_workbook(path: Path, display: str, log: IssueLog, limits: Limits = DEFAULT_LIMITS) -> Workbook | None:
    """Open a workbook after the safety checks; None (with an issue) if it cannot be read."""
    try:
        scan = check_file(path, limits)
        book = load_book(path)
        names = list(book.sheet_names)
    except UnsafeWorkbook as exc:
        log.error(exc.code, str(exc), file=display, sheet=exc.sheet, expected="an Excel workbook (.xlsx)",
                  found=exc.found)
        return None
    except python_calamine.PasswordError:
        log.error("encrypted-workbook", "the workbook is password-protected; remove the password and save it",
                  file=display, expected="a workbook without a password", found="a password-protected workbook")
        return None
    except BaseException as exc:  # calamine raises several types for damaged files, and panics
        if not _calamine_failure(exc):
            raise
        log.error("unreadable-workbook", "the file cannot be read as a workbook", file=display,
                  expected="an Excel workbook (.xlsx, .xlsm, .xls or .ods)", found=f"{type(exc).__name__}: {exc}"[:200])
        return None
    sheets: dict[str, str] = {}
    for name in names:
        key = normalise(name)
        if key in sheets:
            log.error("duplicate-sheet", f"two sheets are named {name!r}", file=display, sheet=name,
                      expected="each sheet name once", found=f"{sheets[key]!r} and {name!r}")
        sheets[key] = name
    return Workbook(path, display, sheets, book, scan, limits)


def sheet_rows(wb: Workbook, sheet: str, log: IssueLog) -> list[list] | None:
    """The sheet's rows, or None (with the issue) when calamine cannot read it or it is over the row limit."""
    try:
        return wb.rows(sheet)
    except UnreadableSheet as exc:
        log.error(exc.code, str(exc), file=wb.display, sheet=sheet, expected="a readable sheet", found=exc.found)
        return None


def sheet_names(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[str] | None:
    """The sheet names of a workbook, for finding jobs; None when the file is unreadable or unsafe.

    For ``.xlsx``/``.xlsm`` only the small workbook part is read (with its
    declared size capped), so listing a folder never inflates a zip bomb; other
    formats go through the full :func:`check_file` first.
    """
    try:
        suffix = path.suffix.lower()
        if suffix in {".xlsx", ".xlsm"} and path.stat().st_size <= limits.max_file_bytes and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                return workbook_part_sheet_names(zf)
        check_file(path, limits)
        return list(load_book(path).sheet_names)
    except BaseException as exc:  # unreadable for any reason (calamine panics are BaseExceptions): the job says why
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return None
