"""Open input workbooks with calamine and turn their sheets into typed tables.

Forgiving on form — sheet names and headers match ignoring case and spaces,
columns in any order, extra columns and sheets noted, blank rows skipped, the
header row found within the first rows — and strict on meaning: each cell that
does not fit becomes an issue naming file, sheet, A1 cell and header as typed.

Nothing here raises for a bad file: calamine's errors (and its Rust panics,
which Python sees as a ``BaseException``) become issues.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine

from ..errors import IssueLog
from ..schema import BOCES_ITEMS, TableSheet, normalise
from . import coerce
from .isolated import read_sheets
from .safety import DEFAULT_LIMITS, OLE_MAGIC, Limits, Scan, UnsafeWorkbook, check_file

HEADER_SEARCH_ROWS = 10
EXPECTED = {
    "money": "dollars in whole cents, 0 or more",
    "signed money": "dollars in whole cents",
    "quantity": "a number, 0 or more",
    "code": "a 12-digit BEDS code",
    "yesno": "yes or no",
    "date": "a date (e.g. 2026-03-04)",
    "emails": "email addresses separated by ;",
    "email": "one email address",
}
#: issue code for a refused number cell, by field kind and by :func:`coerce.why_not_scaled`
NUMBER_CODES = {
    "money": {"not-a-number": "not-money", "too-precise": "fraction-of-cent", "too-large": "number-too-large"},
    "quantity": {"not-a-number": "not-a-number", "too-precise": "too-many-decimals", "too-large": "number-too-large"},
}
NUMBER_MESSAGES = {"fraction-of-cent": "the amount is not a whole number of cents",
                   "too-many-decimals": "the number has more than six decimals",
                   "number-too-large": "the number is too large to be right"}
KIND_CODES = {"code": "bad-district-code", "choice": "unknown-choice", "yesno": "not-yes-no", "date": "not-a-date",
              "emails": "bad-email", "email": "bad-email"}
SUSPECT_MESSAGES = {
    "formula-without-value": "the cell holds a formula that was never calculated; open the file in Excel and save it",
    "excel-error": "the cell shows an Excel error; correct the formula or type the value",
}


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_A1 = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


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
    return python_calamine.CalamineWorkbook.from_path(str(path))


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
                raise UnreadableSheet("too-many-rows", f"the sheet has more rows than the limit of "
                                      f"{self.limits.max_rows:,}", f"{len(rows):,} rows")
            return rows
        try:
            data = self.book.get_sheet_by_name(sheet)
            end = data.end
            height = end[0] + 1 if end else 0
            if height > self.limits.max_rows:
                raise UnreadableSheet("too-many-rows", f"the sheet has more rows than the limit of "
                                      f"{self.limits.max_rows:,}", f"{height:,} rows")
            return data.to_python(skip_empty_area=False) if height else []
        except UnreadableSheet:
            raise
        except BaseException as exc:
            if not _calamine_failure(exc):
                raise
            raise UnreadableSheet("unreadable-sheet", "the sheet is damaged and cannot be read; open the file in "
                                  "Excel and save it again", f"{type(exc).__name__}: {exc}"[:200]) from None

    def suspect(self, sheet: str) -> dict[str, tuple[str, str]]:
        return self.scan.suspect.get(sheet, {})


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


def _sheet_rows(wb: Workbook, sheet: str, log: IssueLog) -> list[list] | None:
    try:
        return wb.rows(sheet)
    except UnreadableSheet as exc:
        log.error(exc.code, str(exc), file=wb.display, sheet=sheet, expected="a readable sheet", found=exc.found)
        return None


@dataclass
class Table:
    """A table sheet read and typed. ``frame`` is indexed by Excel row number."""

    spec: TableSheet
    file: str
    sheet: str
    frame: pd.DataFrame
    letters: dict[str, str]  # field key → column letter
    headers: dict[str, str]  # field key → header as typed

    def where(self, key: str, row: int | None = None) -> dict[str, str]:
        """Location keywords for an issue about column ``key`` (at ``row``)."""
        letter = self.letters.get(key, "")
        cell = f"{letter}{row}" if (letter and row is not None) else ""
        return {"file": self.file, "sheet": self.sheet, "cell": cell,
                "column": self.headers.get(key, self.spec.field(key).header)}

    def present(self, key: str) -> bool:
        return key in self.letters


def _find_header(rows: list[list], spec: TableSheet) -> int | None:
    """The row (0-based) among the first few naming the most of the sheet's columns (a title above is skipped)."""
    known = {f.norm for f in spec.fields}
    best, best_count = None, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        count = len({normalise(v) for v in row if isinstance(v, str)} & known)
        if count > best_count:
            best, best_count = i, count
    return best


