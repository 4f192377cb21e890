"""BOCES aid: the sharing ratio, approved expenses and the four aid lines.

Statute: Educ. Law §1950(5)(a),(b),(g),(4)(m); §3602(3)(f). SPEC §5. Ratios are
integer thousandths, tax rates integer tenths of a mill, expenses and aid
whole dollars: every truncation and rounding point is an exact integer
operation, reproducing the State's published aid run to the dollar.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from ..exact import QUANTITY_SCALE, big, floor_div, half_up_div, to_int64


def tax_rate_tenths(levy_cents: pd.Series, pilots_cents: pd.Series, av_cents: pd.Series) -> pd.Series:
    """Tax rate in mills to the nearest tenth, half_up(1000 × (levy + PILOTs) / AV, 1). Statute: Educ. Law §1950(5)(a)."""
    numerator = (big(levy_cents.to_numpy()) + big(pilots_cents.to_numpy())) * 10_000
    return pd.Series(to_int64(half_up_div(numerator, big(av_cents.to_numpy()))), index=av_cents.index)


def millage_ratio(tax_tenths: pd.Series, mills: pd.Series) -> pd.Series:
    """max(0, 1 − trunc3(M / tax rate)) in thousandths; 0 when the tax rate is 0. Statute: Educ. Law §1950(5)(a).

    M / (T/10) × 1000 = 10000·M / T, truncated by integer floor division.
    """
    t = tax_tenths.to_numpy(dtype=np.int64)
    quotient = floor_div(10_000 * mills.to_numpy(dtype=np.int64), np.where(t == 0, 1, t))
    ratio = np.maximum(0, 1000 - quotient)
    return pd.Series(np.where(t == 0, 0, ratio), index=tax_tenths.index)


def av_per_rwada(av_cents: pd.Series, rwada_millionths: pd.Series) -> pd.Series:
    """Actual valuation per RWADA in whole dollars, truncated. Statute: §3602(3); NYSED prints it truncated."""
    numerator = big(av_cents.to_numpy()) * (QUANTITY_SCALE // 100)
    return pd.Series(to_int64(floor_div(numerator, big(rwada_millionths.to_numpy()))), index=av_cents.index)


def wealth_ratio(av_per_rwada_dollars: pd.Series, state_avg_cents: int) -> pd.Series:
    """RWADA wealth ratio in thousandths, trunc3(AV per RWADA / state average). Statute: Educ. Law §3602(3)."""
    numerator = big(av_per_rwada_dollars.to_numpy()) * 100_000
    return pd.Series(to_int64(floor_div(numerator, state_avg_cents)), index=av_per_rwada_dollars.index)


def rwada_ratio(wealth_thousandths: pd.Series, factor: Fraction) -> pd.Series:
    """max(0, 1 − trunc3(0.51 × WR)) in thousandths: the product is truncated, then subtracted. Statute: §3602(3)(f)(2)."""
    product = floor_div(wealth_thousandths.to_numpy(dtype=np.int64) * factor.numerator, factor.denominator)
    return pd.Series(np.maximum(0, 1000 - product), index=wealth_thousandths.index)


def sharing_ratio(millage: pd.Series, rwada: pd.Series, floor: int, cap: int) -> pd.Series:
    """min(cap, max(floor, millage ratio, RWADA ratio)) in thousandths. Statute: Educ. Law §1950(5)(a); §3602(3)(f)."""
    return np.minimum(cap, np.maximum(floor, np.maximum(millage, rwada)))


def ratio_source(millage: pd.Series, rwada: pd.Series, floor: int, cap: int) -> pd.Series:
    """Which rule decided the sharing ratio: cap, floor, millage or rwada (SPEC §5)."""
    best = np.maximum(millage, rwada)
    source = np.where(best > cap, "cap", np.where(best < floor, "floor", np.where(millage >= rwada, "millage", "rwada")))
    return pd.Series(source, index=millage.index, dtype=object)


def capital_ratio(rwada: pd.Series, cap: int) -> pd.Series:
    """Capital and rent aid ratio, min(cap, RWADA ratio), with no floor. Statute: Educ. Law §1950(5)(g)."""
    return np.minimum(cap, rwada)


def aid_half_up(expense_dollars: pd.Series, ratio_thousandths: pd.Series) -> pd.Series:
    """half_up(expense × ratio, 0): administrative, services and capital aid. Statute: Educ. Law §1950(5)(a),(g)."""
    product = big(expense_dollars.to_numpy()) * big(ratio_thousandths.to_numpy())
    return pd.Series(to_int64(half_up_div(product, 1000)), index=expense_dollars.index)


def aid_truncated(expense_dollars: pd.Series, ratio_thousandths: pd.Series) -> pd.Series:
    """⌊expense × ratio⌋: rent aid truncates on the State's run (SPEC §5). Statute: Educ. Law §1950(5)(g)."""
    product = big(expense_dollars.to_numpy()) * big(ratio_thousandths.to_numpy())
    return pd.Series(to_int64(floor_div(product, 1000)), index=expense_dollars.index)


