"""Exact arithmetic for the points where the rules (docs/rules.md) truncate or round.

Money is whole cents (``int64``); pupils, units and other quantities are
integers in millionths (:data:`QUANTITY_SCALE`). Products of the two can pass
2**63, so the helpers here work on numpy ``object`` arrays of Python integers
whenever a bound says ``int64`` might overflow: still one vectorised call per
column, and never a binary-float quotient, so a ratio that is exactly 0.430
never becomes 0.429 (docs/rules.md, Notation).
"""
from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np

#: quantities (RWADA, enrollment, units, staff) are stored as integer millionths
QUANTITY_SCALE = 10**6
#: the largest money (cents) and quantity (millionths) an input cell may hold: why these keep every sum
#: and product exact is said at apportion.readers.coerce.BOUNDS
MONEY_BOUND = 10**14
QUANTITY_BOUND = 10**12
#: the largest total of one money column's magnitudes over its sheet (cents: $100,000,000,000,000): every sum of
#: money cells the law takes (salaries over the limit per service, the budgets, the contracts' costs, the levies)
#: then stays below 2**63 however many rows, with room for the few such totals added together; a product of
#: a total (a split's total × a weight, a unit cost's budget × 10**6) is taken in Python integers where int64
#: could overflow (fits_int64). Ten thousand times New York's full value.
MONEY_TOTAL_BOUND = 10**16
_INT64_SAFE = 2**62


def big(values) -> np.ndarray:
    """An object array of Python ints: exact for any magnitude.

    Every integer dtype converts exactly (numpy hands each element over as a
    Python int; a ``uint64`` is never squeezed through ``int64``, where values
    from 2**63 up would wrap negative), booleans become 0/1, and a float array
    is accepted only when every value is whole.
    """
    if isinstance(values, (int, np.integer)):
        return np.array(int(values), dtype=object)
    arr = np.asarray(values)
    if arr.dtype == object:
        return arr
    if arr.dtype.kind in "iu":
        return arr.astype(object)
    if arr.dtype.kind == "b":
        return arr.astype(np.int64).astype(object)
    if arr.dtype.kind == "f" and np.isfinite(arr).all() and (arr == np.floor(arr)).all():
        return np.array([int(x) for x in arr.ravel()], dtype=object).reshape(arr.shape)
    raise TypeError(f"not an array of integers: {arr.dtype}")


def fits_int64(*bounds: int) -> bool:
    """True when a product of values bounded by ``bounds`` stays inside int64."""
    total = 1
    for b in bounds:
        total *= max(1, abs(int(b)))
    return total < _INT64_SAFE


def _operands(a, b) -> tuple[np.ndarray, np.ndarray]:
    """Both operands as arrays of one kind: Python ints (object) as soon as either is, so an
    int64 operand never overflows inside an exact computation."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype == object or b.dtype == object or "u" in (a.dtype.kind, b.dtype.kind):
        return big(a), big(b)  # int64 with uint64 would promote to float64: never a float quotient
    return a, b


def floor_div(a, b) -> np.ndarray:
    """Elementwise ⌊a/b⌋ for integers (b > 0), exact."""
    a, b = _operands(a, b)
    return a // b


def half_up_div(a, b) -> np.ndarray:
    """Elementwise a/b rounded half away from zero (Excel ROUND), for integers, b > 0."""
    a, b = _operands(a, b)
    mag = (2 * np.abs(a) + b) // (2 * b)
    return np.where(a < 0, -mag, mag)


_INT64 = np.iinfo(np.int64)


def to_int64(values) -> np.ndarray:
    """Back to int64 once a result is known to be small (cents, thousandths); OverflowError, never a wrap,
    if one is not."""
    arr = np.asarray(values)
    if arr.dtype.kind == "i":
        return arr.astype(np.int64)
    exact = big(arr)
    if exact.size and (exact.max() > _INT64.max or exact.min() < _INT64.min):
        raise OverflowError("a value does not fit 64-bit integers")
    return exact.astype(np.int64)


# --- reading numbers -------------------------------------------------------------

def decimal_of(value) -> Decimal | None:
    """The exact decimal a cell holds: a float as its shortest round-trip text
    (what Excel shows at full precision), an int as itself, text parsed leniently
    (thousands separators, a leading $, surrounding spaces). None if not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str):
        text = value.strip(" \t\u00a0")
        if text.startswith("(") and text.endswith(")"):  # accounting negative
            text = "-" + text[1:-1].strip()
        text = re.sub(r"^([+-]?)\$", r"\1", text)  # a leading $ (after the sign, if any)
        if not NUMBER_TEXT.fullmatch(text):  # read as typed: 860,5 or 1_000 is refused, never guessed
            return None
        try:
            d = Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    return None


#: a number typed as text: ASCII digits, a comma only between groups of three (1,234,567.89), a point for
#: decimals, an optional exponent. Decimal() alone would also take 1_000 and non-ASCII digits.
NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]+)?(?:[eE][+-]?[0-9]{1,3})?")


def scaled_int(d: Decimal, scale: int, noise: Decimal = Decimal("1e-6")) -> int | None:
    """``d × scale`` as an int when it is whole, allowing binary-float noise of
    ``noise`` units (0.1+0.2 typed as a formula); None when it is not whole."""
    x = d * scale
    nearest = x.to_integral_value(rounding="ROUND_HALF_EVEN")
    if x == nearest:
        return int(nearest)
    if abs(x - nearest) <= noise:
        return int(nearest)
    return None


def fraction_of(text: str | int | float | Decimal) -> Fraction:
    """A parameter's value as an exact fraction ("0.51" → 51/100)."""
    if isinstance(text, float):
        text = repr(text)
    return Fraction(Decimal(str(text)))


def thousandths(f: Fraction) -> int:
    """A ratio parameter given to three decimals, as integer thousandths."""
    t = f * 1000
    if t.denominator != 1:
        raise ValueError(f"{f} is not a three-decimal ratio")
    return int(t)


def scaled_text(values, scale: int, trim: bool = False) -> list[str]:
    """Integers over a power-of-ten ``scale`` as exact decimal text (531, 1000 → "0.531"); with
    ``trim``, trailing zeros and a bare point are dropped ("3230.400000" → "3230.4").

    Each distinct value is formatted once: units and bases repeat a great deal.
    """
    values = np.asarray(values)
    if values.size == 0:
        return []
    distinct, inverse = np.unique(values, return_inverse=True)
    digits = len(str(scale)) - 1
    texts = []
    for v in distinct:
        v = int(v)
        sign = "-" if v < 0 else ""
        whole, part = divmod(abs(v), scale)
        text = f"{sign}{whole}.{part:0{digits}d}" if digits else f"{sign}{whole}"
        texts.append(text.rstrip("0").rstrip(".") if trim and digits else text)
    return np.asarray(texts, dtype=object)[inverse.reshape(-1)].tolist()


def dollars_text(cents: int) -> str:
    """Cents as the messages and notes word an amount: ``$1,158,300.00``, ``-$5.25`` — exact at any size (no
    float), the sign before the dollar sign, no space after it."""
    cents = int(cents)
    whole, part = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}${whole:,}.{part:02d}"
