"""Approved expenses behind BOCES aid: total expenses and the 10 % limit, the salary limit, and
each district's approved administrative, services, capital and rent expense in whole dollars.

Statute: Educ. Law §1950(5)(b),(g). rules §5.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from ...exact import big, half_up_div, to_int64


def total_expenses(admin_budget_used: int, service_budgets: pd.Series, shared_pd_costs: pd.Series) -> int:
    """Total expenses behind the 10 % limit, cents. Statute: Educ. Law §1950(5)(b); rules §5.

    The administrative budget in force, every CoSer budget and every shared-PD contract's cost.
    """
    return admin_budget_used + int(service_budgets.sum()) + int(shared_pd_costs.sum())



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


def claimed_dollars(cents: pd.Series) -> pd.Series:
    """An amount claimed with the State, in whole dollars (claims are whole dollars; validation refuses cents).
    rules §5."""
    return cents // 100
