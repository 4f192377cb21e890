"""Sharing the administrative, capital and rent budgets among component districts.

Statute: Educ. Law §1950(4)(b)(7)(i)-(ii); §1951(1). rules §1-§2.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from ..exact import QUANTITY_SCALE, big, half_up_div
from ..money import split_one
from . import special_act

#: the Districts columns each method's basis is built from (§1950(4)(b)(7)(i))
METHOD_COLUMNS = {"true value": ("full_value",), "WADA": ("rwada",), "enrollment": ("enrollment",),
                  "blend": ("full_value", "rwada")}


@dataclass(frozen=True)
class Basis:
    """Each component's apportionment basis.

    ``weight``: exact integer weights (object ints) used for the split.
    ``shown``: the basis as a person reads it — full value in dollars, pupils,
    or the blended weight to six decimals — as integers over ``scale``.
    """

    method: str
    weight: pd.Series
    shown: pd.Series
    scale: int

    @property
    def total(self) -> int:
        """Σ weights, exactly: summed as Python ints (a numpy sum of uint64 or int64 weights would wrap)."""
        return int(big(self.weight.to_numpy()).sum())

    def share_percent(self) -> pd.Series:
        """Each district's share of the pool in percent to four decimals, for reading (money never uses it).

        Settled like money (rules §2): 100.0000 % is 1,000,000 ten-thousandths of a
        percent, split by the exact weights with the largest-remainder rule, so the
        shown column always sums to exactly 100.0000 % — at any magnitude, as the
        weights stay Python integers. Each value is ``k / 10⁴`` for an integer ``k``.
        """
        if self.total == 0:
            return pd.Series(0.0, index=self.weight.index)
        settled = split_one(SHARE_UNITS, self.weight)
        return settled / (SHARE_UNITS // 100)


#: 100 % in the units the shares are shown in (four decimals of a percent)
SHARE_UNITS = 10**6


def true_value_basis(full_value: pd.Series, rwada: pd.Series, is_special_act: pd.Series,
                     state_avg_av_per_rwada_cents: int) -> pd.Series:
    """True value basis in cent-millionths. Statute: Educ. Law §1950(4)(b)(7)(i)(1), (ii).

    A special act district's full value is computed from its RWADA (:func:`.special_act.true_value`);
    every other district's is its full value. Both are scaled to cents × 10⁶ so the two kinds compare exactly.
    Each district's true value reads only the column it is made from (a special act district needs no full
    value, any other no RWADA).
    """
    special = is_special_act.to_numpy(dtype=bool)
    out = np.empty(len(full_value), dtype=object)
    out[~special] = big(full_value[~special].to_numpy(dtype=np.int64)) * QUANTITY_SCALE
    out[special] = special_act.true_value(rwada[special], state_avg_av_per_rwada_cents)
    return pd.Series(out, index=full_value.index, dtype=object)


def blend_basis(tv: pd.Series, wada: pd.Series, tv_percent: Fraction) -> pd.Series:
    """Blended weight t·TVᵢ/ΣTV + w·WADAᵢ/ΣWADA, over a common denominator.

    Statute: Educ. Law §1950(4)(b)(7) (Suffolk merged supervisory district;
    Putnam-Northern Westchester schedule). Returned as exact integers
    proportional to the weight: a·TVᵢ·ΣWADA + (d−a)·WADAᵢ·ΣTV for t = a/d.
    """
    t = Fraction(tv_percent) / 100
    a, d = t.numerator, t.denominator
    sum_tv, sum_wada = int(tv.sum()), int(wada.sum())
    weight = big(tv.to_numpy()) * (a * sum_wada) + big(wada.to_numpy()) * ((d - a) * sum_tv)
    return pd.Series(weight, index=tv.index, dtype=object)


def basis(method: str, comps: pd.DataFrame, state_avg_cents: int, tv_percent: Fraction | None) -> Basis:
    """The basis of ``method`` for the component districts. Statute: Educ. Law §1950(4)(b)(7)(i).

    Reads only the columns the method's basis is made from (:data:`METHOD_COLUMNS`), each given for every
    component district (a special act district's true value from its RWADA)."""
    def pupils(column: str) -> pd.Series:
        return pd.Series(big(comps[column].to_numpy(dtype=np.int64)), index=comps.index, dtype=object)

    if method == "WADA":
        wada = pupils("rwada")
        return Basis(method, wada, wada, QUANTITY_SCALE)
    if method == "enrollment":
        enrollment = pupils("enrollment")
        return Basis(method, enrollment, enrollment, QUANTITY_SCALE)
    tv = true_value_basis(comps["full_value"], comps["rwada"], special_act.is_special_act(comps["type"]),
                          state_avg_cents)
    if method == "true value":
        return Basis(method, tv, tv, 100 * QUANTITY_SCALE)
    if method == "blend":
        weight = blend_basis(tv, pupils("rwada"), tv_percent)
        total = int(weight.sum()) or 1
        shown = pd.Series(half_up_div(big(weight.to_numpy()) * 10**6, total), index=comps.index, dtype=object)
        return Basis(method, weight, shown, 10**6)
    raise ValueError(method)  # pragma: no cover - the reader only admits the four methods


def apportion(pool_cents: int, b: Basis, rounding: str) -> pd.Series:
    """Each component's share of a pool, settled to the cent. Statute: Educ. Law §1950(4)(b)(7)(i); rules §2."""
    return split_one(pool_cents, b.weight, rounding=rounding)


def surplus_credits(surplus_cents: int, b: Basis, rounding: str) -> pd.Series:
    """Each component's share of the administrative surplus, as a credit (an assessment, negative, as a charge):
    returned by the administrative shares. Statute: Educ. Law §1950(4)(f); rules §2."""
    return -apportion(surplus_cents, b, rounding)


def putnam_nw_lawful(tv_percent: Fraction, scheduled_percent: Fraction) -> bool:
    """Putnam-Northern Westchester must blend at the statutory schedule. Statute: Educ. Law §1950(4)(b)(7)."""
    return Fraction(tv_percent) == Fraction(scheduled_percent)


#: the methods any BOCES may use; a blend is lawful only where the statute names it (§1950(4)(b)(7))
METHODS = ("true value", "WADA", "enrollment")


def method_shares(pool_cents: int, comps: pd.DataFrame, state_avg_cents: int, rounding: str,
                  blend_percent: Fraction | None) -> pd.DataFrame:
    """Each component's share of a pool under every method it could lawfully be apportioned by, a column each.
    Statute: Educ. Law §1950(4)(b)(7)(i).

    A method is shown when every component district gives its basis (a special act district's true value from
    its RWADA) and the basis does not total 0; the blend (column ``blend``) when ``blend_percent`` is given, the
    blend being lawful only where the BOCES blends already.
    """
    out = pd.DataFrame(index=comps.index)
    for method in METHODS:
        column = comps[METHOD_COLUMNS[method][0]]
        if method == "true value":
            column = special_act.basis_column(comps["type"], column, comps["rwada"])
        if column.isna().any():
            continue
        b = basis(method, comps, state_avg_cents, None)
        if b.total:
            out[method] = apportion(pool_cents, b, rounding)
    if blend_percent is not None:
        out["blend"] = apportion(pool_cents, basis("blend", comps, state_avg_cents, blend_percent), rounding)
    return out


def share_differences(shares: pd.DataFrame, chosen: str) -> pd.DataFrame:
    """Each other method's share less the share under the method in force (``chosen``): positive where the
    district would pay more under that method. Statute: Educ. Law §1950(4)(b)(7)(i) (a change of method)."""
    return pd.DataFrame({m: shares[m] - shares[chosen] for m in shares.columns if m != chosen}, index=shares.index)
