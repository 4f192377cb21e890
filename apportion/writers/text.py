"""Formatting shared by every writer: money, ratios, units, safe text and safe file names."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import numpy as np
import pandas as pd

from ..textsafe import CONTROLS, FORBIDDEN, clean_text, visible  # noqa: F401 (the writers' text vocabulary)

DANGEROUS_LEADS = ("=", "+", "-", "@", "\t", "\r")

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


def distinct_texts(values, text) -> list[str]:
    """``text`` of every value (a Series or an array), worked out once per distinct value: a billing column
    repeats a few dozen codes, names and budgets down 100,000 rows. Only for values of one kind (all text, or
    all whole numbers), so equal values are alike (1, 1.0 and True hash alike but print differently); any
    others value by value.
    """
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "integer", "empty"):
        return [text(v) for v in values.tolist()]
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.array([text(v) for v in uniques.tolist()], dtype=object)[codes].tolist() if len(codes) else []


#: whole cents below this in size divided as a float (labels.money_text) are within 0.001 of the exact
#: dollars (a double's spacing below 10**13 is 2**-9), so shown to two places they are the exact digits
EXACT_FLOAT_CENTS = 10**15


def cents_texts(values, text, grouped: bool = False) -> list[str]:
    """``text`` of every value (a Series or an array): :func:`cents_text`, or with ``grouped``
    :func:`~.labels.money_text` (dollars with two decimals, grouped by thousands). Each distinct value once
    (:func:`distinct_texts`), and those of a column of int64 below :data:`EXACT_FLOAT_CENTS` a column at a
    time: one ``str.format`` over their dollars and cents, not a call per value (a job's charges are nearly
    all distinct amounts)."""
    array = values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values)
    if (array.dtype.kind != "i" or not len(array)
            or not -EXACT_FLOAT_CENTS < array.min() <= array.max() < EXACT_FLOAT_CENTS):
        return distinct_texts(values, text)
    codes, uniques = pd.factorize(array)
    dollars, cents = np.divmod(np.abs(uniques), 100)
    made = list(map("{:,}.{:02d}".format if grouped else "{}.{:02d}".format, dollars.tolist(), cents.tolist()))
    for i in np.flatnonzero(uniques < 0).tolist():
        made[i] = "-" + made[i]
    return np.array(made, dtype=object)[codes].tolist()


def distinct_pair_texts(first, second, text) -> np.ndarray:
    """``text(a, b)`` of each pair of ``first`` and ``second`` (two columns, row for row, each of one kind as
    for :func:`distinct_texts`), worked out once per distinct pair, as an object array."""
    # A missing value is a distinct value of its own (not factorize's default code -1, which would index
    # the last distinct value and give a missing cell another row's text).
    first_codes, firsts = pd.factorize(np.asarray(first, dtype=object) if isinstance(first, list) else first,
                                       use_na_sentinel=False)
    second_codes, seconds = pd.factorize(second, use_na_sentinel=False)
    pair_codes, pairs = pd.factorize(first_codes.astype(np.int64) * len(seconds) + second_codes)
    texts = [text(firsts[p // len(seconds)], seconds[p % len(seconds)]) for p in pairs.tolist()]
    return np.array(texts, dtype=object)[pair_codes] if len(pair_codes) else np.array([], dtype=object)


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
