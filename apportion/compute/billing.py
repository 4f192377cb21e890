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
        at = services.index.get_indexer(rows["service_code"])  # each row's service: every one is listed
        district, item = rows["district_code"].to_numpy(), rows["service_code"].to_numpy()
        # a service typed without a name is printed by its code (the name is optional on Services)
        name = services["service_name"].fillna(pd.Series(services.index, index=services.index)).to_numpy()[at]
        weight, charge, credit_amount = (rows[c].to_numpy() for c in ("weight", "charge", "surplus_credit"))
        paying, credit = weight > 0, credit_amount != 0
        units = _texts(paying | credit, lambda m: units_text(rows["weight"][m], rows["divisor"][m]))
        parts.append(_rows(paying, district, "coser", item, name, units, services["unit_cost"].to_numpy()[at], charge))
        actual = rows["actual_weight"].to_numpy()
        adj = services["trued_up"].to_numpy(dtype=bool)[at] & ((actual > 0) | (charge != 0))
        actual_units = _texts(adj, lambda m: units_text(rows["actual_weight"][m], pd.Series(1, index=rows.index[m])))
        parts.append(_rows(adj, district, "coser adjustment", item, name, actual_units,
                           services["actual_unit_cost"].to_numpy()[at], rows["adjustment"].to_numpy()))
        parts.append(_rows(credit, district, "coser surplus", item, name, units, None, credit_amount))
    if len(pd_rows) and "charge" in pd_rows:
        at = contracts.index.get_indexer(pd_rows["contract"])
        contract = pd_rows["contract"].to_numpy()
        label = contracts["vendor"].fillna(pd.Series(contracts.index, index=contracts.index)).to_numpy()[at]  # no vendor: the contract
        staff = units_text(pd_rows["staff"], pd.Series(1, index=pd_rows.index)).to_numpy()
        parts.append(_rows(pd_rows["staff"].to_numpy() > 0, pd_rows["district_code"].to_numpy(), "shared pd",
                           contract, label, staff, contracts["unit_cost"].to_numpy()[at], pd_rows["charge"].to_numpy()))
    billing = pd.concat([p for p in parts if len(p)], ignore_index=True) if parts else pd.DataFrame()
    billing["district_name"] = billing["district_code"].map(names)
    billing["amount"] = billing["amount"].astype(np.int64)  # the parts concatenated: one int64 column
    billing = billing.sort_values(["district_code", "category", "item_code"], kind="stable").reset_index(drop=True)
    return billing[["district_code", "district_name", "category", "item_code", "item_name", "units", "unit_cost", "amount"]]


def _texts(mask: np.ndarray, make) -> np.ndarray:
    """Texts made (by ``make``, given the mask) only for the rows printed: the other rows' entries stay empty."""
    out = np.empty(len(mask), dtype=object)
    if mask.any():
        out[mask] = make(mask).to_numpy()
    return out


def _rows(mask: np.ndarray, district: np.ndarray, category: str, item: np.ndarray, name: np.ndarray, units: np.ndarray,
          unit_cost: np.ndarray | None, amount: np.ndarray) -> pd.DataFrame:
    """The billing rows of one category: the rows of the aligned per-row arrays where ``mask`` holds."""
    return pd.DataFrame({
        "district_code": district[mask], "category": category, "item_code": item[mask], "item_name": name[mask],
        "units": units[mask], "unit_cost": unit_cost[mask] if unit_cost is not None else pd.NA,
        "amount": amount[mask]})
