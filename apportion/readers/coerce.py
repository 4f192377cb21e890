"""Cell values → typed columns, collecting every cell that does not fit.

Each ``to_<kind>`` takes a Series of raw cell values (index = Excel row
number) and returns ``(typed, bad)`` where ``bad`` maps row → what was found.
Numbers are read as the shortest decimal that round-trips the stored double
(what Excel shows at full precision) and kept exact: money as int64 cents,
quantities as int64 millionths (:data:`~apportion.exact.QUANTITY_SCALE`).

A sheet can hold a million rows, so no conversion runs once per cell in
Python: numbers take a vectorised float path (exact while the scaled value is
below 2**50, where a double still resolves the unit), and everything else is
grouped with :func:`pandas.factorize` and converted once per *distinct* value —
a column of 12-digit codes repeats a few thousand values over a million rows.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Callable

import numpy as np
import pandas as pd

from ..exact import MONEY_BOUND, QUANTITY_BOUND, QUANTITY_SCALE, decimal_of, scaled_int
from ..limits import DEFAULT_LIMITS, Limits
from ..schema import DATE_RANGE, normalise
from ..textsafe import FORBIDDEN, clean_text

YES = {"yes", "y", "true", "t", "1", "x", "approve", "approved"}
NO = {"no", "n", "false", "f", "0", "disapprove", "disapproved", "not approved"}
SCALES = {"money": 100, "signed money": 100, "quantity": QUANTITY_SCALE}
#: the largest scaled magnitude the float path converts; past it a double may not resolve a unit
FLOAT_EXACT = 2**50
#: The largest magnitude a cell may hold, by scale: money ≤ $1,000,000,000,000 (10**14 cents), quantities
#: ≤ 1,000,000 units (10**12 millionths). Why these keep every later sum and product exact: a quantity
#: column is summed over at most Limits.max_rows (9,000,000 at its ceiling) rows, 9e6 × 1e12 = 9e18 <
#: 2**63 ≈ 9.22e18; a money column's magnitudes may add up to at most MONEY_TOTAL_BOUND over its sheet
#: (readers.table, the error column-total-too-large), as nothing bounds its rows below 92,000, where cells
#: at the bound would wrap; products (a pool × a basis, units × a unit cost, a levy × 1,000 ÷ a full value)
#: are taken in Python integers by apportion.exact whenever the bounds say int64 could overflow. Far above
#: any BOCES's figures (the largest NY district's full value is under $10**11), so a cell past a bound is a
#: typing error, reported at its cell.
BOUNDS = {100: MONEY_BOUND, QUANTITY_SCALE: QUANTITY_BOUND}
#: for any other scale: int64 with headroom for sums
LARGEST = 2**62


def bound(scale: int) -> int:
    """The largest scaled magnitude a cell of this scale may hold (see :data:`BOUNDS`)."""
    return BOUNDS.get(scale, LARGEST)

_BAD = object()  # a conversion's "this value does not fit"


class _Flag:
    """TRUE/FALSE cells, kept apart from 1 and 0 when values are grouped (True == 1 == 1.0 in Python)."""

    def __init__(self, value: bool):
        self.value = value


_TRUE, _FALSE = _Flag(True), _Flag(False)


def describe(value) -> str:
    """A found value as the user would recognise it, with its type."""
    if isinstance(value, _Flag):
        value = value.value
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f'"{shown}" (text)'
    if isinstance(value, bool):
        return f"{str(value).upper()} (true/false)"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    if isinstance(value, (dt.datetime, dt.date)):
        return f"{value.isoformat()} (date)"
    if isinstance(value, (dt.time, dt.timedelta)):
        return f"{value} (time)"
    return repr(value) if not isinstance(value, (int, float)) else str(value)


def is_blank_value(v) -> bool:
    """One cell: empty, only spaces, or NaN."""
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def _types(values: np.ndarray) -> np.ndarray:
    return np.fromiter(map(type, values), dtype=object, count=len(values))


def _may_hide_flags(uniques: np.ndarray) -> bool:
    """Whether a TRUE/FALSE cell could be among ``uniques`` or hidden behind one: grouping takes True for 1
    and False for 0 (True == 1 == 1.0 in Python), so a column holding a 0 or a 1 is looked at cell by cell.
    ``in`` compares in C, value by value, with Python's ==: True and 1.0 both match 1, text never does."""
    return 0 in uniques or 1 in uniques


