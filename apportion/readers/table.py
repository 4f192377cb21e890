"""Reading a table sheet into a typed frame.

Forgiving on form — headers match ignoring case and spaces, columns in any
order, extra columns noted, blank rows skipped, the header row found within the
first rows — and strict on meaning: each cell that does not fit becomes an
issue naming file, sheet, A1 cell and header as typed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import IssueLog
from ..exact import MONEY_TOTAL_BOUND, big, dollars_text
from ..limits import DEFAULT_LIMITS, Limits, how_to_raise
from ..schema import TableSheet, column_letter, normalise
from ..textsafe import clean_text, visible
from . import coerce
from .book import Workbook, sheet_rows
from .content import SUSPECT_MESSAGES

HEADER_SEARCH_ROWS = 10

#: issue code for a refused number cell, by field kind and by :func:`coerce.why_not_scaled`
from .names import near_miss
NUMBER_CODES = {
    "money": {"not-a-number": "not-money", "too-precise": "fraction-of-cent", "too-large": "number-too-large"},
    "quantity": {"not-a-number": "not-a-number", "too-precise": "too-many-decimals", "too-large": "number-too-large"},
}

NUMBER_MESSAGES = {"fraction-of-cent": "the amount is not a whole number of cents",
                   "too-many-decimals": "the number has more than six decimals",
                   "number-too-large": "the number is too large to be right"}

KIND_CODES = {"code": "bad-district-code", "choice": "unknown-choice", "yesno": "not-yes-no", "date": "not-a-date",
              "quarter": "not-a-quarter", "emails": "bad-email", "email": "bad-email"}

_A1 = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


@dataclass
class Table:
    """A table sheet read and typed. ``frame`` is indexed by Excel row number."""

    spec: TableSheet
    file: str
    sheet: str
    frame: pd.DataFrame
    letters: dict[str, str]  # field key → column letter
    headers: dict[str, str]  # field key → header as typed
    header_row: int = 1  # Excel row of the headers
    limits: Limits = DEFAULT_LIMITS

    def where(self, key: str, row: int | None = None) -> dict[str, str]:
        """Location keywords for an issue about column ``key`` at ``row`` — or, without a row, about the whole
        column: its header cell, or the start of the header row when the column is absent."""
        letter = self.letters.get(key, "")
        if row is None:
            cell = f"{letter or 'A'}{self.header_row}"
        else:
            cell = f"{letter}{row}" if letter else f"A{self.header_row}"
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


def headers_fit(rows: list[list], spec: TableSheet) -> int:
    """How many of ``spec``'s headers the header row among ``rows`` names, when it names every required one
    and at least two (0 otherwise): a sheet saved under another name (an export's ``Sheet1``) is known by them."""
    at = _find_header(rows, spec)
    if at is None:
        return 0
    named = {normalise(v) for v in rows[at] if isinstance(v, str)}
    count = len(named & {f.norm for f in spec.fields})
    return count if count >= 2 and all(f.norm in named for f in spec.fields if f.required) else 0


def _columns(rows: list[list], start: int, columns: dict[str, int]) -> dict[str, np.ndarray]:
    """The cells below the header (from 0-based row ``start``), one contiguous object array per field."""
    body = rows[start:]
    if not columns:
        return {}
    width = max(columns.values()) + 1
    if body and len(body[0]) >= width:
        grid = np.empty((len(body), len(body[0])), dtype=object)
        try:
            grid[:] = body  # calamine's rows are all equally wide: one C-level copy
            return {key: grid[:, j].copy() for key, j in columns.items()}
        except ValueError:  # ragged rows (not from calamine): take them one by one
            pass
    return {key: np.fromiter((r[j] if j < len(r) else None for r in body), dtype=object, count=len(body))
            for key, j in columns.items()}


def read_table(wb: Workbook, spec: TableSheet, log: IssueLog) -> Table | None:
    """Read one table sheet; every problem goes to ``log``. None if the sheet is unusable."""
    sheet = wb.sheets[spec.norm]
    where = {"file": wb.display, "sheet": sheet}
    rows = sheet_rows(wb, sheet, log)
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
    letters, headers, columns = _match_headers(header, header_at, spec, where, log,
                                               _empty_known(rows, header_at, spec))
    _check_unheaded(rows, header_at, where, log)
    # each column grouped by distinct value once: blanks, conversions and checks then work per value
    cells = {key: coerce.Cells(values) for key, values in _columns(rows, header_at + 1, columns).items()}
    index = pd.RangeIndex(header_at + 2, len(rows) + 1)  # Excel row numbers
    if cells:
        keep = ~np.logical_and.reduce([c.blank for c in cells.values()])
        index = index[keep]
        if not keep.all():
            cells = {key: c.take(keep) for key, c in cells.items()}
    table = Table(spec, wb.display, sheet, pd.DataFrame(index=index), letters, headers, header_at + 1, wb.limits)
    suspect = _suspect_by_column(wb.suspect(sheet), letters, header_at + 1)
    for key, found_at in suspect.items():
        for row, (code, found) in found_at.items():
            log.error(code, SUSPECT_MESSAGES[code], **table.where(key, row), expected="a value", found=found)
    table.frame = pd.DataFrame({f.key: _typed(cells[f.key], index, f, table, log, set(suspect.get(f.key, ())))
                                for f in spec.fields if f.key in cells}, index=index, copy=False)
    _check_unique(table, spec.unique, log)
    return table


def _empty_known(rows: list[list], header_at: int, spec: TableSheet) -> set[str]:
    """The known columns headed exactly but holding no value, when the sheet also has an unknown header:
    a template's empty column beside the user's own header for the same values ("Prior units" left empty,
    "Prior year units" filled in) — looked at only then, so a sheet of known headers costs nothing."""
    header = rows[header_at]
    known = {f.norm: f.key for f in spec.fields}
    named = [(j, normalise(v)) for j, v in enumerate(header) if not _nameless(v)]
    if all(norm in known for _, norm in named):
        return set()
    exact = {known[norm]: j for j, norm in named if norm in known}
    return {key for key, values in _columns(rows, header_at + 1, exact).items() if coerce.is_blank(values).all()}


def _match_headers(header: list, header_at: int, spec: TableSheet, where: dict, log: IssueLog,
                   empty: set[str] = frozenset()):
    """Field key → (column letter, header as typed, 0-based column); near-miss, unknown and missing columns
    become issues.

    A near miss of an absent column (:mod:`.names`) — or of one headed exactly but
    left empty (``empty``) — is an error, and the cells of an absent one's near miss
    are still read as that column so the one pass reports them too; any other
    unknown header is a warning at its cell.
    """
    by_norm = {f.norm: f for f in spec.fields}
    letters, headers, columns = {}, {}, {}
    unknown = []
    for j, value in enumerate(header):
        if _nameless(value):
            continue
        f = by_norm.get(normalise(value))
        if f is None:
            unknown.append((j, value))
            continue
        if f.key in letters:
            log.error("duplicate-column", f"the column {f.header!r} appears twice", **where,
                      cell=f"{column_letter(j)}{header_at + 1}", column=str(value),
                      expected="each column once", found=f"also in column {letters[f.key]}")
            continue
        letters[f.key], headers[f.key], columns[f.key] = column_letter(j), str(value), j
    absent = [f for f in spec.fields if f.key not in letters or f.key in empty]
    for j, value in unknown:
        cell = f"{column_letter(j)}{header_at + 1}"
        f = near_miss(value, absent, lambda f: f.header)
        if f is None:
            log.warning("unknown-column", **where, cell=cell, column=str(value),
                        expected="a column of the " + spec.name + " sheet", found=str(value))
            continue
        log.error("near-miss-column", **where, cell=cell, column=str(value), known=f.header,
                  expected=f"a column headed {f.header!r}" if f.key not in letters else
                  f"the values under {f.header!r} ({letters[f.key]}{header_at + 1}), which is empty", found=str(value))
        if f.key not in letters:
            letters[f.key], headers[f.key], columns[f.key] = column_letter(j), str(value), j
    typed = ", ".join(str(v) for v in header if v not in (None, ""))
    for f in spec.fields:
        if f.required and f.key not in letters:
            log.error("missing-column", f"the required column {f.header!r} is missing", **where,
                      cell=f"A{header_at + 1}", column=f.header, expected=f"a column headed {f.header!r}",
                      found=f"headers: {typed}"[:300])
    return letters, headers, columns


def _nameless(header) -> bool:
    """A header cell that names nothing: blank, or without a letter once invisible characters are gone
    (``-``, ``?``, ``0``, a zero-width space) — its values are unheaded, never an unknown column."""
    return header is None or not re.search(r"[^\W\d_]", clean_text(str(header)))


def _check_unheaded(rows: list[list], header_at: int, where: dict, log: IssueLog) -> None:
    """Values under a blank header cell are an error at the header cell: a header deleted or moved away
    leaves its values unread, so the column's default would apply without a word."""
    header = rows[header_at]
    width = max(map(len, rows), default=0)
    blank_headers = {f"_{j}": j for j in range(width)
                     if j >= len(header) or _nameless(header[j])}
    if not blank_headers:
        return
    body = _columns(rows, header_at + 1, blank_headers)
    for key, j in blank_headers.items():
        filled = np.flatnonzero(~coerce.is_blank(body[key]))
        if len(filled):
            first = f"{column_letter(j)}{header_at + 2 + filled[0]}"
            log.error("unheaded-column", **where, cell=f"{column_letter(j)}{header_at + 1}", column="",
                      first=first, count=len(filled), expected="a header above every column of values",
                      found=f"{len(filled)} value(s) from {first}, no header")


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


def _typed(cells: coerce.Cells, index: pd.Index, f, table: Table, log: IssueLog, skip: set[int]) -> pd.Series:
    """One column typed; bad cells, negatives and blanks in required columns become issues.

    ``cells`` are its raw cells at the Excel rows ``index``; ``skip`` holds rows
    already reported (an uncalculated formula or an Excel error reads as blank).
    Work is on arrays by position; an issue's row is looked up only when it is
    reported.
    """
    kind = f.kind
    values, rows = cells.values, index.to_numpy()
    limit = coerce.text_limit(kind, f.key, table.limits) if kind in ("key", "text") else 0
    typed, bad = coerce.typed_cells(kind, cells, f.choices, limit)

    def at(i) -> dict[str, str]:
        return table.where(f.key, int(rows[i]))
    if kind in ("key", "text"):
        for i in log.room("warning", "control-characters", np.flatnonzero(coerce.cleaned(cells))):
            log.warning("control-characters", **at(i), expected="printable text", found=visible(values[i])[:200])
    expected = f.expected
    said: dict = {}  # a value's refusal worked out once: a million bad cells repeat a few values
    for i in np.flatnonzero(bad):
        value = values[i]
        key = (type(value), value)
        if key not in said:
            said[key] = refusal(f, value, table.limits)
        code, message = said[key]
        if log.room("error", code, [i]):  # past the cap only counted: no location built
            log.error(code, message, **at(i), expected=expected, found=coerce.describe(value))
    scaled = typed.to_numpy(dtype=np.int64, na_value=0) if kind in coerce.SCALES else None
    if kind in ("money", "quantity"):
        for i in log.room("error", "negative-value", np.flatnonzero(scaled < 0)):
            log.error("negative-value", f"{f.header!r} cannot be negative", **at(i),
                      expected=expected, found=coerce.describe(values[i]))
        if f.whole:  # a count of people or districts: 5.5 staff would charge for half a person
            for i in log.room("error", "not-whole", np.flatnonzero(scaled % coerce.SCALES[kind] != 0)):
                log.error("not-whole", f"{f.header!r} counts people or districts: a whole number",
                          **at(i), expected=expected, found=coerce.describe(values[i]))
    if kind in ("money", "signed money"):
        _check_total(scaled, rows, f, table, log)
    if f.required:
        # a text that is empty once its invisible and control characters are removed is as blank as a blank
        emptied = pd.isna(typed) & ~cells.blank & ~bad
        missing = cells.blank | emptied
        if skip:
            missing &= ~np.isin(rows, list(skip))
        for i in log.room("error", "missing-value", np.flatnonzero(missing)):
            log.error("missing-value", f"{f.header!r} is required", **at(i), expected=expected,
                      found=f"only invisible characters: {visible(values[i])[:100]}" if emptied[i] else "a blank cell")
    return coerce.typed_series(typed, index)


def _check_total(scaled: np.ndarray, rows: np.ndarray, f, table: Table, log: IssueLog) -> None:
    """A money column's cells are summed over the sheet (per service, per district, in all): their magnitudes
    may add up to at most :data:`~apportion.exact.MONEY_TOTAL_BOUND`, so no sum wraps int64 — one error at the
    cell where the running total passes it."""
    cents = np.abs(scaled)
    running = np.cumsum(cents)  # exact up to the first row past the bound: a cell adds at most MONEY_BOUND
    past = running > MONEY_TOTAL_BOUND
    if not past.any():
        return
    first = int(np.argmax(past))
    log.error("column-total-too-large", f"the amounts of {f.header!r} add up to more than "
              f"{dollars_text(MONEY_TOTAL_BOUND)} by this row; a cell is mistyped or the sheet pasted too often",
              **table.where(f.key, int(rows[first])), expected=f"a column total up to "
              f"{dollars_text(MONEY_TOTAL_BOUND)}", found=f"{dollars_text(int(big(cents).sum()))} in all, "
              f"{dollars_text(int(running[first]))} by this row")


def refusal(f, value, limits: Limits = DEFAULT_LIMITS) -> tuple[str, str]:
    """The issue code and message for a cell of field ``f`` that does not fit (under ``limits``)."""
    if f.kind in coerce.SCALES:
        scale = coerce.SCALES[f.kind]
        why = coerce.why_not_scaled(value, scale)
        code = NUMBER_CODES["quantity" if f.kind == "quantity" else "money"][why]
        if why == "too-large":
            return code, coerce.too_large(scale)
        return code, coerce.number_problem(value, scale) or NUMBER_MESSAGES.get(code, f"the value does not fit {f.header!r}")
    if f.kind in ("key", "text"):
        return "text-too-long", f"{f.header!r} is too long: " + how_to_raise(coerce.text_limit_name(f.kind, f.key), limits)
    if f.kind in ("emails", "email"):
        return "bad-email", f"not an email address the mail standards allow: {coerce.why_not_emails(value)}"
    if f.kind == "date":
        return "not-a-date", coerce.date_problem(value) or f"the value does not fit {f.header!r}"
    return KIND_CODES.get(f.kind, "bad-value"), f"the value does not fit {f.header!r}"


def _check_unique(table: Table, keys: tuple[str, ...], log: IssueLog) -> None:
    """A second row with the same code (or code pair) is an error at the second row, naming the first.

    A text key (a Staff employee's name) is compared as headers are, ignoring case and runs of spaces (NBSP
    too): ``DUBOIS, CLAIRE`` on the same service is the same person as ``Dubois, Claire``, and counting her
    salary twice would change every district's aid. The found value shows the first row's spelling."""
    frame = table.frame
    if not keys or not all(k in frame.columns for k in keys) or frame.empty:
        return
    columns = [frame[k].to_numpy(dtype=object) for k in keys]
    group = np.zeros(len(frame), dtype=np.int64)
    for k, values in zip(keys, columns):  # one integer per distinct key tuple; a blank code (-1) never clashes
        codes, uniques = pd.factorize(values)
        if table.spec.field(k).kind == "text":  # names compared normalised: one normalise per distinct name
            same, uniques = pd.factorize(np.array([normalise(v) if isinstance(v, str) else v for v in uniques],
                                                  dtype=object))
            codes = np.where(codes < 0, -1, same[np.maximum(codes, 0)])
        group = np.where((codes < 0) | (group < 0), -1, group * (len(uniques) + 1) + codes)
    # each row's first row of the same key, without a sort: written backwards, a group's first row is the last
    # write to its slot (numpy keeps the last of repeated indices)
    ids, _ = pd.factorize(group)
    first = np.empty(int(ids.max()) + 1, dtype=np.int64)
    first[ids[::-1]] = np.arange(len(ids) - 1, -1, -1)
    first_at = first[ids]
    dup = (group >= 0) & (first_at != np.arange(len(group)))
    rows = frame.index.to_numpy()
    for i in log.room("error", "duplicate-code", np.flatnonzero(dup)):
        value, earlier = (" / ".join(str(c[r]) for c in columns) for r in (i, first_at[i]))
        spelt = f" as {earlier}" if earlier != value else ""
        log.error("duplicate-code", f"{value} appears more than once", **table.where(keys[-1], int(rows[i])),
                  expected="each code once", found=f"{value} again (first at row {rows[first_at[i]]}{spelt})")
