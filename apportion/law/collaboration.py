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
    # one sort of the rows by teacher, district (blank: hours logged for no district), quarter and row, then each
    # teacher's figures from the boundaries of its run of rows: numpy over the rows, no grouping per teacher
    teacher, teachers = pd.factorize(hours["teacher"].to_numpy(dtype=object), sort=True)
    district, districts = pd.factorize(hours["district_code"].fillna("").to_numpy(dtype=object), sort=True)
    quarter, quarter_names = pd.factorize(hours["quarter"].to_numpy(dtype=object), sort=True)
    order = np.lexsort((hours["excel_row"].to_numpy(), quarter, district, teacher))
    key = teacher[order] * len(districts) + district[order]
    begins = np.r_[True, key[1:] != key[:-1]]  # the first row of each teacher (and district)
    starts, group = np.flatnonzero(begins), np.cumsum(begins) - 1
    logged_hours = hours["hours"].to_numpy(dtype=np.int64)[order]
    wants = hours["wants_credit"].to_numpy(dtype=bool)[order][np.r_[starts[1:], len(order)] - 1]  # the last row's
    # the quarters with hours logged (a row of 0 hours logs nothing), in quarter order within each teacher's rows
    logged = np.flatnonzero(logged_hours > 0)
    lgroup, lquarter = group[logged], quarter[order][logged]
    changes = lgroup[1:] != lgroup[:-1]
    distinct = np.r_[True, changes | (lquarter[1:] != lquarter[:-1])][:len(logged)]  # none logged: none
    first, last = np.r_[True, changes][:len(logged)], np.r_[changes, True][:len(logged)]
    quarters = np.bincount(lgroup[distinct], minlength=len(starts)).astype(np.int64)
    first_quarter = np.full(len(starts), np.nan, dtype=object)  # no quarter with hours logged: none
    registered_quarter = first_quarter.copy()
    first_quarter[lgroup[first]] = quarter_names[lquarter[first]]
    registered_quarter[lgroup[last]] = quarter_names[lquarter[last]]
    total = np.add.reduceat(logged_hours, starts)
    per_credit = hours_per_credit * QUANTITY_SCALE
    by_hours = total // per_credit
    kind = hours["quarter"].dtype
    return pd.DataFrame({
        "teacher": teachers[teacher[order][starts]], "district_code": districts[district[order][starts]],
        "quarters": quarters, "first_quarter": pd.Series(first_quarter, dtype=kind),
        "registered_quarter": pd.Series(registered_quarter, dtype=kind), "hours": total, "wants_credit": wants,
        "credits_by_hours": np.where(wants, by_hours, 0), "credits": np.where(wants, np.minimum(by_hours, quarters), 0),
        "capped": wants & (by_hours > quarters)}, columns=columns)
