"""The whole calculation for one validated job: pools → apportionment → CoSers →
shared PD → aid → net cost, with the governance checks (SPEC §1-§7).

Each step calls the law functions of :mod:`apportion.law`; this module only
wires them together and lays out the tables the writers print.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from .errors import IssueLog
from .exact import QUANTITY_SCALE, big, half_up_div, scaled_text, thousandths
from .law import aid as aidlaw
from .law import apportionment as ap
from .law import coser, governance, pools, shared_pd
from .law.collaboration import collaboration_credits
from .model import Job
from .parameters import ParameterValue, load_parameters, parameters_at
from .result import Result

CHSD_TYPES = ("CHSD", "CHSD component")


class _P:
    """The parameter values in force for a job, by short name, with a record of what was used."""

    def __init__(self, values: dict[str, ParameterValue]):
        self.values = values

    def __call__(self, name: str) -> Fraction:
        return self.values[name].value

    def cents(self, name: str) -> int:
        return int(self.values[name].value * 100)


def compute(job: Job, log: IssueLog) -> Result | None:
    """Compute every table of a job's reports; None (with errors in ``log``) if the inputs cannot be computed."""
    s = job.settings
    values = parameters_at(s.school_year)
    missing = sorted(set(load_parameters()) - set(values) - {"aid.state_average_av_per_rwada"})
    if missing or ("aid.state_average_av_per_rwada" not in values and s.state_avg_av_per_rwada is None):
        for name in missing or ["aid.state_average_av_per_rwada"]:
            log.error("no-parameter", f"no value of {name} is on file for {s.school_year}; the tool covers the years "
                      "its parameter files cover", **job.where_item("school_year"),
                      expected="a school year with law parameters on file", found=str(s.school_year))
        return None
    p = _P(values)
    comps = job.components
    # --- §6 / §1: the vote and the pools ----------------------------------------------
    vote = pools.budget_vote(comps["budget_vote"])
    cap = None
    if not vote.recorded:
        log.warning("no-budget-vote", "no administrative budget vote is recorded on the Districts sheet "
                    "(Budget vote column); the proposed budget is used", sheet="Districts", column="Budget vote")
    elif not vote.adopted:
        if s.prior_admin_budget is None:
            log.error("prior-budget-missing", "the budget vote failed, so the contingency budget needs the prior year's "
                      "administrative budget", **job.where_item("prior_admin_budget"),
                      expected="dollars", found="nothing")
            return None
        cap = pools.contingency_cap(s.prior_admin_budget, s.excluded_increases)
        log.warning("budget-vote-failed", f"the administrative budget failed ({vote.yes} yes, {vote.no} no); the "
                    f"contingency budget of {min(s.admin_budget, cap) / 100:,.2f} is charged (cap {cap / 100:,.2f})",
                    sheet="Districts", column="Budget vote")
    used = pools.admin_budget_used(s.admin_budget, vote, cap)
    pool_admin = pools.pool(used, s.state_aid_admin, s.other_revenue_admin)
    if pool_admin < 0:
        log.error("negative-pool", "the contingency administrative budget less state aid and other revenue is negative",
                  **job.where_item("state_aid_admin"), expected="a pool of 0 or more",
                  found=f"{pool_admin / 100:,.2f}")
        return None
    pool_capital = pools.pool(s.capital_budget, s.state_aid_capital, s.other_revenue_capital)
    pool_rent = s.rent_budget
    # --- §2: the basis and the shares ---------------------------------------------------
    state_avg_cents = _state_average(job, values, log)
    tv_percent = _blend_percent(job, p, log)
    if log.errors:
        return None
    basis = ap.basis(s.method, comps, state_avg_cents, tv_percent)
    if basis.total == 0:
        label = ap.BASIS_LABELS[s.method]
        log.error("zero-basis", f"the total {label} of the component districts is 0, so the budgets cannot be apportioned",
                  sheet="Districts", expected=f"{label} above 0 for at least one component district", found="0 in total")
        return None
    rounding = s.rounding
    shares = pd.DataFrame(index=comps.index)
    shares["district_name"] = comps["district_name"]
    shares["type"] = comps["type"]
    shares["basis"] = basis.shown
    shares["share_percent"] = basis.share_percent()
    shares["administrative"] = ap.apportion(pool_admin, basis, rounding)
    shares["capital"] = ap.apportion(pool_capital, basis, rounding)
    shares["rent"] = ap.apportion(pool_rent, basis, rounding)
    shares["administrative_surplus"] = -ap.apportion(s.admin_surplus, basis, rounding)  # a surplus is a credit
    if used != s.admin_budget:
        shares["administrative_proposed"] = ap.apportion(
            pools.pool(s.admin_budget, s.state_aid_admin, s.other_revenue_admin), basis, rounding)
    _governance(job, p, log)
    # --- §3: CoSers ----------------------------------------------------------------------
    services, rows = _cosers(job, p, rounding, log)
    # --- §4: shared PD -------------------------------------------------------------------
    contracts, pd_rows = _shared_pd(job, p, rounding, log)
    if log.errors:
        return None
    billing = _billing(job, basis, shares, services, rows, contracts, pd_rows, pool_rent, s.admin_surplus)
    # --- §5: aid -------------------------------------------------------------------------
    total_expenses = used + int(job.services["budget"].fillna(0).sum()) + int(job.shared_pd["cost"].fillna(0).sum())
    aid, factor = _aid(job, p, shares, rows, services, pd_rows, contracts, total_expenses, used, state_avg_cents)
    charges = billing.groupby("district_code")["amount"].sum()
    aid["total_charges"] = charges.reindex(aid.index).fillna(0).astype(np.int64)
    aid["net_cost"] = aid["total_charges"] - aid["total_aid"] * 100
    net = _net(job, charges, aid)
    reconciliation = _reconcile(job, aid) if job.aid_claim is not None else None
    if reconciliation is not None:
        differing = int((reconciliation["difference"] != 0).sum())
        if differing:
            log.warning("aid-differs", f"{differing} of {len(reconciliation)} published aid lines differ from the "
                        "computed aid (see reconciliation.csv)", sheet="Aid claim")
    pools_table = {
        "Administrative budget (proposed)": s.admin_budget,
        "Contingency cap": cap if cap is not None else None,
        "Administrative budget used": used,
        "Administrative salaries over limit": s.admin_salaries_over_limit,
        "State aid administrative": s.state_aid_admin,
        "Other revenue administrative": s.other_revenue_admin,
        "Administrative pool": pool_admin,
        "Capital budget": s.capital_budget,
        "State aid capital": s.state_aid_capital,
        "Other revenue capital": s.other_revenue_capital,
        "Capital pool": pool_capital,
        "Rent pool": pool_rent,
        "Administrative surplus (returned +, assessed -)": s.admin_surplus,
        "Total expenses for the 10% limit": total_expenses,
    }
    return Result(
        job=job, log=log, parameters=values, pools=pools_table,
        vote={"yes": vote.yes, "no": vote.no, "recorded": vote.recorded, "adopted": vote.adopted, "cap": cap,
              "used": used, "proposed": s.admin_budget},
        apportionment=shares, services=services, coser=rows, contracts=contracts, shared_pd=pd_rows, aid=aid,
        billing=billing, net=net, comparison=_comparison(job, pool_admin, state_avg_cents, p, rounding, log),
        collaboration=collaboration_credits(job.collaboration, int(p("collaboration.hours_per_credit"))),
        reconciliation=reconciliation,
        notes={"admin_factor": factor, "total_expenses": total_expenses, "state_avg_cents": state_avg_cents, "tv_percent": tv_percent,
               "basis_label": ap.BASIS_LABELS[s.method], "basis_scale": basis.scale},
    )


