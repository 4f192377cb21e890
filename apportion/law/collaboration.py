"""Collaboration credit: logged implementation hours → credits.

Source: Stanford CSET Professional Collaboration program (shared/seeds/001). SPEC §7.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..exact import QUANTITY_SCALE


def collaboration_credits(hours: pd.DataFrame, hours_per_credit: int) -> pd.DataFrame:
    """Per teacher: total hours across quarters, credits = ⌊total / hours_per_credit⌋ (seed 001).

    Credit is registered at the end of the teacher's last logged quarter; the
    choice on that quarter's row decides whether the teacher wants credit (a
    teacher may decide at any point to earn it). Those who do not are listed
    with their hours and 0 credits.
    """
    columns = ["teacher", "district_code", "quarters", "first_quarter", "registered_quarter", "hours", "wants_credit",
               "credits"]
    if hours.empty:
        return pd.DataFrame(columns=columns)
    frame = hours.assign(district_code=hours["district_code"].fillna(""))  # hours logged for no district
    ordered = frame.sort_values(["teacher", "district_code", "quarter", "excel_row"])
    grouped = ordered.groupby(["teacher", "district_code"], sort=True)
    out = grouped.agg(quarters=("quarter", "nunique"), first_quarter=("quarter", "first"),
                      registered_quarter=("quarter", "last"), hours=("hours", "sum"),
                      wants_credit=("wants_credit", "last")).reset_index()
    per_credit = hours_per_credit * QUANTITY_SCALE
    out["credits"] = np.where(out["wants_credit"], out["hours"].astype(np.int64) // per_credit, 0)
    return out[columns]
