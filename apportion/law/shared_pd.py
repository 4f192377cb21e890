"""COSER 507 shared professional development: per-attendee charges and their aidable part.

Source: a BOCES's COSER 507 rules (shared/seeds/000); aid under Educ. Law §1950(5). SPEC §4.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..money import split


def staff_attending(attendance: pd.DataFrame) -> pd.DataFrame:
    """Staff attending per contract and district: sign-in rows for several dates add up (seed 000)."""
    grouped = attendance.groupby(["contract", "district_code"], sort=True)["staff"].sum()
    return grouped.reset_index()


def paying_districts(attending: pd.DataFrame) -> pd.Series:
    """How many districts send staff to each contract (seed 000: at least two paying districts)."""
    return attending[attending["staff"] > 0].groupby("contract")["district_code"].nunique()


def contract_charges(cost: pd.Series, attending: pd.DataFrame, rounding: str) -> pd.Series:
    """Each district's charge: the contract cost split by staff attending (seed 000; SPEC §2 rounding)."""
    return split(cost, attending["contract"], attending["staff"].astype(np.int64), attending["district_code"], rounding)


def aidable_parts(contracts: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(numerator, denominator) of each contract's aidable fraction, (cost − non-aidable) / cost.

    Meals, lodging, travel, stipends and substitutes are charged but not aidable (seed 000).
    """
    cost = contracts["cost"].astype(np.int64)
    num = (cost - contracts["non_aidable"].fillna(0).astype(np.int64)).clip(lower=0)
    return num.where(cost != 0, 0), cost.where(cost != 0, 1)