def _state_average(job: Job, values: dict[str, ParameterValue], log: IssueLog) -> int:
    """The statewide average AV per RWADA for the aid year: the BOCES sheet's value wins (SPEC §5)."""
    s = job.settings
    if s.state_avg_av_per_rwada is not None:
        return s.state_avg_av_per_rwada
    pv = values["aid.state_average_av_per_rwada"]  # present: compute() checked
    if pv.carried_forward:
        log.warning("state-average-carried-forward",
                    f"no published state average AV per RWADA for aid year {pv.year}; the {pv.effective.year}-"
                    f"{(pv.effective.year + 1) % 100:02d} value of ${int(pv.value):,} is carried forward. Enter NYSED's "
                    f"figure as 'State average AV per RWADA' on the BOCES sheet", **job.where_item("state_avg_av_per_rwada"),
                    expected=f"the {pv.year} value", found="none")
    return int(pv.value * 100)


def _blend_percent(job: Job, p: _P, log: IssueLog) -> Fraction | None:
    """The true value percent of a lawful blend (§1950(4)(b)(7)); Putnam-NW must follow the schedule."""
    s = job.settings
    if s.method != "blend" or s.blend_tv_percent is None:
        return None
    pct = Fraction(s.blend_tv_percent)
    if s.blend_authority == "Putnam-Northern Westchester":
        scheduled = p("apportionment.putnam_nw_true_value_percent")
        if not ap.putnam_nw_lawful(pct, scheduled):
            log.error("blend-off-schedule", f"Putnam-Northern Westchester must blend {scheduled}% true value / "
                      f"{100 - scheduled}% WADA in {s.school_year}", **job.where_item("blend_tv_percent"),
                      expected=f"{scheduled}", found=f"{float(pct):g}")
    return pct