class Cells:
    """One column's raw cells grouped by distinct value once (:func:`pandas.factorize`): blanks and every
    conversion are worked out per distinct value and spread back to the cells with one take.

    A code column repeats a few thousand values over a million rows and a count column a few hundred; the
    grouping is one pass in C, so nothing here costs Python work per cell. TRUE/FALSE cells are kept apart
    from 1 and 0 (:class:`_Flag`); None and NaN group as blank (code -1, the trailing slot of each per-value
    array).
    """

    def __init__(self, values: np.ndarray, codes: np.ndarray | None = None, uniques: np.ndarray | None = None,
                 types: np.ndarray | None = None):
        self.values = values
        if codes is None:
            codes, uniques = pd.factorize(values)
            uniques = np.asarray(uniques, dtype=object)
            types = _types(uniques)
            if _may_hide_flags(uniques):
                flags = _types(values) == bool
                if flags.any():
                    marked = values.copy()
                    marked[flags] = np.where(values[flags].astype(bool), _TRUE, _FALSE)
                    codes, uniques = pd.factorize(marked)
                    uniques = np.asarray(uniques, dtype=object)
                    types = _types(uniques)
        self.codes, self.uniques, self.types = codes, uniques, types
        self._blank: np.ndarray | None = None

    @classmethod
    def of(cls, raw) -> "Cells":
        """The grouped cells of a Series (or object array) of raw values."""
        return raw if isinstance(raw, Cells) else cls(np.asarray(raw.to_numpy(dtype=object) if isinstance(
            raw, pd.Series) else raw, dtype=object))

    def take(self, keep: np.ndarray) -> "Cells":
        """The cells where ``keep`` is True, grouped as before (no second grouping)."""
        return Cells(self.values[keep], self.codes[keep], self.uniques, self.types)

    def spread(self, per_value: np.ndarray) -> np.ndarray:
        """A per-distinct-value array (one trailing slot for blank cells) as one value per cell."""
        return per_value[self.codes]

    @property
    def blank(self) -> np.ndarray:
        """Empty cells, NaN, and text cells holding only spaces."""
        if self._blank is None:
            per_value = np.zeros(len(self.uniques) + 1, dtype=bool)
            per_value[-1] = True
            texts = np.flatnonzero(self.types == str)
            per_value[texts] = np.fromiter((not u.strip() for u in self.uniques[texts]), dtype=bool,
                                           count=len(texts))
            other = np.flatnonzero((self.types != str) & (self.types != float))
            per_value[other] = [isinstance(u, str) and u == "" for u in self.uniques[other]]
            self._blank = self.spread(per_value)
        return self._blank

    def nan(self) -> np.ndarray:
        """Cells holding a float NaN (grouped with the blanks, but a number gone wrong, not an empty cell)."""
        out = np.zeros(len(self.values), dtype=bool)
        grouped_blank = np.flatnonzero(self.codes < 0)
        if len(grouped_blank):
            values = self.values[grouped_blank]
            floats = np.flatnonzero(_types(values) == float)
            out[grouped_blank[floats[np.isnan(values[floats].astype(np.float64))]]] = True
        return out

    def each(self, convert: Callable, among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``convert`` applied once per distinct value (or per value at the positions ``among``): per-value
        (typed, bad) arrays with the trailing blank slot; ``convert`` returns :data:`_BAD` for a misfit."""
        typed = np.empty(len(self.uniques) + 1, dtype=object)
        at = np.arange(len(self.uniques)) if among is None else among
        typed[at] = [convert_one(v, convert) for v in self.uniques[at]]
        bad = np.fromiter((t is _BAD for t in typed), dtype=bool, count=len(typed))
        typed[bad] = None
        return typed, bad


def is_blank(raw) -> np.ndarray:
    """Empty cells, and text cells holding only spaces (a Series, an object array or :class:`Cells`)."""
    return Cells.of(raw).blank


def convert_one(value, convert: Callable):
    """One cell through a converter: None for a blank, :data:`_BAD` when it does not fit."""
    if isinstance(value, _Flag):
        value = value.value
    elif is_blank_value(value):
        return None
    return convert(value)


def _result(raw: pd.Series, typed, bad: np.ndarray) -> tuple[pd.Series, dict[int, object]]:
    """``to_<kind>``'s answer: the typed Series and the refused cells by Excel row."""
    values = raw.to_numpy(dtype=object)
    rows = raw.index.to_numpy()[bad]
    return typed_series(typed, raw.index), dict(zip(map(int, rows), values[bad]))


def typed_series(typed, index: pd.Index) -> pd.Series:
    """A typed column as a Series: object stays object (pandas would infer its string dtype for text)."""
    return pd.Series(typed, index=index, dtype=object if isinstance(typed, np.ndarray) else None, copy=False)


# --- numbers -------------------------------------------------------------------------

def _money_sign(value, scale: int) -> bool:
    """A $ typed in a cell that is not money (a count of pupils, a number of days): refused, not dropped."""
    return scale != SCALES["money"] and isinstance(value, str) and "$" in value


def _scaled_one(value, scale: int):
    if isinstance(value, bool) or _money_sign(value, scale):
        return _BAD
    d = decimal_of(value)
    v = scaled_int(d, scale) if d is not None else None
    return _BAD if v is None or abs(v) > bound(scale) else v


def to_scaled(raw: pd.Series, scale: int, cells: Cells | None = None) -> tuple[pd.Series, dict[int, object]]:
    """Numbers as exact integers × ``scale`` (100 for cents). Blank → <NA>. ``cells``: ``raw`` grouped already."""
    return _result(raw, *_scaled_cells(cells or Cells.of(raw), scale))


def _scaled_cells(cells: Cells, scale: int) -> tuple[pd.arrays.IntegerArray, np.ndarray]:
    """:func:`to_scaled` on grouped cells: (typed, bad mask). A float is converted in one vectorised step per
    distinct value while its scaled value is below :data:`FLOAT_EXACT`; anything else (text, a float past
    that, an int) goes through :func:`exact.decimal_of`, exact by construction."""
    uniques = cells.uniques
    out = np.zeros(len(uniques) + 1, dtype=np.int64)  # per distinct value, with the trailing blank slot
    ok = np.zeros(len(uniques) + 1, dtype=bool)
    floats = np.flatnonzero(cells.types == float)  # no NaN among them: it groups with the blanks
    if len(floats):
        scaled = uniques[floats].astype(np.float64) * scale
        nearest = np.rint(scaled)
        with np.errstate(invalid="ignore"):
            # binary-float noise on a whole number of units is forgiven, as in exact.scaled_int
            tolerance = np.maximum(1e-6, np.abs(scaled) * 1.6e-15)
            whole = np.isfinite(scaled) & (np.abs(scaled - nearest) <= tolerance) & (
                np.abs(nearest) <= min(FLOAT_EXACT, bound(scale)))  # past the bound: refused on the slow path
        out[floats[whole]] = nearest[whole].astype(np.int64)
        ok[floats[whole]] = True
    rest = np.flatnonzero(~ok[:-1])
    typed, bad = cells.each(lambda v: _scaled_one(v, scale), among=rest)
    good = rest[~bad[rest] & np.not_equal(typed[rest], None)]
    out[good] = typed[good].astype(np.int64)
    ok[good] = True
    return pd.arrays.IntegerArray(cells.spread(out), ~cells.spread(ok)), cells.spread(bad) | cells.nan()


def why_not_scaled(value, scale: int) -> str:
    """Why a number cell was refused: ``not-a-number``, ``too-large`` or ``too-precise``."""
    d = decimal_of(value) if not isinstance(value, bool) and not _money_sign(value, scale) else None
    if d is None:
        return "not-a-number"
    return "too-large" if abs(d * scale) > bound(scale) else "too-precise"


def number_problem(value, scale: int = SCALES["money"]) -> str | None:
    """What is wrong with a number typed as text in a cell of ``scale``, in the user's words; None when nothing
    specific is."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _money_sign(value, scale):
        return "a $ sign in a cell that is not money; type the number alone"
    odd = sorted({ch for ch in text if ch.isdigit() and not ch.isascii()})
    if odd:
        return f"digits other than 0-9 ({''.join(odd)}); type the number with 0-9"
    if "_" in text:
        return "an underscore between digits; type the number without it (1000)"
    if "," in text:
        return ("a comma that is not a thousands separator (those stand between groups of three digits: "
                "1,234,567.89); for a decimal, type a point (860.5)")
    return None


def too_large(scale: int) -> str:
    """The message for a cell past its bound."""
    unit = "$" if scale == 100 else ""
    return f"the number is over the limit of {unit}{bound(scale) // scale:,}; check it"


def to_fraction_value(value, percent: bool = False) -> Decimal | None:
    """A single ratio or percent cell as an exact decimal (None if not a number).

    Text like "80%" is unambiguous: 0.8 for a fraction. For an item whose unit is a percent
    (``percent=True``) the value returned is the percent: text with a % sign is that many percent
    ("1%" is 1, "150%" is 150); any other value of 1 or less is a fraction (Excel stores a cell formatted
    as a percent that way: 50% as 0.5, 1% as 0.01), and above 1 the percent itself (docs/formats.md, BOCES).
    """
    if isinstance(value, str) and value.strip().endswith("%"):
        d = decimal_of(value.strip()[:-1])
        return None if d is None else (d if percent else d / 100)
    d = decimal_of(value) if not isinstance(value, bool) else None
    return d * 100 if percent and d is not None and d <= 1 else d


# --- codes and text ------------------------------------------------------------------

def _code_one(v):
    # A BEDS code starts with a county code 01-68, so a number typed in Excel loses at most one leading
    # zero: 11 digits are padded back, anything shorter is a typing error, not a code.
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:012d}" if 10**10 <= v < 10**12 else _BAD
    if isinstance(v, str):
        text = v.strip().replace(" ", "").replace("-", "")
        if text.isascii() and text.isdigit() and len(text) in (11, 12):
            return text.zfill(12)
    return _BAD


def to_code(raw: pd.Series, cells: Cells | None = None) -> tuple[pd.Series, dict[int, object]]:
    """12-digit BEDS codes as text; a number typed in Excel loses its leading zero, so pad it."""
    return _result(raw, *typed_cells("code", cells or Cells.of(raw)))


def _text_one(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    return str(v).strip() or None


#: The longest text a cell may hold, in characters, are the settings ``code-length`` (a code: service,
#: contract, the BOCES code that names the output folder) and ``text-length`` (a name) of
#: :class:`~apportion.limits.Limits`. Past them the text is refused at its cell: a name that long is a paste
#: gone wrong, and a file name built from it would pass the file system's 255-byte limit.
def text_limit_name(kind: str, key: str = "") -> str:
    """Which :class:`~apportion.limits.Limits` field bounds a text field: codes, or names and other text."""
    return "code_length" if kind == "key" or key.endswith("_code") else "text_length"


def text_limit(kind: str, key: str = "", limits: Limits = DEFAULT_LIMITS) -> int:
    """The length limit of a text field (:func:`text_limit_name`) under ``limits``."""
    return getattr(limits, text_limit_name(kind, key))


def _bounded_text(limit: int) -> Callable:
    def one(v):
        text = _text_one(v)
        if text is not None:
            text = clean_text(text).strip() or None  # the caller warns where this changed the cell
        return _BAD if text is not None and len(text) > limit else text
    return one


def _text_values(cells: Cells, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_bounded_text` per distinct value, the text ones in list operations: trimmed, and cleaned only
    when one of them holds a :data:`FORBIDDEN` character (one search over them all says whether any does)."""
    texts = np.flatnonzero(cells.types == str)
    typed, bad = cells.each(_bounded_text(limit), among=np.flatnonzero(cells.types != str))
    trimmed = [u.strip() for u in cells.uniques[texts].tolist()]
    if FORBIDDEN.search("\n".join(trimmed)):  # \n is not forbidden: it cannot make a match across two
        trimmed = [clean_text(u).strip() if FORBIDDEN.search(u) else u for u in trimmed]
    long = np.fromiter(map(len, trimmed), dtype=np.int64, count=len(trimmed)) > limit
    typed[texts] = [u or None for u in trimmed]
    typed[texts[long]] = None
    bad[texts] = long
    return typed, bad


def cleaned(cells: Cells) -> np.ndarray:
    """Cells whose text held characters no output may carry (:data:`~apportion.writers.text.FORBIDDEN`),
    found once per distinct value."""
    hit = np.zeros(len(cells.uniques) + 1, dtype=bool)
    texts = np.flatnonzero(cells.types != float)
    hit[texts] = [isinstance(u, str) and FORBIDDEN.search(u) is not None for u in cells.uniques[texts]]
    return cells.spread(hit) if hit.any() else np.zeros(len(cells.values), dtype=bool)


def _squash(text) -> str:
    return re.sub(r"[^0-9a-z]", "", normalise(text))


def _choice(choices: tuple[str, ...]) -> Callable:
    """A converter to one of ``choices``, matched ignoring case, spaces and punctuation."""
    lookup = {_squash(c): c for c in choices}
    yesno = set(choices) == {"yes", "no"}
    if yesno:
        lookup.update({_squash(w): "yes" for w in YES} | {_squash(w): "no" for w in NO})

    def one(v):
        if isinstance(v, bool):
            return ("yes" if v else "no") if yesno else _BAD
        return lookup.get(_squash(v), _BAD)
    return one


def _yesno_one(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        word = normalise(v)
        if word in YES:
            return True
        if word in NO:
            return False
    return _BAD


def to_yesno(raw: pd.Series, cells: Cells | None = None) -> tuple[pd.Series, dict[int, object]]:
    """yes/no, Y/N, TRUE/FALSE, 1/0 → True/False; blank → <NA>."""
    return _result(raw, *typed_cells("yesno", cells or Cells.of(raw)))


_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y", "%b %d, %Y", "%d %b %Y")


def _parsed_date(v):
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if not isinstance(v, str):
        return _BAD
    text = v.strip()
    try:  # ISO 8601, with or without a time of day
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return _BAD


def _date_one(v):
    d = _parsed_date(v)
    return d if d is not _BAD and DATE_RANGE[0] <= d <= DATE_RANGE[1] else _BAD


def date_problem(value) -> str | None:
    """Why a date cell was refused when it holds a date outside :data:`~apportion.schema.DATE_RANGE`, else None."""
    d = _parsed_date(value)
    if d is _BAD or DATE_RANGE[0] <= d <= DATE_RANGE[1]:
        return None
    return f"the date {d.isoformat()} is outside {DATE_RANGE[0]} to {DATE_RANGE[1]}; check the year"


def to_date(raw: pd.Series, cells: Cells | None = None) -> tuple[pd.Series, dict[int, object]]:
    """Dates typed as dates, or as ISO / US text (2026-03-04, 3/4/2026), from :data:`~apportion.schema.DATE_RANGE`."""
    return _result(raw, *typed_cells("date", cells or Cells.of(raw)))


#: a year and quarter, either way round, forgiving about case, spaces and the separator: 2026-Q3, 2026 q3,
#: Q3 2026, 2026/Q3 (ASCII digits only: fullwidth or other scripts' digits are refused, not guessed at)
_QUARTER = re.compile(r"^(?:(?P<y1>[0-9]{4})[-/_. ]*Q(?P<q1>[0-9])|Q(?P<q2>[0-9])[-/_. ]*(?P<y2>[0-9]{4}))$",
                      re.IGNORECASE)


def _quarter_one(v):
    """A Collaboration quarter as ``YYYY-Qn`` (rules §7 counts distinct quarters, so each spelling of one quarter
    must read as one); _BAD unless text of a year of :data:`~apportion.schema.DATE_RANGE` and a quarter 1-4."""
    if not isinstance(v, str):  # a date or a number (2026.1) names no quarter unambiguously
        return _BAD
    m = _QUARTER.match("".join(v.split()))
    if m is None:
        return _BAD
    year, quarter = int(m["y1"] or m["y2"]), int(m["q1"] or m["q2"])
    if not (DATE_RANGE[0].year <= year <= DATE_RANGE[1].year and 1 <= quarter <= 4):
        return _BAD
    return f"{year}-Q{quarter}"


def _addresses(v) -> list[str]:
    return [p.strip() for p in re.split(r"[;,]", str(v)) if p.strip()]


def email_problem(address: str) -> str | None:
    """Why ``address`` is not a mailbox the mail standards allow (RFC 5321/5322, RFC 6531 for non-ASCII),
    or None. Checked offline: the syntax only, no DNS look-up; strictly, so a local part past RFC 5321's 64
    octets is refused here, not by the server when the statements are sent."""
    from email_validator import EmailNotValidError, validate_email
    try:
        validate_email(address, check_deliverability=False, strict=True)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def why_not_emails(value) -> str:
    """The first refused address of an ``Email`` cell and why, for the issue's message."""
    parts = _addresses(value)
    if not parts:
        return "no address"
    bad = next(((p, why) for p in parts if (why := email_problem(p))), None)
    if bad and re.search(r"\S\s*[\r\n]+\s*\S", bad[0]):  # one address a line (Alt+Enter in Excel)
        return f"{bad[0]!r}: addresses on separate lines; put them on one line, separated by ;"
    return f"{bad[0]!r}: {bad[1]}" if bad else "more than one address"


def _emails_one(v):
    parts = _addresses(v)
    return "; ".join(parts) if parts and not any(email_problem(p) for p in parts) else _BAD


def _email_one(v):
    parts = _addresses(v)
    return parts[0] if len(parts) == 1 and not email_problem(parts[0]) else _BAD


def _converter(kind: str, choices: tuple[str, ...] = (), limit: int = 0) -> Callable:
    """The one-value converter of a field kind (text kinds bounded by ``limit``, else the default limits)."""
    if kind in SCALES:
        scale = SCALES[kind]
        return lambda v: _scaled_one(v, scale)
    return {"code": _code_one, "key": _bounded_text(limit or text_limit("key")),
            "text": _bounded_text(limit or text_limit("text")), "choice": _choice(choices),
            "yesno": _yesno_one, "date": _date_one, "quarter": _quarter_one, "emails": _emails_one,
            "email": _email_one}[kind]


def convert_value(kind: str, value, choices: tuple[str, ...] = (), limit: int = 0):
    """One cell (a BOCES item) typed as ``kind``: None when blank, :data:`BAD` when it does not fit."""
    return convert_one(value, _converter(kind, choices, limit))


def typed_cells(kind: str, cells: Cells, choices: tuple[str, ...] = (), limit: int = 0) -> tuple[object, np.ndarray]:
    """A column's grouped cells typed as ``kind``: (typed array, bad mask) — numbers as a nullable Int64
    array, yes/no as a nullable boolean array, the rest as objects (None for a blank or refused cell)."""
    if kind in SCALES:
        return _scaled_cells(cells, SCALES[kind])
    if kind in ("key", "text"):
        typed, bad = _text_values(cells, limit or text_limit(kind))
    else:
        typed, bad = cells.each(_converter(kind, choices, limit))
    typed, bad = cells.spread(typed), cells.spread(bad)
    if kind == "yesno":
        missing = np.equal(typed, None)
        typed = pd.arrays.BooleanArray(np.where(missing, False, typed).astype(bool), missing)
    return typed, bad


BAD = _BAD
