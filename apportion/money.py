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
    if len(index) == 0:
        return pd.Series(np.zeros(0, dtype=np.int64), index=index)
    gkey, gcodes = _groups(group)
    gtotal = totals.reindex(gcodes).to_numpy()
    if pd.isna(gtotal).any():
        raise ValueError("a group has no total")
    return pd.Series(_settle(to_int64(gtotal), gkey, weight.to_numpy(), _text_rank(code), rounding), index=index,
                     dtype=np.int64)


def _settle(gtotal: np.ndarray, gkey: np.ndarray, w: np.ndarray, code_rank: np.ndarray, rounding: str) -> np.ndarray:
    """:func:`split` on arrays: each group's int64 total (``gkey`` numbers each row's group), the rows' weights and
    their codes' ranks as text; int64 cents per row."""
    n, groups = len(w), len(gtotal)
    signed = w.dtype.kind == "i"
    wmax = max(int(w.max()), -int(w.min())) if w.dtype != object else None  # Python ints: a uint64 never wraps
    # int64 holds every intermediate below when wmax × (2 × |total| + 2n + 4) does: the largest are
    # 2 × total × w + Σw (half_up_div's numerator) and 2 × Σw (its divisor), with Σw ≤ n × wmax
    small = signed and fits_int64(wmax + 1, 2 * (np.abs(gtotal).max(initial=0) + 1) + 2 * n + 2)
    # Σw per group: in int64 wherever n × wmax fits it, even when the products below need Python ints
    wsum = np.zeros(groups, dtype=np.int64 if signed and fits_int64(wmax + 1, n + 1) else object)
    np.add.at(wsum, gkey, w if wsum.dtype != object else big(w))
    order_weight = w if signed else big(w)  # the weights sort as they are, whatever the products are taken in
    if not small:
        w, wsum = big(w), big(wsum)
    sign = np.where(gtotal < 0, -1, 1)
    mag = np.abs(gtotal) if small else big(np.abs(gtotal))
    row_total = mag[gkey]
    row_wsum = wsum[gkey]
    if ((wsum == 0) & (np.abs(gtotal) != 0)).any():
        raise ValueError("total weight is zero")
    safe_wsum = np.where(row_wsum == 0, 1, row_wsum)
    product = row_total * w
    # a share is within its total and a remainder below its group's weight: int64 again, once divided (_narrow)
    if rounding == "largest remainder":
        share, remainder = _narrow(product // safe_wsum), _narrow(product % safe_wsum)
        given = np.zeros(groups, dtype=share.dtype)
        np.add.at(given, gkey, share)
        leftover = to_int64(mag - given)
        order = _order(gkey, remainder, order_weight, code_rank)
        rank = _rank_within(gkey, order)
        share = share + (rank < leftover[gkey])
    else:
        share = _narrow(half_up_div(product, safe_wsum))
        given = np.zeros(groups, dtype=share.dtype)
        np.add.at(given, gkey, share)
        difference = to_int64(mag - given)
        order = _order(gkey, share, order_weight, code_rank)
        rank = _rank_within(gkey, order)
        share = share + np.where(rank == 0, difference[gkey], 0)
    return to_int64(share) * sign[gkey]


def _groups(group: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each row's group number and the groups (those with rows, sorted); a categorical column by its codes,
    without hashing its values again."""
    if isinstance(group.dtype, pd.CategoricalDtype) and not group.isna().any():
        key, used = pd.factorize(group.cat.codes.to_numpy(), sort=True)
        return key, group.cat.categories[used]
    key, groups = pd.factorize(group, sort=True)
    return key, groups


def _text_rank(code: pd.Series) -> np.ndarray:
    """Each row's rank among the distinct codes compared as text (what ``code.astype(str)`` sorts by),
    converting each distinct code once."""
    if isinstance(code.dtype, pd.CategoricalDtype) and not code.isna().any():  # the categories once each
        codes, used = pd.factorize(code.cat.codes.to_numpy())
        uniques = code.cat.categories.to_numpy(dtype=object)[used]
    else:
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


def _narrow(values: np.ndarray) -> np.ndarray:
    """Python ints as int64 when every one fits (numpy refuses one that does not: then they stay Python ints),
    so the sums and sorts after a division in Python ints are numpy's, not Python's; never the int64 minimum,
    whose negation (a sort key) would wrap."""
    if values.dtype != object:
        return values
    try:
        narrow = values.astype(np.int64)
    except OverflowError:
        return values
    return values if (narrow == _INT64_MIN).any() else narrow


_INT64_MIN = int(np.iinfo(np.int64).min)


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
    """Split a single pool: ``weight`` indexed by district code (ties by ``code``, else by that index)."""
    if rounding not in ROUNDING_RULES:
        raise ValueError(f"rounding must be one of {ROUNDING_RULES}, found {rounding!r}")
    if len(weight) == 0:
        return pd.Series(np.zeros(0, dtype=np.int64), index=weight.index)
    rank = _text_rank(weight.index if code is None else code)
    one = np.zeros(len(weight), dtype=np.int64)  # every row in the one group
    return pd.Series(_settle(to_int64(np.array([int(total)], dtype=object)), one, weight.to_numpy(), rank, rounding),
                     index=weight.index, dtype=np.int64)
