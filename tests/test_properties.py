"""Property tests (hypothesis) for the invariants of rules §2 and §5."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from apportion.law.aid import lines, ratios
from apportion.money import split, split_one

settings.register_profile("ci", deadline=None, max_examples=150)
settings.load_profile("ci")

weights = st.lists(st.integers(min_value=0, max_value=10**15), min_size=1, max_size=30).filter(lambda w: sum(w) > 0)
totals = st.integers(min_value=-(10**12), max_value=10**12)
rules = st.sampled_from(["largest remainder", "half up"])


def _series(ws: list[int]) -> pd.Series:
    return pd.Series(ws, index=[f"{i:012d}" for i in range(len(ws))], dtype=object)


@given(totals, weights, rules)
def test_shares_sum_exactly_to_the_pool(total, ws, rule):
    assert int(split_one(total, _series(ws), rounding=rule).sum()) == total


@given(totals, weights)
def test_each_share_within_one_cent_of_exact(total, ws):
    shares = split_one(total, _series(ws))
    exact = [Fraction(total * w, sum(ws)) for w in ws]
    assert all(abs(s - e) < 1 for s, e in zip(shares.tolist(), exact))


@given(totals, weights, rules, st.randoms())
def test_row_order_changes_nothing(total, ws, rule, rnd):
    s = _series(ws)
    shuffled = s.sample(frac=1, random_state=rnd.randint(0, 2**31))
    a = split_one(total, s, rounding=rule)
    b = split_one(total, shuffled, rounding=rule)
    assert a.to_dict() == b.to_dict()


@given(totals, weights)
def test_zero_weight_pays_zero_and_larger_weight_never_pays_less(total, ws):
    shares = split_one(abs(total), _series(ws)).tolist()
    for w, s in zip(ws, shares):
        if w == 0:
            assert s == 0
    order = sorted(range(len(ws)), key=lambda i: ws[i])
    for lo, hi in zip(order, order[1:]):
        if ws[hi] > ws[lo]:
            assert shares[hi] >= shares[lo]


@given(st.lists(st.tuples(totals, weights), min_size=1, max_size=6), rules)
def test_grouped_split_equals_split_per_group(groups, rule):
    rows = [(g, f"{i:012d}", w) for g, (_, ws) in enumerate(groups) for i, w in enumerate(ws)]
    frame = pd.DataFrame(rows, columns=["group", "code", "weight"])
    frame["weight"] = frame["weight"].astype(object)
    out = split(pd.Series({g: t for g, (t, _) in enumerate(groups)}), frame["group"], frame["weight"], frame["code"], rule)
    for g, (t, ws) in enumerate(groups):
        alone = split_one(t, _series(ws), rounding=rule)
        assert out[frame["group"] == g].tolist() == alone.tolist()


@given(st.lists(st.tuples(st.integers(-(2**30), 2**30), st.lists(st.integers(0, 2**30), min_size=1, max_size=30)
                          .filter(lambda w: sum(w) > 0)), min_size=1, max_size=6), rules)
def test_int64_split_equals_the_python_int_split(groups, rule):
    # weights and totals ≤ 2**30: wmax × (2 × |total| + 2n + 4) ≤ 2**30 × (2**31 + 364) < 2**62, so
    # split takes its int64 path; the same weights as Python ints (object) take the exact path: same cents
    rows = [(g, f"{i:012d}", w) for g, (_, ws) in enumerate(groups) for i, w in enumerate(ws)]
    frame = pd.DataFrame(rows, columns=["group", "code", "weight"])
    totals_by_group = pd.Series({g: t for g, (t, _) in enumerate(groups)})
    fast = split(totals_by_group, frame["group"], frame["weight"].astype(np.int64), frame["code"], rule)
    exact = split(totals_by_group, frame["group"], frame["weight"].astype(object), frame["code"], rule)
    assert fast.tolist() == exact.tolist()
    for g, (t, ws) in enumerate(groups):
        assert int(fast[frame["group"] == g].sum()) == t


ratio_values = st.integers(min_value=0, max_value=3000)


@given(st.lists(st.tuples(ratio_values, ratio_values), min_size=1, max_size=20))
def test_sharing_ratio_stays_between_floor_and_cap(pairs):
    m = pd.Series([p[0] for p in pairs])
    r = pd.Series([p[1] for p in pairs])
    s = ratios.sharing_ratio(m, r, 360, 900)
    assert ((s >= 360) & (s <= 900)).all()


@given(st.lists(st.tuples(st.integers(0, 10**10), st.integers(0, 900)), min_size=1, max_size=20))
def test_aid_never_exceeds_approved_cost(pairs):
    expense = pd.Series([p[0] for p in pairs], dtype=np.int64)
    ratio = pd.Series([p[1] for p in pairs], dtype=np.int64)
    for line in (lines.aid_half_up(expense, ratio), lines.aid_truncated(expense, ratio)):
        assert ((line >= 0) & (line <= expense)).all()


@given(st.integers(1, 10**13), st.integers(1, 10**11), st.integers(0, 10**11))
def test_ratios_match_exact_fraction_arithmetic(av_cents, rwada_millionths, levy_cents):
    """The integer paths equal the SPEC formulas done with exact fractions."""
    avpr = ratios.av_per_rwada(pd.Series([av_cents]), pd.Series([rwada_millionths]))[0]
    assert avpr == (Fraction(av_cents, 100) / Fraction(rwada_millionths, 10**6)).__floor__()
    tenths = ratios.tax_rate_tenths(pd.Series([levy_cents]), pd.Series([0]), pd.Series([av_cents]))[0]
    exact = Fraction(1000 * levy_cents, av_cents) * 10
    assert tenths == (exact + Fraction(1, 2)).__floor__()
    if tenths:
        millage = ratios.millage_ratio(pd.Series([tenths]), pd.Series([8]))[0]
        assert millage == max(0, 1000 - (Fraction(8 * 10, tenths) * 1000).__floor__())