def _body(rows: list[list], start: int, columns: dict[str, int]) -> pd.DataFrame:
    """The cells below the header, one object column per field, indexed by Excel row number."""
    body = rows[start:]
    index = pd.RangeIndex(start + 1, start + 1 + len(body))
    if not columns:
        return pd.DataFrame(index=index)
    width = max(columns.values()) + 1
    if body and len(body[0]) >= width:
        grid = np.empty((len(body), len(body[0])), dtype=object)
        try:
            grid[:] = body  # calamine's rows are all equally wide: one C-level copy
            return pd.DataFrame({key: grid[:, j] for key, j in columns.items()}, index=index, dtype=object)
        except ValueError:  # ragged rows (not from calamine): take them one by one
            pass
    return pd.DataFrame({key: [r[j] if j < len(r) else None for r in body] for key, j in columns.items()},
                        index=index, dtype=object)


def read_table(wb: Workbook, spec: TableSheet, log: IssueLog) -> Table | None:
    """Read one table sheet; every problem goes to ``log``. None if the sheet is unusable."""
    sheet = wb.sheets[spec.norm]
    where = {"file": wb.display, "sheet": sheet}
    rows = _sheet_rows(wb, sheet, log)
    if rows is None:
        return None
    header_at = _find_header(rows, spec)
    if header_at is None:
        expected = ", ".join(f.header for f in spec.fields if f.required)
        found = ", ".join(str(v) for v in (rows[0] if rows else []) if v not in (None, "")) or "an empty sheet"
        log.error("missing-header-row", f"no header row naming the sheet's columns in the first {HEADER_SEARCH_ROWS} rows",
                  **where, cell="A1", expected=f"headers including {expected}", found=found[:200])
        return None
    header = rows[header_at]
    letters, headers, columns = _match_headers(header, header_at, spec, where, log)
    raw = _body(rows, header_at + 1, columns)
    blank = {k: coerce.is_blank(raw[k]) for k in raw.columns}
    if blank:
        keep = ~np.logical_and.reduce(list(blank.values()))
        raw = raw[keep]
        blank = {k: b[keep] for k, b in blank.items()}
    table = Table(spec, wb.display, sheet, pd.DataFrame(index=raw.index), letters, headers)
    suspect = _suspect_by_column(wb.suspect(sheet), letters, header_at + 1)
    for key, cells in suspect.items():
        for row, (code, found) in cells.items():
            log.error(code, SUSPECT_MESSAGES[code], **table.where(key, row), expected="a value", found=found)
    table.frame = pd.DataFrame({f.key: _typed(raw[f.key], blank[f.key], f, table, log, set(suspect.get(f.key, ())))
                                for f in spec.fields if f.key in raw.columns}, index=raw.index)
    _check_unique(table, spec.unique, log)
    return table


def _match_headers(header: list, header_at: int, spec: TableSheet, where: dict, log: IssueLog):
    """Field key → (column letter, header as typed, 0-based column); extra and missing columns become issues."""
    by_norm = {f.norm: f for f in spec.fields}
    letters, headers, columns = {}, {}, {}
    extras = []
    for j, value in enumerate(header):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        f = by_norm.get(normalise(value))
        if f is None:
            extras.append(str(value))
            continue
        if f.key in letters:
            log.error("duplicate-column", f"the column {f.header!r} appears twice", **where,
                      cell=f"{column_letter(j)}{header_at + 1}", column=str(value),
                      expected="each column once", found=f"also in column {letters[f.key]}")
            continue
        letters[f.key], headers[f.key], columns[f.key] = column_letter(j), str(value), j
    if extras:
        log.note("extra-columns", "columns not used: " + ", ".join(extras), **where)
    typed = ", ".join(str(v) for v in header if v not in (None, ""))
    for f in spec.fields:
        if f.required and f.key not in letters:
            log.error("missing-column", f"the required column {f.header!r} is missing", **where,
                      cell=f"A{header_at + 1}", column=f.header, expected=f"a column headed {f.header!r}",
                      found=f"headers: {typed}"[:300])
    return letters, headers, columns


