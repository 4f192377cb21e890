"""Collaboration credit: logged implementation hours → credits.

Source: the professional-collaboration credit program (a credit "for each quarter … that teachers spend at
least 10 hours"; hours may be spread over quarters). Rules §7.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..exact import QUANTITY_SCALE


def collaboration_credits(hours: pd.DataFrame, hours_per_credit: int) -> pd.DataFrame:
    """Per teacher: credits = min(⌊total hours / hours_per_credit⌋, quarters with hours logged). Rules §7.

    The program awards a credit for each quarter in which a teacher spends at least
    ``hours_per_credit`` hours, and lets hours carry across quarters (5 + 5 over two
    quarters earn one), so 40 hours in one quarter earn one credit, not four: the
    cap is the number of quarters with hours logged (a row of 0 hours logs nothing).
    Credit is registered at the end of the teacher's last quarter with hours; the
    choice on the teacher's last row decides whether the teacher wants credit (a
    teacher may decide at any point to earn it). Those who do not are listed with
    their hours and 0 credits. ``capped`` marks where the quarter cap bites.
    """
    columns = ["teacher", "district_code", "quarters", "first_quarter", "registered_quarter", "hours",
               "wants_credit", "credits_by_hours", "credits", "capped"]
    if hours.empty:
        return pd.DataFrame(columns=columns)
    frame = hours.assign(district_code=hours["district_code"].fillna(""))  # hours logged for no district
    ordered = frame.sort_values(["teacher", "district_code", "quarter", "excel_row"])
    keys = ["teacher", "district_code"]
    out = ordered.groupby(keys, sort=True).agg(hours=("hours", "sum"),
                                               wants_credit=("wants_credit", "last")).reset_index()
    logged = ordered[ordered["hours"] > 0].groupby(keys, sort=True).agg(
        quarters=("quarter", "nunique"), first_quarter=("quarter", "first"),
        registered_quarter=("quarter", "last")).reset_index()
    out = out.merge(logged, on=keys, how="left")
    out["quarters"] = out["quarters"].fillna(0).astype(np.int64)  # no quarter with hours logged: 0 quarters
    per_credit = hours_per_credit * QUANTITY_SCALE
    by_hours = out["hours"] // per_credit
    earned = np.minimum(by_hours, out["quarters"])
    out["credits_by_hours"] = np.where(out["wants_credit"], by_hours, 0)
    out["credits"] = np.where(out["wants_credit"], earned, 0)
    out["capped"] = out["wants_credit"] & (by_hours > out["quarters"])
    return out[columns]