def _governance(job: Job, p: _P, log: IssueLog) -> None:
    """Warnings for a method change without a timely hearing and a superintendent salary over the cap (SPEC §2, §6)."""
    s = job.settings
    days = int(p("apportionment.method_hearing_days"))
    if not governance.method_change_hearing_ok(s.method, s.prior_method, s.hearing_date, s.annual_meeting_date, days):
        log.warning("method-change-hearing", f"the method changed from {s.prior_method} to {s.method} without a hearing "
                    f"at least {days} days before the annual meeting (Educ. Law §1950(4)(b)(7)(i))",
                    **job.where_item("hearing_date"), expected=f"a hearing date {days}+ days before the annual meeting date",
                    found=str(s.hearing_date or "none"))
    cap = p.cents("governance.ds_salary_cap")
    if governance.ds_salary_over_cap(s.ds_salary, cap):
        log.warning("ds-salary-over-cap", f"the district superintendent salary exceeds the {s.school_year} cap of "
                    f"${cap / 100:,.0f} (Educ. Law §1950(4)(a)(2))",
                    **job.where_item("ds_salary"), expected=f"at most {cap / 100:,.2f}",
                    found=f"{s.ds_salary / 100:,.2f}")


def _cosers(job: Job, p: _P, rounding: str, log: IssueLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Unit costs, charges, the SWD true-up and surpluses per service (SPEC §3)."""
    services = job.services.copy()
    rows = job.participation.copy()
    units = coser.basis_units(rows, services)
    rows["weight"], rows["divisor"] = units["weight"], units["divisor"]
    services["total_weight"] = rows.groupby("service_code")["weight"].sum().reindex(services.index).fillna(0).astype(np.int64)
    divisors = {name: n for name, (_, n) in coser.BASIS_COLUMNS.items()}
    services["divisor"] = services["basis"].fillna("anticipated").map(divisors).astype(np.int64)
    services["budget"] = services["budget"].astype(np.int64)
    empty = (services["total_weight"] == 0) & (services["budget"] != 0)
    for code in services.index[empty.to_numpy()]:
        log.error("no-participation", f"service {code} has a budget but no participation units under its "
                  f"{services.at[code, 'basis']} basis", **job.where("Services", "budget", services.at[code, "excel_row"]),
                  expected="units for at least one participating district", found="0 units in total")
    if log.errors:
        return services, rows
    services["unit_cost"] = coser.unit_cost_cents(services["budget"], services["total_weight"], services["divisor"])
    rows["charge"] = coser.charges(services["budget"], rows, rows["weight"], rounding)
    # students with disabilities: final charge on actual participation (§1950(4)(d)(3))
    has_actual = rows["actual_units"].notna().groupby(rows["service_code"]).any()
    swd = services["swd"].fillna(False).astype(bool) & has_actual.reindex(services.index).fillna(False).astype(bool)
    services["trued_up"] = swd
    services["final_cost"] = services["actual_cost"].where(services["actual_cost"].notna(), services["budget"]).astype(np.int64)
    services.loc[~swd, "final_cost"] = services.loc[~swd, "budget"]
    rows["actual_weight"] = rows["actual_units"].fillna(0).astype(np.int64)
    trued = rows["service_code"].map(swd).fillna(False).astype(bool)
    services["total_actual"] = rows[trued].groupby("service_code")["actual_weight"].sum().reindex(services.index).fillna(0).astype(np.int64)
    bad = swd & (services["total_actual"] == 0) & (services["final_cost"] != 0)
    for code in services.index[bad.to_numpy()]:
        log.error("no-actual-units", f"service {code} gives actual units that add up to 0",
                  **job.where("Participation", "actual_units"), expected="actual units for the true-up", found="0 in total")
    if log.errors:
        return services, rows
    rows["final_charge"] = rows["charge"]
    if trued.any():
        sub = rows[trued]
        rows.loc[trued, "final_charge"] = coser.charges(services.loc[swd, "final_cost"], sub, sub["actual_weight"], rounding)
    rows["adjustment"] = rows["final_charge"] - rows["charge"]
    services["actual_unit_cost"] = coser.unit_cost_cents(services["final_cost"], services["total_actual"],
                                                         pd.Series(1, index=services.index))
    # service surplus or assessment: returned by participation (§1950(4)(f))
    services["surplus"] = services["surplus"].fillna(0).astype(np.int64)
    rows["surplus_credit"] = -coser.charges(services["surplus"].where(services["total_weight"] > 0, 0), rows,
                                            rows["weight"], rounding)
    # three-quarters approval (§1950(4)(d)(3))
    comp_codes = job.components.index
    participating = rows[(rows["weight"] > 0) & rows["district_code"].isin(comp_codes)]
    services["participants"] = participating.groupby("service_code")["district_code"].nunique().reindex(services.index).fillna(0).astype(np.int64)
    fraction = p("coser.approval_fraction")
    services["approvals_needed"] = coser.approvals_needed(services["participants"], fraction)
    short = coser.approval_shortfall(services["participants"], services["approvals"], fraction)
    for code in services.index[short.to_numpy()]:
        log.warning("methodology-not-approved", f"service {code}: methodology not approved by three-quarters of "
                    f"participating districts ({services.at[code, 'approvals'] / QUANTITY_SCALE:g} of "
                    f"{services.at[code, 'participants']}; {services.at[code, 'approvals_needed']} needed)",
                    **job.where("Services", "approvals", services.at[code, "excel_row"]),
                    expected=f"at least {services.at[code, 'approvals_needed']}",
                    found=f"{services.at[code, 'approvals'] / QUANTITY_SCALE:g}")
    over = coser.salaries_over_limit(job.staff, services, p.cents("aid.salary_limit"))
    services["salaries_over_limit"] = over
    services["aidable_num"], services["aidable_den"] = coser.aidable_fraction(services, over)
    return services, rows


def _shared_pd(job: Job, p: _P, rounding: str, log: IssueLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """COSER 507 contracts: the seed's rules, then per-attendee charges (SPEC §4)."""
    contracts = job.shared_pd.copy()
    attending = shared_pd.staff_attending(job.pd_attendance)
    paying = shared_pd.paying_districts(attending).reindex(contracts.index).fillna(0).astype(np.int64)
    contracts["paying_districts"] = paying
    minimum = int(p("shared_pd.min_paying_districts"))
    max_days = int(p("shared_pd.max_days"))
    days = contracts["days"].astype("Int64")
    credit = contracts["credit"].fillna(False).astype(bool)
    approved, start = contracts["board_approval_date"], contracts["start_date"]
    post_dated = approved.notna() & start.notna() & (approved.astype(object) >= start.astype(object))
    rules = [  # (rows breaking the rule, code, column, message, expected, found) — COSER 507, seed 000
        (paying < minimum, "pd-too-few-districts", "contract",
         lambda c: f"contract {c} must be shared by at least {minimum} paying districts",
         f"{minimum} or more districts attending", lambda c: str(paying[c])),
        (days.fillna(0) >= max_days * QUANTITY_SCALE, "pd-too-long", "days",
         lambda c: f"contract {c}: activities must be less than {max_days} days",
         f"fewer than {max_days} days", lambda c: f"{days[c] / QUANTITY_SCALE:g}"),
        (credit, "pd-credit", "credit", lambda c: f"contract {c}: activities may not grant college credit or a certificate",
         "no", lambda c: "yes"),
        (post_dated, "pd-post-dated", "board_approval_date",
         lambda c: f"contract {c}: the board must approve before the work starts (no post-dated work)",
         "a board approval date before the start date", lambda c: f"{approved[c]} (start {start[c]})"),
    ]
    for broken, code, column, message, expected, found in rules:
        for c in contracts.index[broken.to_numpy()]:
            log.error(code, message(c), **job.where("Shared PD", column, contracts.at[c, "excel_row"]),
                      expected=expected, found=found(c))
    if log.errors or contracts.empty:
        attending["charge"] = pd.Series(dtype=np.int64)
        contracts["unit_cost"] = pd.Series(dtype=np.int64)
        contracts["aidable_num"] = contracts["aidable_den"] = pd.Series(dtype=np.int64)
        return contracts, attending.assign(aidable_num=0, aidable_den=1)
    contracts["cost"] = contracts["cost"].astype(np.int64)
    contracts["staff_total"] = attending.groupby("contract")["staff"].sum().reindex(contracts.index).fillna(0).astype(np.int64)
    contracts["unit_cost"] = coser.unit_cost_cents(contracts["cost"], contracts["staff_total"], pd.Series(1, index=contracts.index))
    attending["charge"] = shared_pd.contract_charges(contracts["cost"], attending, rounding)
    contracts["aidable_num"], contracts["aidable_den"] = shared_pd.aidable_parts(contracts)
    attending["aidable_num"] = attending["contract"].map(contracts["aidable_num"]).astype(np.int64)
    attending["aidable_den"] = attending["contract"].map(contracts["aidable_den"]).astype(np.int64)
    return contracts, attending


def _units_text(weight: pd.Series, divisor: pd.Series) -> pd.Series:
    """Basis units as exact decimal text, averages to six decimals (half up), trailing zeros dropped."""
    scaled = half_up_div(big(weight.to_numpy()), big(divisor.to_numpy()))  # millionths of a unit
    return pd.Series(scaled_text(scaled, QUANTITY_SCALE, trim=True), index=weight.index, dtype=object)


def _basis_text(basis) -> pd.Series:
    """The apportionment basis as billing.csv prints it: full value in dollars, pupils, or the
    blended weight with exactly six decimals."""
    return pd.Series(scaled_text(basis.shown.to_numpy(), basis.scale, trim=basis.method != "blend"),
                     index=basis.shown.index, dtype=object)


def _billing(job: Job, basis, shares: pd.DataFrame, services: pd.DataFrame, rows: pd.DataFrame,
             contracts: pd.DataFrame, pd_rows: pd.DataFrame, pool_rent: int, admin_surplus: int) -> pd.DataFrame:
    """One row per charge, FORMATS.md billing.csv (units as exact decimals, money in cents)."""
    names = job.districts["district_name"]
    parts = []
    basis_units = _basis_text(basis)
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
        service_name = rows["service_code"].map(services["service_name"]).fillna(rows["service_code"])
        units = _units_text(rows["weight"], rows["divisor"])
        paying = rows["weight"] > 0
        parts.append(_rows(rows[paying], "coser", service_name, units, rows["service_code"].map(services["unit_cost"]),
                           rows["charge"]))
        trued = rows["service_code"].map(services["trued_up"]).fillna(False).astype(bool)
        actual_units = _units_text(rows["actual_weight"], pd.Series(1, index=rows.index))
        adj = trued & ((rows["actual_weight"] > 0) | (rows["charge"] != 0))
        parts.append(_rows(rows[adj], "coser adjustment", service_name, actual_units,
                           rows["service_code"].map(services["actual_unit_cost"]), rows["adjustment"]))
        credit = rows["surplus_credit"] != 0
        parts.append(_rows(rows[credit], "coser surplus", service_name, units, None, rows["surplus_credit"]))
    if len(pd_rows) and "charge" in pd_rows:
        label = pd_rows["contract"].map(contracts["vendor"]).fillna(pd_rows["contract"])
        label = label.where(label.notna(), pd_rows["contract"])
        staff = _units_text(pd_rows["staff"].astype(np.int64), pd.Series(1, index=pd_rows.index))
        attended = pd_rows["staff"] > 0
        parts.append(_rows(pd_rows[attended].rename(columns={"contract": "service_code"}), "shared pd", label, staff,
                           pd_rows["contract"].map(contracts["unit_cost"]), pd_rows["charge"]))
    billing = pd.concat([p for p in parts if len(p)], ignore_index=True) if parts else pd.DataFrame()
    billing["district_name"] = billing["district_code"].map(names)
    billing["amount"] = billing["amount"].astype(np.int64)
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


def _aid(job: Job, p: _P, shares: pd.DataFrame, rows: pd.DataFrame, services: pd.DataFrame, pd_rows: pd.DataFrame,
         contracts: pd.DataFrame, total_expenses: int, used: int, state_avg_cents: int) -> tuple[pd.DataFrame, Fraction]:
    """Each component's ratios, approved expenses and aid lines in statute order (SPEC §5)."""
    s = job.settings
    comps = job.components
    special = (comps["type"] == "special act").to_numpy()
    aid = pd.DataFrame(index=comps.index)
    aid["district_name"] = comps["district_name"]
    aid["type"] = comps["type"]
    av = comps["aid_av"].fillna(1).where(~special, 1).astype(np.int64)
    rwada = comps["aid_rwada"].fillna(1).where(~special, 1).astype(np.int64)
    aid["aid_av"] = comps["aid_av"]
    aid["aid_rwada"] = comps["aid_rwada"]
    aid["tax_levy"] = comps["tax_levy"]
    aid["pilots"] = comps["pilots"].fillna(0)
    aid["mills"] = np.where(comps["type"].isin(CHSD_TYPES), int(p("aid.millage_mills_chsd")), int(p("aid.millage_mills")))
    aid["tax_rate_tenths"] = aidlaw.tax_rate_tenths(comps["tax_levy"].fillna(0).astype(np.int64),
                                                    comps["pilots"].fillna(0).astype(np.int64), av)
    aid["millage_ratio"] = aidlaw.millage_ratio(aid["tax_rate_tenths"], aid["mills"])
    aid["av_per_rwada"] = aidlaw.av_per_rwada(av, rwada)
    aid["wealth_ratio"] = aidlaw.wealth_ratio(aid["av_per_rwada"], state_avg_cents)
    aid["rwada_ratio"] = aidlaw.rwada_ratio(aid["wealth_ratio"], p("aid.rwada_ratio_factor"))
    floor, cap = thousandths(p("aid.sharing_ratio_floor")), thousandths(p("aid.sharing_ratio_cap"))
    aid["sharing_ratio"] = aidlaw.sharing_ratio(aid["millage_ratio"], aid["rwada_ratio"], floor, cap)
    aid["ratio_source"] = aidlaw.ratio_source(aid["millage_ratio"], aid["rwada_ratio"], floor, cap)
    aid["capital_ratio"] = aidlaw.capital_ratio(aid["rwada_ratio"], thousandths(p("aid.capital_ratio_cap")))
    # a special act district: one-half of approved services, nothing else (§1950(4)(m))
    aid.loc[special, "sharing_ratio"] = thousandths(p("aid.special_act_services_fraction"))
    aid.loc[special, "capital_ratio"] = 0
    aid.loc[special, "ratio_source"] = "special act"
    for column in ("tax_rate_tenths", "millage_ratio", "av_per_rwada", "wealth_ratio", "rwada_ratio"):
        aid[column] = aid[column].astype("Int64")
        aid.loc[special, column] = pd.NA
    factor = aidlaw.admin_factor(used, s.admin_salaries_over_limit, total_expenses, p("aid.admin_expense_limit"))
    if job.aid_claim is None:
        aid["approved_admin"] = aidlaw.dollars_half_up(shares["administrative"], factor)
        keys = pd.concat([rows["district_code"], pd_rows["district_code"]], ignore_index=True)
        cents = pd.concat([rows["final_charge"], pd_rows["charge"]], ignore_index=True)
        num = pd.concat([rows["service_code"].map(services["aidable_num"]), pd_rows["aidable_num"]], ignore_index=True)
        den = pd.concat([rows["service_code"].map(services["aidable_den"]), pd_rows["aidable_den"]], ignore_index=True)
        inside = keys.isin(comps.index)
        aid["approved_services"] = aidlaw.sum_half_up_dollars(keys[inside], cents[inside].astype(np.int64),
                                                              num[inside].astype(np.int64), den[inside].astype(np.int64),
                                                              comps.index)
        aid["capital_expense"] = aidlaw.dollars_half_up(shares["capital"], Fraction(s.capital_aidable_fraction))
        aid["rent_expense"] = aidlaw.dollars_half_up(shares["rent"])
        aid["save_harmless_aid"] = 0
    else:
        claim = job.aid_claim.reindex(comps.index)
        for column in ("approved_admin", "approved_services", "capital_expense", "rent_expense", "save_harmless_aid"):
            aid[column] = (claim[column].fillna(0).astype(np.int64) // 100)
    zero = pd.Series(0, index=aid.index)
    aid["admin_aid"] = aidlaw.aid_half_up(aid["approved_admin"], aid["sharing_ratio"]).where(~special, 0)
    aid["services_aid"] = aidlaw.aid_half_up(aid["approved_services"], aid["sharing_ratio"])
    aid["capital_aid"] = aidlaw.aid_half_up(aid["capital_expense"], aid["capital_ratio"]).where(~special, zero)
    aid["rent_aid"] = aidlaw.aid_truncated(aid["rent_expense"], aid["capital_ratio"]).where(~special, zero)
    aid["total_aid"] = aid[["admin_aid", "services_aid", "capital_aid", "rent_aid", "save_harmless_aid"]].sum(axis=1)
    return aid, factor


def _net(job: Job, charges: pd.Series, aid: pd.DataFrame) -> pd.DataFrame:
    """Per district: charges, aid, net cost, change from last year and tax impact per $1,000 of full value."""
    d = job.districts
    codes = sorted(set(charges.index) | set(aid.index))
    net = pd.DataFrame(index=pd.Index(codes, name="district_code"))
    net["district_name"] = d["district_name"].reindex(net.index)
    net["type"] = d["type"].reindex(net.index)
    net["total_charges"] = charges.reindex(net.index).fillna(0).astype(np.int64)
    net["total_aid"] = aid["total_aid"].reindex(net.index).fillna(0).astype(np.int64)
    net["net_cost"] = net["total_charges"] - net["total_aid"] * 100
    prior = d["prior_total_charges"].reindex(net.index)
    net["prior_total_charges"] = prior
    net["change"] = (net["total_charges"] - prior).astype("Int64")
    net["change_percent"] = [(float(c) / float(pr) * 100) if pd.notna(pr) and pr else np.nan
                             for c, pr in zip(net["change"], prior)]
    fv = d["full_value"].reindex(net.index)
    # tax impact: net cost ÷ full value × 1,000, dollars per $1,000 of full value, to 4 decimals (half up)
    has_fv = fv.notna() & (fv.fillna(0) > 0)
    impact = pd.Series(pd.NA, index=net.index, dtype="Int64")
    if has_fv.any():
        num = big(net.loc[has_fv, "net_cost"].to_numpy()) * 1000 * 10_000
        impact.loc[has_fv] = half_up_div(num, big(fv[has_fv].astype(np.int64).to_numpy())).astype(np.int64)
    net["tax_impact_per_1000_x10000"] = impact
    return net


def _reconcile(job: Job, aid: pd.DataFrame) -> pd.DataFrame:
    """Computed against published aid, line by line (claim mode, SPEC §5)."""
    claim = job.aid_claim
    computed = {
        "admin and services aid": aid["admin_aid"] + aid["services_aid"],
        "capital aid": aid["capital_aid"], "rent aid": aid["rent_aid"], "total BOCES aid": aid["total_aid"],
    }
    published = {"admin and services aid": "published_admin_services", "capital aid": "published_capital",
                 "rent aid": "published_rent", "total BOCES aid": "published_total"}
    parts = []
    for line, column in published.items():
        given = claim[column].dropna()
        given = given[given.index.isin(aid.index)]
        if given.empty:
            continue
        parts.append(pd.DataFrame({"district_code": given.index, "line": line,
                                   "computed": computed[line].reindex(given.index).to_numpy(),
                                   "published": (given.astype(np.int64) // 100).to_numpy()}))
    columns = ["district_code", "district_name", "line", "computed", "published", "difference"]
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    out["district_name"] = out["district_code"].map(job.districts["district_name"])
    out["difference"] = out["computed"] - out["published"]
    order = {line: i for i, line in enumerate(published)}
    out = out.assign(_o=out["line"].map(order)).sort_values(["district_code", "_o"]).drop(columns="_o")
    return out[columns].reset_index(drop=True)


def _comparison(job: Job, pool_admin: int, state_avg_cents: int, p: _P, rounding: str, log: IssueLog) -> pd.DataFrame:
    """Each component's administrative share under every lawful method, beside the one in force (§1950(4)(b)(7))."""
    s = job.settings
    comps = job.components
    out = pd.DataFrame(index=comps.index)
    out["district_name"] = comps["district_name"]
    methods = ["true value", "WADA", "enrollment"]
    for method in methods:
        needed = {"true value": "full_value", "WADA": "rwada", "enrollment": "enrollment"}[method]
        column = comps[needed]
        if method == "true value":
            column = column.where(comps["type"] != "special act", comps["rwada"])
        if column.isna().any():
            continue
        b = ap.basis(method, comps, state_avg_cents, None)
        if b.total:
            out[method] = ap.apportion(pool_admin, b, rounding)
    if s.method == "blend" and s.blend_tv_percent is not None:
        b = ap.basis("blend", comps, state_avg_cents, Fraction(s.blend_tv_percent))
        out[f"blend {float(s.blend_tv_percent):g}/{100 - float(s.blend_tv_percent):g}"] = ap.apportion(pool_admin, b, rounding)
    chosen = next((c for c in out.columns[1:] if c == s.method or (s.method == "blend" and c.startswith("blend"))), None)
    if chosen is not None:
        for c in list(out.columns[1:]):
            if c != chosen:
                out[f"{c} − chosen"] = out[c] - out[chosen]
    return out