def _suspect_by_column(cells: dict[str, tuple[str, str]], letters: dict[str, str],
                       first_row: int) -> dict[str, dict[int, tuple[str, str]]]:
    """Suspect cells below the header, by field key → Excel row (cells outside the table are not read)."""
    key_of = {letter: key for key, letter in letters.items()}
    out: dict[str, dict[int, tuple[str, str]]] = {}
    for ref, what in cells.items():
        m = _A1.match(ref)
        if m and m.group(1) in key_of and int(m.group(2)) > first_row:
            out.setdefault(key_of[m.group(1)], {})[int(m.group(2))] = what
    return out


def _typed(raw: pd.Series, blank: np.ndarray, f, table: Table, log: IssueLog, skip: set[int]) -> pd.Series:
    """One column typed; bad cells, negatives and blanks in required columns become issues.

    ``blank`` marks its blank cells; ``skip`` holds rows already reported (an
    uncalculated formula or an Excel error reads as blank).
    """
    kind = f.kind
    if kind in coerce.SCALES:
        typed, bad = coerce.to_scaled(raw, coerce.SCALES[kind])
    elif kind == "code":
        typed, bad = coerce.to_code(raw)
    elif kind in ("key", "text"):
        typed, bad = coerce.to_text(raw)
    elif kind == "choice":
        typed, bad = coerce.to_choice(raw, f.choices)
    elif kind == "yesno":
        typed, bad = coerce.to_yesno(raw)
    elif kind == "date":
        typed, bad = coerce.to_date(raw)
    elif kind == "emails":
        typed, bad = coerce.to_emails(raw)
    else:  # pragma: no cover - schema and reader move together
        raise ValueError(kind)
    expected = EXPECTED.get(kind) or (" / ".join(f.choices) if f.choices else "text")
    for row, value in bad.items():
        code, message = _refusal(f, value)
        log.error(code, message, **table.where(f.key, row), expected=expected, found=coerce.describe(value))
    if kind in ("money", "quantity"):
        negative = typed.to_numpy(dtype=np.int64, na_value=0) < 0
        for row in typed.index[negative]:
            log.error("negative-value", f"{f.header!r} cannot be negative", **table.where(f.key, row),
                      expected=expected, found=coerce.describe(raw[row]))
    if f.required:
        for row in typed.index[blank]:
            if row not in skip:
                log.error("missing-value", f"{f.header!r} is required", **table.where(f.key, row),
                          expected=expected, found="a blank cell")
    return typed


def _refusal(f, value) -> tuple[str, str]:
    """The issue code and message for a cell of field ``f`` that does not fit."""
    if f.kind in coerce.SCALES:
        code = NUMBER_CODES["quantity" if f.kind == "quantity" else "money"][
            coerce.why_not_scaled(value, coerce.SCALES[f.kind])]
        return code, NUMBER_MESSAGES.get(code, f"the value does not fit {f.header!r}")
    if f.kind in ("emails", "email"):
        return "bad-email", f"not an email address the mail standards allow: {coerce.why_not_emails(value)}"
    return KIND_CODES.get(f.kind, "bad-value"), f"the value does not fit {f.header!r}"


def _check_unique(table: Table, keys: tuple[str, ...], log: IssueLog) -> None:
    """A second row with the same code (or code pair) is an error at the second row, naming the first."""
    if not keys or not all(k in table.frame.columns for k in keys) or table.frame.empty:
        return
    frame = table.frame[list(keys)]
    group = np.zeros(len(frame), dtype=np.int64)
    for k in keys:  # one integer per distinct key tuple; a blank code (-1) never clashes
        codes, uniques = pd.factorize(frame[k].to_numpy(dtype=object))
        group = np.where((codes < 0) | (group < 0), -1, group * (len(uniques) + 1) + codes)
    _, first, inverse = np.unique(group, return_index=True, return_inverse=True)
    first_at = first[inverse]
    dup = (group >= 0) & (first_at != np.arange(len(group)))
    rows = frame.index.to_numpy()
    for i in np.flatnonzero(dup):
        value = " / ".join(str(frame.iat[i, j]) for j in range(len(keys)))
        log.error("duplicate-code", f"{value} appears more than once", **table.where(keys[-1], int(rows[i])),
                  expected="each code once", found=f"{value} again (first at row {rows[first_at[i]]})")


