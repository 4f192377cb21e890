"""What changed between two runs and why: each change split exactly into its two drivers
(Educ. Law §1950(4)(b)(7), (4)(d), (5); docs/rules.md §9).

A product a × b changes by Δ(a·b) = Δa·b_old + a_new·Δb. The exact parts are fractions of a cent;
each is rounded half up to the cent and the cents left over (the billed change less the rounded
parts: the rounding of the two bills, a few cents at most) go to the part of the larger exact size,
the first on a tie, so the two parts add up to the billed change exactly.

Every join is a pandas merge on district code (and category and item code), never row order.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

ZERO = Fraction(0)
POOL_CATEGORIES = ("administrative", "administrative surplus", "capital", "rent")
UNIT_CATEGORIES = ("coser", "shared pd")
CATEGORY_ORDER = ("administrative", "administrative surplus", "capital", "rent", "coser", "coser adjustment",
                  "coser surplus", "shared pd", "aid", "total charges", "total aid", "net cost")
#: the two drivers of each kind of line, in the order of Δ(a·b) = Δa·b_old + a_new·Δb
DRIVERS = {
    "administrative": ("pool size", "basis share"), "administrative surplus": ("pool size", "basis share"),
    "capital": ("pool size", "basis share"), "rent": ("pool size", "basis share"),
    "coser": ("units", "unit cost"), "shared pd": ("units", "unit cost"),
    "coser surplus": ("surplus size", "units share"),
    "coser adjustment": ("final charge", "initial charge"),
    "aid": ("ratio", "approved expense"),
    "total charges": ("budget shares", "services"),
    "total aid": ("ratios", "expenses"),
    "net cost": ("charges", "aid"),
}
SIDE_STATUS = {"both": "both", "left_only": "old only", "right_only": "new only"}
LINE_COLUMNS = ["district_code", "district_name", "district_status", "category", "item_code", "item_name",
                "line_status", "old", "new", "change", "change_percent", "driver_1", "part_1", "driver_2", "part_2"]


def _fractions(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = [Fraction(v) for v in values] if len(values) else []
    return out


_half_up = np.frompyfunc(lambda f: int(f + Fraction(1, 2)) if f >= 0 else -int(-f + Fraction(1, 2)), 1, 1)


def settle(change: np.ndarray, part_1: np.ndarray, part_2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact parts (fractions of a cent) as whole cents adding up to ``change`` exactly.

    Each part is rounded half up (away from zero); the residue, change − the rounded parts, is added to
    the part whose exact value is larger in size (part 1 on a tie).
    """
    r1 = _half_up(part_1).astype(np.int64) if len(part_1) else np.zeros(0, dtype=np.int64)
    r2 = _half_up(part_2).astype(np.int64) if len(part_2) else np.zeros(0, dtype=np.int64)
    residue = np.asarray(change, dtype=np.int64) - r1 - r2
    first = (np.abs(part_1) >= np.abs(part_2)).astype(bool) if len(part_1) else np.zeros(0, dtype=bool)
    return r1 + np.where(first, residue, 0), r2 + np.where(first, 0, residue)


def percent_change(old: pd.Series, change: pd.Series) -> pd.Series:
    """change ÷ |old| × 100, in hundredths of a percent (half up); <NA> where old is 0."""
    old_a, change_a = old.to_numpy(dtype=object), change.to_numpy(dtype=object)
    has = old_a != 0
    out = pd.array([pd.NA] * len(old_a), dtype="Int64")
    if has.any():
        num = change_a[has] * 10_000
        den = np.abs(old_a[has])
        mag = (2 * np.abs(num) + den) // (2 * den)
        out[has] = np.where(num < 0, -mag, mag).astype(np.int64)
    return pd.Series(out, index=old.index)


