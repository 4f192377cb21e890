"""COSER 507 shared professional development: per-attendee charges and their aidable part.

Source: a BOCES's published COSER 507 rules (docs/rules.md §4); aid under Educ. Law §1950(5).
"""
from __future__ import annotations

import pandas as pd

from ..exact import QUANTITY_SCALE
from ..money import split


def staff_attending(attendance: pd.DataFrame) -> pd.DataFrame:
    """Staff attending per contract and district: sign-in rows for several dates add up (the COSER 507 rules, rules §4)."""
    grouped = attendance.groupby(["contract", "district_code"], sort=True)["staff"].sum()
    return grouped.reset_index()


def paying_districts(attending: pd.DataFrame) -> pd.Series:
    """How many districts send staff to each contract (the COSER 507 rules: at least two paying districts)."""
    return attending[attending["staff"] > 0].groupby("contract")["district_code"].nunique()


def contract_charges(cost: pd.Series, attending: pd.DataFrame, rounding: str) -> pd.Series:
    """Each district's charge: the contract cost split by staff attending (the COSER 507 rules; rules §2 rounding)."""
    return split(cost, attending["contract"], attending["staff"], attending["district_code"], rounding)


def aidable_parts(contracts: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(numerator, denominator) of each contract's aidable fraction, (cost − non-aidable) / cost.

    Meals, lodging, travel, stipends and substitutes are charged but not aidable (the COSER 507 rules, rules §4).
    """
    cost = contracts["cost"]
    num = (cost - contracts["non_aidable"]).clip(lower=0)
    return num.where(cost != 0, 0), cost.where(cost != 0, 1)


def unlawful(paying: pd.Series, days: pd.Series, credit: pd.Series, approved: pd.Series, start: pd.Series,
             min_paying: int, max_days: int) -> pd.DataFrame:
    """Contracts breaking the COSER 507 rules, one mask per rule (the COSER 507 rules; rules §4).

    ``too_few_districts``: fewer than ``min_paying`` districts sending staff; ``too_long``: ``max_days``
    days or more (days in millionths); ``credit``: college credit or a certificate granted;
    ``post_dated``: the board approved on or after the start date.
    """
    return pd.DataFrame({
        "too_few_districts": paying < min_paying,
        "too_long": days.fillna(0) >= max_days * QUANTITY_SCALE,  # a blank is the reader's error
        "credit": credit,
        "post_dated": approved.notna() & start.notna() & (approved.astype(object) >= start.astype(object)),
    }, index=paying.index)