# --- the BOCES sheet: Item | Value ---------------------------------------------------

@dataclass
class Items:
    """The BOCES sheet: values by item key, and where each was found."""

    file: str
    sheet: str
    values: dict[str, object]
    cells: dict[str, str]
    labels: dict[str, str]

    def where(self, key: str) -> dict[str, str]:
        f = next(i for i in BOCES_ITEMS if i.key == key)
        return {"file": self.file, "sheet": self.sheet, "cell": self.cells.get(key, ""),
                "column": self.labels.get(key, f.header)}


def read_items(wb: Workbook, log: IssueLog) -> Items:
    """Read the two-column BOCES sheet; items are matched by name in any row order."""
    sheet = wb.sheets["boces"]
    where = {"file": wb.display, "sheet": sheet}
    items = Items(wb.display, sheet, {}, {}, {})
    rows = _sheet_rows(wb, sheet, log)
    if rows is None:
        return items
    by_norm = {f.norm: f for f in BOCES_ITEMS}
    raw_values, unknown = {}, []
    suspect = wb.suspect(sheet)
    for i, row in enumerate(rows):
        label_col = next((j for j, v in enumerate(row) if v not in (None, "")), None)
        if label_col is None:
            continue
        label = row[label_col]
        f = by_norm.get(normalise(label))
        if f is None:
            if normalise(label) != "item":  # the optional "Item | Value" header row
                unknown.append(str(label))
            continue
        value = row[label_col + 1] if label_col + 1 < len(row) else None
        cell = f"{column_letter(label_col + 1)}{i + 1}"
        if f.key in items.cells:
            log.error("duplicate-item", f"the item {f.header!r} appears twice", **where, cell=cell, column=str(label),
                      expected="each item once", found=f"also at {items.cells[f.key]}")
            continue
        items.cells[f.key], items.labels[f.key] = cell, str(label)
        if cell in suspect:
            code, found = suspect[cell]
            log.error(code, SUSPECT_MESSAGES[code], **items.where(f.key), expected="a value", found=found)
            continue  # reported once; the item reads as absent
        raw_values[f.key] = value
    if unknown:
        log.note("extra-items", "items not used: " + ", ".join(unknown), **where)
    for f in BOCES_ITEMS:
        value = raw_values.get(f.key)
        blank = value is None or (isinstance(value, str) and not value.strip())
        if blank:
            if f.required and not (f.key in items.cells and items.cells[f.key] in suspect):
                log.error("missing-item", f"the item {f.header!r} is required", **(items.where(f.key) | (
                    {} if f.key in items.cells else {"cell": ""})),
                          expected=f"a row {f.header!r} with its value",
                          found="nothing" if f.key not in items.cells else "a blank cell")
            items.values[f.key] = f.default
            continue
        items.values[f.key] = _item_value(f, value, items, log)
    return items


def _item_value(f, value, items: Items, log: IssueLog):
    """Type one BOCES item; an unfit value is an error and yields the default."""
    from ..years import SchoolYear
    expected = EXPECTED.get(f.kind) or (" / ".join(f.choices) if f.choices else "text")
    if f.kind == "year":
        try:
            return SchoolYear.parse(value)
        except ValueError:
            log.error("bad-school-year", "the school year is not like 2026-27", **items.where(f.key),
                      expected="a school year like 2026-27", found=coerce.describe(value))
            return None
    if f.kind == "fraction":
        d = coerce.to_fraction_value(value, percent=f.unit == "percent")
        if d is None or d < 0:
            log.error("not-a-number", f"{f.header!r} must be a number, 0 or more", **items.where(f.key),
                      expected="a number, 0 or more", found=coerce.describe(value))
            return f.default
        return d
    result = coerce.convert_value(f.kind, value, f.choices)
    if result is coerce.BAD or result is None:
        code, message = _refusal(f, value)
        code = "bad-item" if code in KIND_CODES.values() or code == "bad-value" else code
        log.error(code, f"the value of {f.header!r} does not fit" if code == "bad-item" else message,
                  **items.where(f.key), expected=expected, found=coerce.describe(value))
        return f.default
    if f.kind == "money" and int(result) < 0:
        log.error("negative-value", f"{f.header!r} cannot be negative", **items.where(f.key), expected=expected,
                  found=coerce.describe(value))
        return f.default
    return int(result) if f.kind.endswith("money") else result
