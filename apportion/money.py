"""Splitting money among districts to the cent (rules §2, "settled to cents").

Every split the tool makes — pools, surpluses, CoSer charges, the SWD true-up,
shared-PD contracts — goes through :func:`split`, grouped so that thousands of
services are settled in one vectorised pass.

``largest remainder`` (default): floor each exact share to the cent, then hand
the leftover cents one each to the largest fractional remainders; ties go to
the larger basis weight, then the lower district code — never row order.
``half up``: round each exact share half away from zero, then put the
difference on the largest payer (ties: larger weight, then lower code).
A negative total is split as its absolute value and the shares negated.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .exact import big, fits_int64, half_up_div, to_int64

ROUNDING_RULES = ("largest remainder", "half up")


def split(totals: pd.Series, group: pd.Series, weight: pd.Series, code: pd.Series,
          rounding: str = "largest remainder") -> pd.Series:
    """Split each group's total (int cents) among its rows in proportion to ``weight``.

    Args:
        totals: cents to split, indexed by group key.
        group, weight, code: aligned row Series — the group key, a non-negative
            integer weight (any magnitude), and the district code for ties.
        rounding: one of :data:`ROUNDING_RULES`.
    Returns: int64 cents per row, same index as ``weight``; each group's rows sum
        exactly to its total. Raises ValueError when a group with a non-zero
        total has zero total weight (the caller reports it in the user's words).
    """
    if rounding not in ROUNDING_RULES:
        raise ValueError(f"rounding must be one of {ROUNDING_RULES}, found {rounding!r}")
    index = weight.index
    n = len(index)
    if n == 0:
        return pd.Series(np.zeros(0, dtype=np.int64), index=index)
    gkey, gcodes = pd.factorize(group, sort=True)
    gtotal = totals.reindex(gcodes).to_numpy()
    if pd.isna(gtotal).any():
        raise ValueError("a group has no total")
    gtotal = to_int64(gtotal)
    w = weight.to_numpy()
    wmax = max(int(w.max()), -int(w.min())) if w.dtype != object else None  # Python ints: a uint64 never wraps
    # int64 holds every intermediate below when wmax × (2 × |total| + 2n + 4) does: the largest are
    # 2 × total × w + Σw (half_up_div's numerator) and 2 × Σw (its divisor), with Σw ≤ n × wmax
    small = w.dtype.kind == "i" and fits_int64(wmax + 1, 2 * (np.abs(gtotal).max(initial=0) + 1) + 2 * n + 2)
    if not small:
        w = big(w)
    wsum = np.zeros(len(gcodes), dtype=object if not small else np.int64)
    np.add.at(wsum, gkey, w)
    sign = np.where(gtotal < 0, -1, 1)
    mag = np.abs(gtotal) if small else big(np.abs(gtotal))
    row_total = mag[gkey]
    row_wsum = wsum[gkey]
    if ((wsum == 0) & (np.abs(gtotal) != 0)).any():
        raise ValueError("total weight is zero")
    safe_wsum = np.where(row_wsum == 0, 1, row_wsum)
    product = row_total * w
    code_rank = _text_rank(code)
    if rounding == "largest remainder":
        share, remainder = product // safe_wsum, product % safe_wsum
        given = np.zeros(len(gcodes), dtype=product.dtype)
        np.add.at(given, gkey, share)
        leftover = to_int64(mag - given)
        order = _order(gkey, remainder, w, code_rank)
        rank = _rank_within(gkey, order)
        share = share + (rank < leftover[gkey])
    else:
        share = half_up_div(product, safe_wsum)
        given = np.zeros(len(gcodes), dtype=share.dtype)
        np.add.at(given, gkey, share)
        difference = to_int64(mag - given)
        order = _order(gkey, share, w, code_rank)
        rank = _rank_within(gkey, order)
        share = share + np.where(rank == 0, difference[gkey], 0)
    result = to_int64(share) * sign[gkey]
    return pd.Series(result, index=index, dtype=np.int64)


def _text_rank(code: pd.Series) -> np.ndarray:
    """Each row's rank among the distinct codes compared as text (what ``code.astype(str)`` sorts by),
    converting each distinct code once."""
    codes, uniques = pd.factorize(code.to_numpy(dtype=object), use_na_sentinel=False)
    rank = pd.factorize(np.asarray([str(u) for u in uniques], dtype=object), sort=True)[0]
    return rank[codes]


def _order(gkey: np.ndarray, primary: np.ndarray, weight: np.ndarray, code_rank: np.ndarray) -> np.ndarray:
    """Row order within each group: largest ``primary``, then largest weight, then lowest code."""
    primary, weight = _narrow(primary), _narrow(weight)
    if primary.dtype != object and weight.dtype != object:
        return np.lexsort((code_rank, -weight, -primary, gkey))
    order = np.argsort(code_rank, kind="stable")
    for key in (-big(weight), -big(primary), gkey):
        order = order[np.argsort(np.asarray(key)[order], kind="stable")]
    return order


def _narrow(key: np.ndarray) -> np.ndarray:
    """A sort key of Python ints as int64 when every value (and its negation) fits: the same order, sorted by
    numpy instead of by Python comparisons (a remainder is below its group's weight, a share within its total,
    so a split made in Python ints only for its products still sorts in int64)."""
    if key.dtype != object or not key.size:
        return key
    if -_INT64_MAX <= key.min() and key.max() <= _INT64_MAX:
        return key.astype(np.int64)
    return key


_INT64_MAX = int(np.iinfo(np.int64).max)


def _rank_within(gkey: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Each row's 0-based position inside its group under ``order``."""
    sorted_groups = gkey[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    counts = np.diff(np.r_[starts, len(order)])
    pos = np.arange(len(order)) - np.repeat(starts, counts)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = pos
    return rank


def split_one(total: int, weight: pd.Series, code: pd.Series | None = None,
              rounding: str = "largest remainder") -> pd.Series:
    """Split a single pool: ``weight`` indexed by district code."""
    code = pd.Series(weight.index, index=weight.index) if code is None else code
    group = pd.Series(0, index=weight.index)
    return split(pd.Series({0: int(total)}), group, weight, code, rounding)
