"""Cooperative services (CoSers): uniform unit costs and each participant's charge.

Statute: Educ. Law §1950(4)(d)(3)-(5), §1950(4)(f), §1951(1). rules §3.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..exact import QUANTITY_SCALE, big, fits_int64, half_up_div
from ..money import split

#: the basis units are Σ of these columns divided by the divisor (rules §3 table)
BASIS_COLUMNS = {
    "anticipated": (("units",), 1),
    "current": (("current_units",), 1),
    "2-year average": (("current_units", "prior_units"), 2),
    "3-year average": (("current_units", "prior_units", "prior2_units"), 3),
}


def basis_units(participation: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    """Each row's basis units under its service's unit cost basis. Statute: Educ. Law §1950(4)(d)(3).

    Returns ``weight`` (integer millionths summed over the averaged years, the
    exact split weight) and ``divisor`` (1, 2 or 3): units = weight / divisor / 10⁶.
    """
    basis = participation["service_code"].map(services["basis"]).to_numpy()
    weight = np.zeros(len(participation), dtype=np.int64)
    divisor = np.ones(len(participation), dtype=np.int64)
    for name, (columns, n) in BASIS_COLUMNS.items():
        mask = basis == name
        if mask.any():
            weight[mask] = sum(participation[c].to_numpy(dtype=np.int64)[mask] for c in columns)
            divisor[mask] = n
    return pd.DataFrame({"weight": weight, "divisor": divisor}, index=participation.index)


def per_service(services: pd.DataFrame, at: np.ndarray, values: np.ndarray) -> pd.Series:
    """Σ of the rows' int64 ``values`` per service (row ``i`` belongs to service ``at[i]``), 0 for one with no row."""
    total = np.zeros(len(services), dtype=np.int64)
    np.add.at(total, at, values.astype(np.int64, copy=False))
    return pd.Series(total, index=services.index)


def salaries_over_limit(staff: pd.DataFrame, services: pd.DataFrame, salary_limit_cents: int) -> pd.Series:
    """Σ max(0, salary − limit) per service, unless the Services sheet gives it. Statute: Educ. Law §1950(5)(b)."""
    at = services.index.get_indexer(staff["service_code"])
    listed = at >= 0  # a salary of a service not listed is validation's error
    excess = np.maximum(staff["salary"].to_numpy(dtype=np.int64, na_value=0)[listed] - salary_limit_cents, 0)
    computed = per_service(services, at[listed], excess).to_numpy()
    given = services["salaries_over_limit"]
    # a blank Salaries over limit means "computed from the Staff sheet" (docs/formats.md, Services): not a 0
    blank = given.isna().to_numpy()
    return pd.Series(np.where(blank, computed, given.to_numpy(dtype=np.int64, na_value=0)), index=services.index)


def unit_cost_cents(budget: pd.Series, total_weight: pd.Series, divisor: pd.Series) -> pd.Series:
    """The local uniform unit cost, budget / Σ basis units, to the cent. Statute: Educ. Law §1950(4)(d)(3)."""
    numerator = big(budget.to_numpy()) * big(divisor.to_numpy()) * QUANTITY_SCALE
    denominator = big(total_weight.to_numpy())
    safe = np.where(denominator == 0, 1, denominator)
    cost = np.where(denominator == 0, 0, half_up_div(numerator, safe))
    if fits_int64(max((abs(int(c)) for c in cost), default=0)):
        return pd.Series(cost.astype(np.int64), index=budget.index)
    return pd.Series(cost, index=budget.index, dtype=object)  # exact: a tiny total of units; the caller refuses it


def charges(budget: pd.Series, rows: pd.DataFrame, weight: pd.Series, rounding: str) -> pd.Series:
    """Each participant's charge: the budget split by basis units (rules §3, §2 rounding)."""
    return split(budget, rows["service_code"], weight, rows["district_code"], rounding)


def trued_up(swd: pd.Series, rows: pd.DataFrame) -> pd.Series:
    """Services charged finally on actual participation: students-with-disabilities services whose actual
    units are given. Statute: Educ. Law §1950(4)(d)(3)."""
    has_actual = swd.index.isin(rows["service_code"].to_numpy()[rows["actual_units"].notna().to_numpy()])
    return swd & pd.Series(has_actual, index=swd.index)  # bool also with no row


def final_cost(budget: pd.Series, actual_cost: pd.Series, trued: pd.Series) -> pd.Series:
    """What a service finally costs: a trued-up service's actual cost when given, else its budget.
    Statute: Educ. Law §1950(4)(d)(3)."""
    return actual_cost.where(trued & actual_cost.notna(), budget)


