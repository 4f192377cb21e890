"""Cell values → typed columns, collecting every cell that does not fit.

Each ``to_<kind>`` takes a Series of raw cell values (index = Excel row
number) and returns ``(typed, bad)`` where ``bad`` maps row → what was found.
Numbers are read as the shortest decimal that round-trips the stored double
(what Excel shows at full precision) and kept exact: money as int64 cents,
quantities as int64 millionths (:data:`~apportion.exact.QUANTITY_SCALE`).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import numpy as np
import pandas as pd

from ..exact import QUANTITY_SCALE, decimal_of, scaled_int
from ..schema import normalise

YES = {"yes", "y", "true", "t", "1", "x", "approve", "approved"}
NO = {"no", "n", "false", "f", "0", "disapprove", "disapproved", "not approved"}
_BEDS = re.compile(r"^\d{12}$")


def describe(value) -> str:
    """A found value as the user would recognise it, with its type."""
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f'"{shown}" (text)'
    if isinstance(value, bool):
        return f"{str(value).upper()} (true/false)"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    if isinstance(value, (dt.datetime, dt.date)):
        return f"{value.isoformat()} (date)"
    return repr(value) if not isinstance(value, (int, float)) else str(value)


def is_blank(raw: pd.Series) -> np.ndarray:
    """Empty cells, and text cells holding only spaces."""
    values = raw.to_numpy(dtype=object)
    return np.fromiter((v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)
                        for v in values), dtype=bool, count=len(values))


def to_scaled(raw: pd.Series, scale: int) -> tuple[pd.Series, dict[int, object]]:
    """Numbers as exact integers × ``scale`` (100 for cents). Blank → <NA>."""
    blank = is_blank(raw)
    values = raw.to_numpy(dtype=object)
    is_num = np.fromiter((isinstance(v, (int, float)) and not isinstance(v, bool) for v in values),
                         dtype=bool, count=len(values))
    out = np.zeros(len(values), dtype=np.int64)
    ok = np.zeros(len(values), dtype=bool)
    bad: dict[int, object] = {}
    if is_num.any():
        nums = np.array([float(v) for v in values[is_num]], dtype=np.float64)
        finite = np.isfinite(nums)
        scaled = nums * scale
        nearest = np.round(scaled)
        tolerance = np.maximum(1e-6, np.abs(scaled) * 4e-16 * 4)
        whole = finite & (np.abs(scaled - nearest) <= tolerance) & (np.abs(nearest) < 2**62)
        # ints beyond float precision are taken exactly
        idx = np.flatnonzero(is_num)
        out[idx[whole]] = nearest[whole].astype(np.int64)
        ok[idx[whole]] = True
        for i in idx[~whole]:
            d = decimal_of(values[i])
            v = scaled_int(d, scale) if d is not None else None
            if v is not None and abs(v) < 2**62:
                out[i], ok[i] = v, True
    rest = ~is_num & ~blank
    for i in np.flatnonzero(rest):
        d = decimal_of(values[i])
        v = scaled_int(d, scale) if d is not None else None
        if v is not None and abs(v) < 2**62:
            out[i], ok[i] = v, True
    for i in np.flatnonzero(~ok & ~blank):
        bad[int(raw.index[i])] = values[i]
    result = pd.Series(out, index=raw.index, dtype="Int64")
    result[blank | ~ok] = pd.NA
    return result, bad


def to_code(raw: pd.Series) -> tuple[pd.Series, dict[int, object]]:
    """12-digit BEDS codes as text; a number typed in Excel loses its leading zero, so pad it."""
    out, bad = [], {}
    for row, v in raw.items():
        if v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v):
            out.append(None)
            continue
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10**12:
            text = str(v).zfill(12)
        elif isinstance(v, str):
            text = v.strip().replace(" ", "").replace("-", "")
            if text.isdigit() and len(text) < 12:
                text = text.zfill(12)
        else:
            text = ""
        if _BEDS.match(text):
            out.append(text)
        else:
            out.append(None)
            bad[int(row)] = v
    return pd.Series(out, index=raw.index, dtype=object), bad


def to_key(raw: pd.Series) -> tuple[pd.Series, dict[int, object]]:
    """A service or contract code as text (a number typed as 101 stays "101")."""
    return to_text(raw)


def to_text(raw: pd.Series) -> tuple[pd.Series, dict[int, object]]:
    out = []
    for v in raw.to_numpy(dtype=object):
        if v is None or (isinstance(v, float) and v != v):
            out.append(None)
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        elif isinstance(v, (dt.datetime, dt.date)):
            out.append(v.isoformat())
        else:
            text = str(v).strip()
            out.append(text or None)
    return pd.Series(out, index=raw.index, dtype=object), {}


def to_choice(raw: pd.Series, choices: tuple[str, ...]) -> tuple[pd.Series, dict[int, object]]:
    """One of ``choices``, matched ignoring case, spaces and punctuation."""
    squash = lambda s: re.sub(r"[^0-9a-z]", "", normalise(s))  # noqa: E731
    lookup = {squash(c): c for c in choices}
    if set(choices) == {"yes", "no"}:
        lookup.update({squash(w): "yes" for w in YES} | {squash(w): "no" for w in NO})
    out, bad = [], {}
    for row, v in raw.items():
        if v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v):
            out.append(None)
            continue
        if isinstance(v, bool) and set(choices) == {"yes", "no"}:
            out.append("yes" if v else "no")
            continue
        hit = lookup.get(squash(v))
        out.append(hit)
        if hit is None:
            bad[int(row)] = v
    return pd.Series(out, index=raw.index, dtype=object), bad


def to_yesno(raw: pd.Series) -> tuple[pd.Series, dict[int, object]]:
    """yes/no, Y/N, TRUE/FALSE, 1/0 → True/False; blank → <NA>."""
    out, bad = [], {}
    for row, v in raw.items():
        if v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v):
            out.append(pd.NA)
        elif isinstance(v, bool):
            out.append(v)
        elif isinstance(v, (int, float)) and v in (0, 1):
            out.append(bool(v))
        elif isinstance(v, str) and normalise(v) in YES:
            out.append(True)
        elif isinstance(v, str) and normalise(v) in NO:
            out.append(False)
        else:
            out.append(pd.NA)
            bad[int(row)] = v
    return pd.Series(out, index=raw.index, dtype="boolean"), bad


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y", "%b %d, %Y")


def to_date(raw: pd.Series) -> tuple[pd.Series, dict[int, object]]:
    """Dates typed as dates, or as ISO / US text (2026-03-04, 3/4/2026)."""
    out, bad = [], {}
    for row, v in raw.items():
        if v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v):
            out.append(None)
        elif isinstance(v, dt.datetime):
            out.append(v.date())
        elif isinstance(v, dt.date):
            out.append(v)
        elif isinstance(v, str):
            parsed = None
            text = v.strip()
            for fmt in _DATE_FORMATS:
                try:
                    parsed = dt.datetime.strptime(text[:10] if fmt == "%Y-%m-%d" else text, fmt).date()
                    break
                except ValueError:
                    continue
            out.append(parsed)
            if parsed is None:
                bad[int(row)] = v
        else:
            out.append(None)
            bad[int(row)] = v
    return pd.Series(out, index=raw.index, dtype=object), bad


def to_emails(raw: pd.Series) -> tuple[pd.Series, dict[int, object]]:
    """One or more addresses separated by ; or , — each must look like name@domain."""
    pattern = re.compile(r"^[^@\s;,<>]+@[^@\s;,<>]+\.[^@\s;,<>]+$")
    out, bad = [], {}
    for row, v in raw.items():
        if v is None or (isinstance(v, str) and not v.strip()):
            out.append(None)
            continue
        parts = [p.strip() for p in re.split(r"[;,]", str(v)) if p.strip()]
        if parts and all(pattern.match(p) for p in parts):
            out.append("; ".join(parts))
        else:
            out.append(None)
            bad[int(row)] = v
    return pd.Series(out, index=raw.index, dtype=object), bad


def to_fraction_value(value) -> Decimal | None:
    """A single ratio or percent cell as an exact decimal (None if not a number)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        d = decimal_of(value.strip()[:-1])
        return None if d is None else d / 100
    return decimal_of(value)


SCALES = {"money": 100, "signed money": 100, "quantity": QUANTITY_SCALE}
