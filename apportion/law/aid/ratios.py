"""BOCES aid ratios: tax rate, millage ratio, wealth and RWADA ratios, the sharing ratio and the
capital ratio, in statute order.

Statute: Educ. Law §1950(5)(a),(g); §3602(3)(f). rules §5. Ratios are integer thousandths, tax
rates integer tenths of a mill; each truncation is an exact integer operation.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from ...exact import QUANTITY_SCALE, big, floor_div, half_up_div, to_int64

#: district types the three-mill rule applies to (a central high school district and its components)
CHSD_TYPES = ("CHSD", "CHSD component")


def millage_mills(district_type: pd.Series, mills: int, chsd_mills: int) -> pd.Series:
    """The mills of the millage ratio: 8, or 3 for a CHSD and its components. Statute: Educ. Law §1950(5)(a)."""
    return pd.Series(np.where(district_type.isin(CHSD_TYPES), chsd_mills, mills), index=district_type.index)


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
    """Which rule decided the sharing ratio: cap, floor, millage or rwada (rules §5)."""
    best = np.maximum(millage, rwada)
    source = np.where(best > cap, "cap", np.where(best < floor, "floor", np.where(millage >= rwada, "millage", "rwada")))
    return pd.Series(source, index=millage.index, dtype=object)



def capital_ratio(rwada: pd.Series, cap: int) -> pd.Series:
    """Capital and rent aid ratio, min(cap, RWADA ratio), with no floor. Statute: Educ. Law §1950(5)(g)."""
    return np.minimum(cap, rwada)


def district_ratios(levy_cents: pd.Series, pilots_cents: pd.Series, av_cents: pd.Series, rwada_millionths: pd.Series,
                    mills: pd.Series, state_avg_cents: int, rwada_factor: Fraction, floor: int, cap: int,
                    capital_cap: int) -> pd.DataFrame:
    """Every ratio of the aid working, in statute order. Statute: Educ. Law §1950(5)(a),(g); §3602(3)(f).

    Tax rate → millage ratio; AV per RWADA → wealth ratio → RWADA ratio; the sharing ratio (the
    greater, between the floor and the cap) and which decided it; the capital ratio. AV and RWADA
    must be more than 0 (validation sees to it).
    """
    tax = tax_rate_tenths(levy_cents, pilots_cents, av_cents)
    millage = millage_ratio(tax, mills)
    av = av_per_rwada(av_cents, rwada_millionths)
    wealth = wealth_ratio(av, state_avg_cents)
    rwada = rwada_ratio(wealth, rwada_factor)
    return pd.DataFrame({"tax_rate_tenths": tax, "millage_ratio": millage, "av_per_rwada": av, "wealth_ratio": wealth,
                         "rwada_ratio": rwada, "sharing_ratio": sharing_ratio(millage, rwada, floor, cap),
                         "ratio_source": ratio_source(millage, rwada, floor, cap),
                         "capital_ratio": capital_ratio(rwada, capital_cap)}, index=av_cents.index)