def compare_lines(old, new) -> pd.DataFrame:
    """Every line of either run beside the other's, with the change and its two drivers (cents)."""
    keys = ["district_code", "category", "item_code"]
    m = old.lines.merge(new.lines, on=keys, how="outer", suffixes=("_old", "_new"), indicator="side")
    m["line_status"] = m["side"].map(SIDE_STATUS)
    m["district_name"] = m["district_name_new"].fillna(m["district_name_old"])
    m["item_name"] = m["item_name_new"].fillna(m["item_name_old"])
    m["old"] = m["amount_old"].fillna(0).astype(np.int64)
    m["new"] = m["amount_new"].fillna(0).astype(np.int64)
    m["change"] = m["new"] - m["old"]
    m = m[(m["old"] != 0) | (m["new"] != 0)].reset_index(drop=True)  # a line that is 0 on both sides says nothing
    in_old = m["district_code"].isin(old.lines["district_code"])
    in_new = m["district_code"].isin(new.lines["district_code"])
    m["district_status"] = np.where(in_old & in_new, "both", np.where(in_old, "old only", "new only"))
    m["part_1"] = pd.Series(ZERO, index=m.index, dtype=object)
    m["part_2"] = pd.Series(ZERO, index=m.index, dtype=object)
    exact = m["category"].isin(POOL_CATEGORIES + UNIT_CATEGORIES + ("coser surplus", "aid"))
    _pool_parts(m, old, new)
    _unit_parts(m, old, new)
    _surplus_parts(m, old, new)
    _aid_parts(m, old, new)
    p1, p2 = settle(m.loc[exact, "change"].to_numpy(), m.loc[exact, "part_1"].to_numpy(),
                    m.loc[exact, "part_2"].to_numpy())
    m.loc[exact, "part_1"], m.loc[exact, "part_2"] = p1, p2
    _adjustment_parts(m)
    _total_parts(m)
    m["part_1"] = m["part_1"].astype(np.int64)
    m["part_2"] = m["part_2"].astype(np.int64)
    m["driver_1"] = m["category"].map(lambda c: DRIVERS[c][0])
    m["driver_2"] = m["category"].map(lambda c: DRIVERS[c][1])
    m["change_percent"] = percent_change(m["old"], m["change"])
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    m = m.assign(_o=m["category"].map(order)).sort_values(["district_code", "_o", "item_code"], kind="stable")
    return m[LINE_COLUMNS].reset_index(drop=True)


def _lookup(frame: pd.DataFrame, table: pd.DataFrame, keys: list[str], column: str, missing=ZERO) -> np.ndarray:
    """``table[column]`` for each row of ``frame`` matched on ``keys`` (a merge, so never row order);
    ``missing`` where there is no match."""
    found = frame[keys].merge(table[keys + [column]], on=keys, how="left")[column].astype(object)
    return found.where(found.notna(), missing).to_numpy(dtype=object)