# --- approved expenses (estimate mode) -----------------------------------------------

def total_expenses(admin_budget_used: int, service_budgets: pd.Series, shared_pd_costs: pd.Series) -> int:
    """Total expenses behind the 10 % limit, cents. Statute: Educ. Law §1950(5)(b); SPEC §5.

    The administrative budget in force, every CoSer budget and every shared-PD contract's cost.
    """
    return admin_budget_used + int(service_budgets.fillna(0).sum()) + int(shared_pd_costs.fillna(0).sum())


def expense_limit(total_expenses_cents: int, limit: Fraction) -> Fraction:
    """The limit on approved administrative cost: ``limit`` (10 %) of total expenses, exact cents.
    Statute: Educ. Law §1950(5)(b)."""
    return limit * total_expenses_cents


def approved_admin_cost(admin_budget_used: int, admin_salaries_over_limit: int, limit_cents: Fraction) -> Fraction:
    """Approved administrative cost: the salary limit, then the 10 % limit. Statute: Educ. Law §1950(5)(b).

    min(administrative budget − salaries over the limit, the expense limit), exact cents.
    """
    return min(Fraction(max(0, admin_budget_used - admin_salaries_over_limit)), limit_cents)


def admin_factor(admin_budget_used: int, approved_cents: Fraction) -> Fraction:
    """Approved share of each administrative charge: approved cost ÷ the budget. Statute: Educ. Law §1950(5)(b).

    0 when the budget is 0.
    """
    if admin_budget_used <= 0:
        return Fraction(0)
    return approved_cents / admin_budget_used


def dollars_half_up(cents: pd.Series, factor: Fraction = Fraction(1)) -> pd.Series:
    """half_up(cents × factor / 100) in whole dollars."""
    numerator = big(cents.to_numpy()) * factor.numerator
    return pd.Series(to_int64(half_up_div(numerator, factor.denominator * 100)), index=cents.index)


def sum_half_up_dollars(keys: pd.Series, cents: pd.Series, num: pd.Series, den: pd.Series,
                        index: pd.Index) -> pd.Series:
    """half_up(Σ cents × num / den, 0) in dollars per key, exactly.

    The terms have different denominators (one per service or contract), so the
    sum is taken in fixed point with 10⁻²⁴ of a dollar and a count of the inexact
    terms bounds the true sum; only a key whose bounds straddle a half-dollar
    (practically never) is re-summed with exact fractions.
    """
    scale = 10**24
    t = big(cents.to_numpy()) * big(num.to_numpy()) * scale
    d = big(den.to_numpy()) * 100
    q, r = t // d, t % d
    pos = index.get_indexer(keys.to_numpy())
    low = np.zeros(len(index), dtype=object)
    np.add.at(low, pos, q)
    count = np.zeros(len(index), dtype=np.int64)
    np.add.at(count, pos, (r != 0).astype(np.int64))
    lo = half_up_div(low, scale)
    hi = half_up_div(low + count.astype(object), scale)
    result = pd.Series(to_int64(lo), index=index)
    unsure = index[(lo != hi)]
    if len(unsure):
        rows = keys.isin(unsure).to_numpy()
        exact = pd.Series([Fraction(int(c) * int(n), int(dd) * 100) for c, n, dd in
                           zip(cents.to_numpy()[rows], num.to_numpy()[rows], den.to_numpy()[rows])],
                          index=keys.to_numpy()[rows], dtype=object)
        sums = exact.groupby(level=0).agg(lambda s: sum(s, Fraction(0)))
        result.loc[sums.index] = [int(half_up_div(np.array([f.numerator], dtype=object), f.denominator)[0])
                                  for f in sums]
    return result
