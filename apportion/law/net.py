"""Net cost to a district: charges less BOCES aid, the change from last year and the tax impact.

rules §5 (net cost) and docs/formats.md (tax impact = net cost ÷ full value × 1,000). Money in cents,
aid in whole dollars; the tax impact in ten-thousandths of a dollar per $1,000 of full value.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..exact import big, fits_int64, half_up_div


def net_cost(total_charges_cents: pd.Series, total_aid_dollars: pd.Series) -> pd.Series:
    """Charges less aid, in cents. rules §5: the aid lines are whole dollars, so aid counts as dollars × 100."""
    return total_charges_cents - total_aid_dollars * 100


def change(total_charges_cents: pd.Series, prior_cents: pd.Series) -> pd.Series:
    """Change in total charges from the prior year, cents; missing where no prior year is given (docs/formats.md)."""
    return total_charges_cents - prior_cents  # Int64: a blank prior year is not given, and gives no change


def change_percent(change_cents: pd.Series, prior_cents: pd.Series) -> pd.Series:
    """The change as a percent of the prior year's charges, for reading (docs/formats.md); NaN without a prior year."""
    c = change_cents.to_numpy(dtype=float, na_value=np.nan)
    p = prior_cents.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.Series(np.where(p != 0, c / p * 100, np.nan), index=change_cents.index)


def tax_impact_x10000(net_cost_cents: pd.Series, full_value_cents: pd.Series) -> pd.Series:
    """Tax impact: net cost ÷ full value × 1,000, dollars per $1,000 of full value, to 4 decimals half up (docs/formats.md).

    Held as an integer of ten-thousandths; missing where the full value is missing or 0.
    """
    has_fv = full_value_cents.notna() & (full_value_cents > 0)  # not typed for every method: no impact then
    impact = pd.Series(pd.NA, index=net_cost_cents.index, dtype="Int64")
    if has_fv.any():
        num = big(net_cost_cents[has_fv].to_numpy()) * 1000 * 10_000
        values = half_up_div(num, big(full_value_cents[has_fv].to_numpy(dtype=np.int64)))
        if not fits_int64(max(abs(int(v)) for v in values)):  # a tiny full value: kept exact, never wrapped
            impact = impact.astype(object)
            impact.loc[has_fv] = values
            return impact
        impact.loc[has_fv] = values.astype(np.int64)
    return impact


def proposed_total_charges(total_charges_cents: pd.Series, admin_proposed: pd.Series,
                           admin_charged: pd.Series) -> pd.Series:
    """Total charges had the proposed administrative budget been adopted (rules §6, a failed vote): the charged
    total with the contingency administrative share swapped for the proposed one."""
    delta = (admin_proposed - admin_charged).reindex(total_charges_cents.index, fill_value=0)  # no share: no change
    return total_charges_cents + delta