def _either(old: np.ndarray, new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A rate missing on one side (None) takes the other side's, and 0 when both are missing."""
    old, new = np.where(pd.notna(old), old, new), np.where(pd.notna(new), new, old)
    return np.where(pd.notna(old), old, ZERO), np.where(pd.notna(new), new, ZERO)


def _pool_parts(m: pd.DataFrame, old, new) -> None:
    """A pool share: pool × s, s the district's exact share of the basis. Δ = Δpool·s_old + pool_new·Δs."""
    rows = m["category"].isin(POOL_CATEGORIES)
    if not rows.any():
        return
    sub = m.loc[rows, ["district_code", "category"]]
    pools = {}
    for side, figures in (("old", old), ("new", new)):
        lines = figures.lines[figures.lines["category"].isin(POOL_CATEGORIES)]
        pools[side] = sub["category"].map(lines.groupby("category")["amount"].sum()).fillna(0).astype(object).to_numpy()
        shares = pd.DataFrame({"district_code": figures.shares.index, "share": figures.shares.to_numpy()})
        pools[f"s_{side}"] = _lookup(sub, shares, ["district_code"], "share")
    m.loc[rows, "part_1"] = (pools["new"] - pools["old"]) * pools["s_old"]
    m.loc[rows, "part_2"] = pools["new"] * (pools["s_new"] - pools["s_old"])


def _costs(figures) -> pd.DataFrame:
    if not len(figures.unit_costs):
        return pd.DataFrame(columns=["kind", "item_code", "unit_cost"])
    return figures.unit_costs.rename("unit_cost").reset_index()


def _unit_parts(m: pd.DataFrame, old, new) -> None:
    """A CoSer or shared-PD charge: units × unit cost. Δ = Δunits·cost_old + units_new·Δcost.

    A service or contract on one side only takes the other side's unit cost, so its whole change is units.
    """
    rows = m["category"].isin(UNIT_CATEGORIES)
    if not rows.any():
        return
    sub = m.loc[rows, ["district_code", "category", "item_code"]].rename(columns={"category": "kind"})
    u_old = _lookup(sub, old.units, ["kind", "item_code", "district_code"], "units")
    u_new = _lookup(sub, new.units, ["kind", "item_code", "district_code"], "units")
    c_old = _lookup(sub, _costs(old), ["kind", "item_code"], "unit_cost", missing=None)
    c_new = _lookup(sub, _costs(new), ["kind", "item_code"], "unit_cost", missing=None)
    c_old, c_new = _either(c_old, c_new)
    m.loc[rows, "part_1"] = (u_new - u_old) * c_old
    m.loc[rows, "part_2"] = u_new * (c_new - c_old)


def _service_shares(figures, services: set) -> pd.DataFrame:
    """Each participant's exact share of its service's units (what a service surplus is returned by), for
    ``services`` only."""
    u = figures.units[(figures.units["kind"] == "coser") & figures.units["item_code"].isin(services)]
    if u.empty:
        return pd.DataFrame(columns=["item_code", "district_code", "share"])
    total = u.groupby("item_code")["units"].sum()
    return u.assign(share=u["units"].to_numpy() / u["item_code"].map(total).to_numpy())


def _surplus_parts(m: pd.DataFrame, old, new) -> None:
    """A service surplus credit: −surplus × the district's units share. Δ = Δpool·s_old + pool_new·Δs."""
    rows = m["category"] == "coser surplus"
    if not rows.any():
        return
    sub = m.loc[rows, ["district_code", "item_code"]]
    parts = {}
    for side, figures in (("old", old), ("new", new)):
        lines = figures.lines[figures.lines["category"] == "coser surplus"]
        parts[side] = sub["item_code"].map(lines.groupby("item_code")["amount"].sum()).fillna(0).astype(object).to_numpy()
        parts[f"s_{side}"] = _lookup(sub, _service_shares(figures, set(sub["item_code"])),
                                     ["item_code", "district_code"], "share")
    m.loc[rows, "part_1"] = (parts["new"] - parts["old"]) * parts["s_old"]
    m.loc[rows, "part_2"] = parts["new"] * (parts["s_new"] - parts["s_old"])


def _aid_table(figures) -> pd.DataFrame:
    """Per district and aid line: the approved expense (dollars) and the ratio (thousandths) it is aided at."""
    from .figures import AID_LINES
    a = figures.aid
    special = (a["ratio_source"] == "special act").to_numpy() if "ratio_source" in a else np.zeros(len(a), bool)
    parts = []
    for code, _, _, expense, ratio in AID_LINES:
        if expense is None:
            continue
        r = a[ratio].to_numpy()
        if code == "ADMIN":  # a special act district gets no administrative aid (§1950(4)(m))
            r = np.where(special, 0, r)
        parts.append(pd.DataFrame({"district_code": a.index, "item_code": code,
                                   "expense": _fractions(a[expense].to_numpy()), "ratio": _fractions(r)}))
    return pd.concat(parts, ignore_index=True)


def _aid_parts(m: pd.DataFrame, old, new) -> None:
    """An aid line: approved expense × ratio. Δ = Δratio·expense_old + ratio_new·Δexpense (cents: × 100 / 1000).

    Save-harmless aid has no ratio: its change is all part 2 (what was claimed)."""
    rows = (m["category"] == "aid") & (m["item_code"] != "SAVE-HARMLESS")
    if rows.any():
        sub = m.loc[rows, ["district_code", "item_code"]]
        t_old, t_new = _aid_table(old), _aid_table(new)
        e_old = _lookup(sub, t_old, ["district_code", "item_code"], "expense")
        e_new = _lookup(sub, t_new, ["district_code", "item_code"], "expense")
        r_old = _lookup(sub, t_old, ["district_code", "item_code"], "ratio", missing=None)
        r_new = _lookup(sub, t_new, ["district_code", "item_code"], "ratio", missing=None)
        # a district on one side only is aided at the other side's ratio: its whole change is expense
        r_old, r_new = _either(r_old, r_new)
        m.loc[rows, "part_1"] = (r_new - r_old) * e_old / 10
        m.loc[rows, "part_2"] = r_new * (e_new - e_old) / 10
    harmless = (m["category"] == "aid") & (m["item_code"] == "SAVE-HARMLESS")
    m.loc[harmless, "part_2"] = m.loc[harmless, "change"].astype(object).map(Fraction)


def _adjustment_parts(m: pd.DataFrame) -> None:
    """An SWD true-up: final − initial charge. Δ = Δfinal − Δinitial, both whole cents from billing."""
    rows = m["category"] == "coser adjustment"
    if not rows.any():
        return
    initial = m[m["category"] == "coser"][["district_code", "item_code", "change"]].rename(columns={"change": "initial"})
    sub = m.loc[rows, ["district_code", "item_code", "change"]].merge(initial, on=["district_code", "item_code"],
                                                                      how="left")
    d_initial = sub["initial"].fillna(0).astype(np.int64).to_numpy()
    m.loc[rows, "part_1"] = sub["change"].to_numpy() + d_initial
    m.loc[rows, "part_2"] = -d_initial


def _total_parts(m: pd.DataFrame) -> None:
    """Totals: charges split into budget shares and services; aid into ratios and expenses; net cost into
    charges and aid. Each part is a sum of settled parts, so it is whole cents already."""
    category = m["category"]
    aid = category == "aid"
    pieces = {
        "budget": m["change"].where(category.isin(POOL_CATEGORIES), 0),
        "service": m["change"].where(category.isin(("coser", "coser adjustment", "coser surplus", "shared pd")), 0),
        "ratios": m["part_1"].where(aid, 0), "expenses": m["part_2"].where(aid, 0),
        "charges": m["change"].where(category == "total charges", 0),
        "less_aid": -m["change"].where(category == "total aid", 0),
    }
    sums = pd.DataFrame({k: v.astype(np.int64) for k, v in pieces.items()}).groupby(m["district_code"]).sum()
    for line, first, second in (("total charges", "budget", "service"), ("total aid", "ratios", "expenses"),
                                ("net cost", "charges", "less_aid")):
        rows = category == line
        m.loc[rows, "part_1"] = m.loc[rows, "district_code"].map(sums[first]).to_numpy()
        m.loc[rows, "part_2"] = m.loc[rows, "district_code"].map(sums[second]).to_numpy()


def boces_totals(lines: pd.DataFrame) -> pd.DataFrame:
    """The BOCES totals of every line: old, new, change and both parts summed over the districts."""
    keys = ["category", "item_code"]
    totals = (lines.groupby(keys, sort=False)
              .agg(item_name=("item_name", "first"), old=("old", "sum"), new=("new", "sum"), change=("change", "sum"),
                   driver_1=("driver_1", "first"), part_1=("part_1", "sum"), driver_2=("driver_2", "first"),
                   part_2=("part_2", "sum"))
              .reset_index())
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    totals = totals.assign(_o=totals["category"].map(order)).sort_values(["_o", "item_code"], kind="stable")
    totals["change_percent"] = percent_change(totals["old"], totals["change"])
    return totals[["category", "item_code", "item_name", "old", "new", "change", "change_percent", "driver_1",
                   "part_1", "driver_2", "part_2"]].reset_index(drop=True)


def one_sided(old, new) -> pd.DataFrame:
    """Districts, services and contracts found in one run only."""
    parts = []
    for kind, keys_of in (("district", lambda f: f.lines.drop_duplicates("district_code")
                           .set_index("district_code")["district_name"]),
                          ("service", lambda f: _item_names(f, "coser")),
                          ("contract", lambda f: _item_names(f, "shared pd"))):
        a, b = keys_of(old), keys_of(new)
        for side, here, there in (("old only", a, b), ("new only", b, a)):
            only = here[~here.index.isin(there.index)]
            if len(only):
                parts.append(pd.DataFrame({"kind": kind, "code": only.index, "name": only.to_numpy(), "side": side}))
    if not parts:
        return pd.DataFrame(columns=["kind", "code", "name", "side"])
    return pd.concat(parts, ignore_index=True).sort_values(["kind", "side", "code"], kind="stable").reset_index(drop=True)


def _item_names(figures, kind: str) -> pd.Series:
    """Services (or contracts) of a run by code, named as billing.csv names them."""
    codes = figures.unit_costs.index.get_level_values("item_code")[
        figures.unit_costs.index.get_level_values("kind") == kind] if len(figures.unit_costs) else []
    lines = figures.lines[figures.lines["category"] == kind].drop_duplicates("item_code").set_index("item_code")
    return pd.Series(lines["item_name"].reindex(list(codes)).to_numpy(), index=pd.Index(list(codes)), dtype=object)
