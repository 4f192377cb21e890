"""COSER 507 shared professional development: per-attendee charges and their aidable part.

Source: a BOCES's published COSER 507 rules (docs/rules.md §4); aid under Educ. Law §1950(5).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..exact import QUANTITY_SCALE
from ..money import split


def staff_attending(attendance: pd.DataFrame) -> pd.DataFrame:
    """Staff attending per contract and district: sign-in rows for several dates add up (the COSER 507 rules, rules §4)."""
    contract, contracts = pd.factorize(attendance["contract"], sort=True)
    district, districts = pd.factorize(attendance["district_code"], sort=True)
    listed = (contract >= 0) & (district >= 0)  # a row without its contract or district (its own error) counts for none
    pair, pairs = pd.factorize(contract[listed].astype(np.int64) * len(districts) + district[listed], sort=True)
    staff = np.zeros(len(pairs), dtype=np.int64)  # a blank count (its own error) adds nothing
    np.add.at(staff, pair, attendance["staff"].to_numpy(dtype=np.int64, na_value=0)[listed])
    text = "str" if len(pairs) else object  # the codes as grouping by them gave: text, or nothing
    return pd.DataFrame({"contract": pd.array(contracts[pairs // max(len(districts), 1)], dtype=text),
                         "district_code": pd.array(districts[pairs % max(len(districts), 1)], dtype=text),
                         "staff": pd.array(staff, dtype=attendance["staff"].dtype)})


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


def too_few_districts(paying: pd.Series, min_paying: int) -> pd.Series:
    """Contracts fewer than ``min_paying`` districts send staff to (the COSER 507 rules: a shared contract; rules §4)."""
    return paying < min_paying


def too_long(days_millionths: pd.Series, max_days: int) -> pd.Series:
    """Contracts whose activities last ``max_days`` days or more: they must be shorter (the COSER 507 rules; rules §4)."""
    return days_millionths >= max_days * QUANTITY_SCALE


def post_dated(approved: pd.Series, start: pd.Series) -> pd.Series:
    """Contracts the board approved on or after the start date: no post-dated work (the COSER 507 rules; rules §4)."""
    return approved.astype(object) >= start.astype(object)  # datetime.date values compare as they are
