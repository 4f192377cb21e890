"""Exactness at any size (issue 13 point 5): bases past 2**63 internal units, shares and share % exact."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apportion.exact import QUANTITY_SCALE, big, floor_div, half_up_div, to_int64
from apportion.law import apportionment as ap
from apportion.money import split_one

settings.register_profile("size", deadline=None, max_examples=120)

CODES = [f"{i:012d}" for i in range(40)]
#: full values in cents from $1 million to $900 billion: a state-scale true value BOCES
full_values = st.lists(st.integers(min_value=10**8, max_value=9 * 10**13), min_size=1, max_size=25)
#: RWADA with six decimals (millionths), up to 2 million pupils
rwadas = st.lists(st.integers(min_value=1, max_value=2 * 10**12), min_size=1, max_size=25)
pools = st.integers(min_value=0, max_value=10**13)  # up to $100 billion


def _comps(fv: list[int], rwada: list[int] | None = None) -> pd.DataFrame:
    n = len(fv)
    rwada = rwada or [QUANTITY_SCALE] * n
    rwada = (rwada * n)[:n]
    return pd.DataFrame({"full_value": pd.array(fv, dtype="Int64"), "rwada": pd.array(rwada, dtype="Int64"),
                         "enrollment": pd.array(rwada, dtype="Int64"), "type": ["component"] * n},
                        index=CODES[:n])


def _check(basis: ap.Basis, pool: int) -> None:
    weights = [int(w) for w in basis.weight]
    total = sum(weights)
    shares = ap.apportion(pool, basis, "largest remainder")
    assert int(shares.sum()) == pool  # to the cent
    assert all(abs(s - Fraction(pool * w, total)) < 1 for s, w in zip(shares.tolist(), weights))
    percent = basis.share_percent()
    tenths = [round(p * 10**4) for p in percent]  # each value is k / 10⁴ for a whole k
    assert all(abs(p * 10**4 - k) < 1e-6 for p, k in zip(percent, tenths))
    assert sum(tenths) == 10**6  # the shown column sums to exactly 100.0000 %
    assert all(k >= 0 for k in tenths)
    assert all(abs(k - Fraction(10**6 * w, total)) < 1 for k, w in zip(tenths, weights))


@settings(settings.get_profile("size"))
@given(full_values, pools)
def test_true_value_past_2_63(fv, pool):
    basis = ap.basis("true value", _comps(fv), 1_037_700_00, None)
    _check(basis, pool)


@settings(settings.get_profile("size"))
@given(full_values, rwadas, st.integers(min_value=1, max_value=99), pools)
def test_blend_of_huge_values(fv, rwada, percent, pool):
    basis = ap.basis("blend", _comps(fv, rwada), 1_037_700_00, Fraction(percent))
    _check(basis, pool)


@settings(settings.get_profile("size"))
@given(rwadas, pools)
def test_wada_with_six_decimals(rwada, pool):
    basis = ap.basis("WADA", _comps([10**8] * len(rwada), rwada), 1_037_700_00, None)
    _check(basis, pool)


def test_the_measured_defect_a_basis_in_uint64_range():
    """Bases each between 2**63 and 2**64 internal units ($92–184 billion of full value): numpy infers uint64 for
    such Python ints, which the old ``big()`` cast to int64 — negative shares and percentages."""
    weights = [2**63 + 17, 2**63 + 5, 2**64 - 1]
    assert np.asarray(weights).dtype == np.uint64
    assert big(np.asarray(weights)).tolist() == weights
    basis = ap.Basis("true value", pd.Series(np.asarray(weights, dtype=np.uint64), index=CODES[:3]),
                     pd.Series(weights, index=CODES[:3], dtype=object), 10**8)
    percent = basis.share_percent()
    assert (percent > 0).all() and round(percent.sum() * 10**4) == 10**6
    # 10⁶ × w / Σw with Σw = 2**65 + 21: 250,000.000…0(+), 249,999.999…9, 499,999.999…9 → floors 250,000,
    # 249,999 and 499,999 leave 2 ten-thousandths of a percent for the two largest remainders
    assert basis.total == 2**65 + 21
    assert [round(p * 10**4) for p in percent] == [250_000, 250_000, 500_000]
    shares = split_one(100_000_000_00, pd.Series(np.asarray(weights, dtype=np.uint64), index=CODES[:3]))
    assert int(shares.sum()) == 100_000_000_00 and (shares > 0).all()


def test_no_cast_wraps():
    huge = np.asarray([2**63 + 1], dtype=np.uint64)
    with pytest.raises(OverflowError):
        to_int64(huge)
    with pytest.raises(OverflowError):
        to_int64(np.asarray([2**70], dtype=object))
    # int64 ÷ uint64 would be a float64 quotient in numpy: the helpers divide exact Python ints instead
    assert floor_div(np.asarray([3 * 2**61 + 1], dtype=np.int64), np.asarray([3], dtype=np.uint64)).tolist() == [2**61]
    assert half_up_div(np.asarray([2**64 - 1], dtype=np.uint64), 2).tolist() == [2**63]
    with pytest.raises(TypeError):
        big(np.asarray([0.5]))


def test_summary_share_column_sums_to_exactly_100_percent(tmp_path):
    """A true value BOCES of $465 billion (bases each past 2**63 internal units), run end to end: the Share % column
    on the summary and on each statement is positive and its shown values (four decimals) sum to 100.0000 %."""
    import openpyxl

    from apportion.batch import run_batch

    from . import corpus as C
    sheets = C.variant(Apportionment_method="true value")
    for row, value in enumerate([100_000_000_000.25, 150_000_000_000, 120_000_000_000.5, 95_000_000_000.34], 1):
        C.set_cell(sheets, "Districts", "Full value", row, value)
    batch = run_batch([C.write(tmp_path / "job.xlsx", sheets)], tmp_path / "out", jobs=1)
    assert batch.exit_code == 0
    book = openpyxl.load_workbook(tmp_path / "out" / "CR01_2026-27" / "CR01_2026-27_summary.xlsx")
    ws = book["Administrative"]
    header = next(c for row in ws.iter_rows(max_row=10) for c in row if c.value == "Share %")
    shown = [ws.cell(r, header.column).value for r in range(header.row + 1, header.row + 5)]
    assert all(v > 0 for v in shown)
    assert sum(round(v * 10**6) for v in shown) == 10**6
