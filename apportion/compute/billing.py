"""The billing table: one row per charge, as billing.csv lays it out (docs/formats.md, Outputs)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..exact import QUANTITY_SCALE, half_up_div, scaled_text
from ..model import Job


def units_text(weight: pd.Series, divisor: pd.Series) -> pd.Series:
    """Basis units as exact decimal text, averages to six decimals (half up), trailing zeros dropped."""
    # millionths of a unit; int64 is exact: a weight is at most 3 columns × the quantity bound (3 × 10**12)
    scaled = half_up_div(weight.to_numpy(dtype=np.int64), divisor.to_numpy(dtype=np.int64))
    return pd.Series(scaled_text(scaled, QUANTITY_SCALE, trim=True), index=weight.index, dtype=object)


def basis_text(basis) -> pd.Series:
    """The apportionment basis as billing.csv prints it: full value in dollars, pupils, or the
    blended weight with exactly six decimals."""
    return pd.Series(scaled_text(basis.shown.to_numpy(), basis.scale, trim=basis.method != "blend"),
                     index=basis.shown.index, dtype=object)


def billing_table(job: Job, basis, shares: pd.DataFrame, services: pd.DataFrame, rows: pd.DataFrame,
             contracts: pd.DataFrame, pd_rows: pd.DataFrame, pool_rent: int, admin_surplus: int) -> pd.DataFrame:
    """One row per charge, docs/formats.md billing.csv (units as exact decimals, money in cents)."""
    names = job.districts["district_name"]
    parts = []
    basis_units = basis_text(basis)
    pool_rows = [("administrative", "ADMIN", "Administrative budget", "administrative", True),
                 ("capital", "CAPITAL", "Capital budget", "capital", True),
                 ("rent", "RENT", "Rent budget", "rent", pool_rent != 0),
                 ("administrative surplus", "ADMIN-SURPLUS", "Administrative surplus", "administrative_surplus",
                  admin_surplus != 0)]
    for category, item, label, column, wanted in pool_rows:
        if wanted:
            parts.append(pd.DataFrame({"district_code": shares.index, "category": category, "item_code": item,
                                       "item_name": label, "units": basis_units.to_numpy(), "unit_cost": pd.NA,
                                       "amount": shares[column].to_numpy()}))
    if len(rows):
        # a service typed without a name is printed by its code (the name is optional on Services)
        service_name = rows["service_code"].map(services["service_name"]).fillna(rows["service_code"])
        units = units_text(rows["weight"], rows["divisor"])
        paying = rows["weight"] > 0
        parts.append(_rows(rows[paying], "coser", service_name, units, rows["service_code"].map(services["unit_cost"]),
                           rows["charge"]))
        trued = rows["service_code"].map(services["trued_up"])  # bool: every row's service is listed
        actual_units = units_text(rows["actual_weight"], pd.Series(1, index=rows.index))
        adj = trued & ((rows["actual_weight"] > 0) | (rows["charge"] != 0))
        parts.append(_rows(rows[adj], "coser adjustment", service_name, actual_units,
                           rows["service_code"].map(services["actual_unit_cost"]), rows["adjustment"]))
        credit = rows["surplus_credit"] != 0
        parts.append(_rows(rows[credit], "coser surplus", service_name, units, None, rows["surplus_credit"]))
    if len(pd_rows) and "charge" in pd_rows:
        label = pd_rows["contract"].map(contracts["vendor"]).fillna(pd_rows["contract"])  # no vendor: the contract
        staff = units_text(pd_rows["staff"], pd.Series(1, index=pd_rows.index))
        attended = pd_rows["staff"] > 0
        parts.append(_rows(pd_rows[attended].rename(columns={"contract": "service_code"}), "shared pd", label, staff,
                           pd_rows["contract"].map(contracts["unit_cost"]), pd_rows["charge"]))
    billing = pd.concat([p for p in parts if len(p)], ignore_index=True) if parts else pd.DataFrame()
    billing["district_name"] = billing["district_code"].map(names)
    billing["amount"] = billing["amount"].astype(np.int64)  # the parts concatenated: one int64 column
    billing = billing.sort_values(["district_code", "category", "item_code"], kind="stable").reset_index(drop=True)
    return billing[["district_code", "district_name", "category", "item_code", "item_name", "units", "unit_cost", "amount"]]


def _rows(rows: pd.DataFrame, category: str, name: pd.Series, units: pd.Series, unit_cost: pd.Series | None,
          amount: pd.Series) -> pd.DataFrame:
    idx = rows.index
    return pd.DataFrame({
        "district_code": rows["district_code"].to_numpy(), "category": category,
        "item_code": rows["service_code"].to_numpy(), "item_name": name.loc[idx].to_numpy(),
        "units": units.loc[idx].to_numpy(),
        "unit_cost": unit_cost.loc[idx].to_numpy() if unit_cost is not None else pd.NA,
        "amount": amount.loc[idx].to_numpy()})