def actual_weight(actual_units: pd.Series) -> pd.Series:
    """Each row's weight in the true-up: its actual units (millionths); a row without them weighs nothing.
    Statute: Educ. Law §1950(4)(d)(3)."""
    # a blank Actual units cell is 0 units (docs/formats.md, Participation; warned actual-units-blank), but stays
    # blank in the frame: whether any actual units are given decides the true-up (trued_up)
    return actual_units.fillna(0).astype(np.int64)


def final_charges(final_cost: pd.Series, rows: pd.DataFrame, trued: pd.Series, actual_weight: pd.Series,
                  charge: pd.Series, rounding: str) -> pd.Series:
    """Each participant's final charge. Statute: Educ. Law §1950(4)(d)(3).

    On a trued-up service (``trued``, per row) the service's final cost split by actual units; on any
    other, the charge on the basis units.
    """
    final = charge.copy()
    if trued.any():
        final.loc[trued] = charges(final_cost, rows[trued], actual_weight[trued], rounding)
    return final


def adjustment(final_charge: pd.Series, charge: pd.Series) -> pd.Series:
    """The true-up adjustment billed beside the charge: final charge less the charge. Statute: Educ. Law §1950(4)(d)(3)."""
    return final_charge - charge


def surplus_credits(surplus: pd.Series, rows: pd.DataFrame, weight: pd.Series, rounding: str) -> pd.Series:
    """Each participant's share of a service surplus, as a credit (an assessment, negative, as a charge),
    returned by the same basis units as the charges. Statute: Educ. Law §1950(4)(f)."""
    return -charges(surplus, rows, weight, rounding)


def nothing_to_share_by(total_weight: pd.Series, amount: pd.Series) -> pd.Series:
    """Services with an amount to share (a budget, a surplus, a cost to true up) but no units to share it by:
    the charge cannot be apportioned. Statute: Educ. Law §1950(4)(d)(3), (f)."""
    return (total_weight == 0) & (amount != 0)


def approvals_over_participants(approvals: pd.Series, participants: pd.Series) -> pd.Series:
    """More approvals than participating component districts: impossible, so the count is wrong.
    Statute: Educ. Law §1950(4)(d)(3)."""
    return approvals.notna() & (approvals.fillna(0) > participants * QUANTITY_SCALE)  # a blank count: not over


def participants(rows: pd.DataFrame, weight: pd.Series, component_codes) -> pd.Series:
    """Per service, the component districts taking part (basis units above 0): those whose approval of the
    methodology counts. Statute: Educ. Law §1950(4)(d)(3)."""
    taking = (weight > 0).to_numpy() & rows["district_code"].isin(component_codes).to_numpy()
    service, services = pd.factorize(rows["service_code"].to_numpy()[taking], sort=True)
    district, districts = pd.factorize(rows["district_code"].to_numpy()[taking])
    pairs = pd.unique(service.astype(np.int64) * max(len(districts), 1) + district)  # each district once a service
    counts = np.bincount(pairs // max(len(districts), 1), minlength=len(services)).astype(np.int64)
    return pd.Series(counts, index=pd.Index(services, name="service_code"), name="district_code")


def approval_shortfall(participants: pd.Series, approvals: pd.Series, fraction) -> pd.Series:
    """True where fewer than ⌈fraction × participants⌉ approved. Statute: Educ. Law §1950(4)(d)(3)."""
    needed = approvals_needed(participants, fraction)
    return approvals.notna() & (approvals.fillna(0) < needed * QUANTITY_SCALE)  # a blank count: approval_unknown


def approval_unknown(participants: pd.Series, approvals: pd.Series) -> pd.Series:
    """True where a service with participants has no approval count: the three-quarters check of Educ. Law
    §1950(4)(d)(3) cannot be made."""
    return approvals.isna() & (participants > 0)


def approvals_needed(participants: pd.Series, fraction) -> pd.Series:
    """⌈fraction × participants⌉, exactly."""
    return -((-participants * fraction.numerator) // fraction.denominator)


def aidable_fraction(services: pd.DataFrame, over_limit: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(numerator, denominator) of each service's aidable fraction. Statute: Educ. Law §1950(5)(b), (q).

    0 when the service is not aidable, is transportation (aided as transportation
    aid instead) or has budget 0; else (budget − salaries over limit − non-aidable) / budget.
    """
    budget = services["budget"]
    num = (budget - over_limit - services["non_aidable"]).clip(lower=0)
    excluded = ~services["aidable"] | services["transportation"] | (budget == 0)
    num = num.where(~excluded, 0)
    den = budget.where(budget != 0, 1)
    return num, den
