"""The whole calculation for one validated job: pools → apportionment → CoSers →
shared PD → aid → net cost, with the governance checks (rules §1-§7).

Each step calls the law functions of :mod:`apportion.law`; this module only
wires them together and lays out the tables the writers print.
"""
from __future__ import annotations

import pandas as pd

from ..errors import IssueLog
from ..exact import dollars_text
from ..law import apportionment as ap
from ..law import pools
from ..law.aid import expenses
from ..law.collaboration import collaboration_credits
from ..model import Job
from ..parameters import parameters_at
from ..result import Aid, Apportionment, CoSer, Pools, Result, SharedPD
from .aid import aid_table, net_table, reconciliation_table
from .billing import billing_table
from .comparison import method_comparison
from .services import coser_tables, shared_pd_tables
from .values import Values, blend_percent, governance_warnings, state_average


def compute(job: Job, log: IssueLog) -> Result:
    """Compute every table of a job's reports, adding its warnings to ``log``. The job is validated
    (:func:`apportion.compute.checks.build_job` made every check the computation relies on), so nothing here refuses."""
    s = job.settings
    values = parameters_at(s.school_year)  # every parameter on file for the year: validated
    p = Values(values)
    comps = job.components
    # --- §6 / §1: the vote and the pools ----------------------------------------------
    vote = pools.budget_vote(comps["budget_vote"])
    cap = None
    if not vote.recorded:
        log.warning("no-budget-vote", "no administrative budget vote is recorded on the Districts sheet "
                    "(Budget vote column); the proposed budget is used", **job.where("Districts", "budget_vote"))
    elif not vote.adopted:
        cap = pools.contingency_cap(s.prior_admin_budget, s.excluded_increases)  # validated: the prior budget is given
        log.warning("budget-vote-failed", f"the administrative budget failed ({vote.yes} yes, {vote.no} no); the "
                    f"contingency budget of {dollars_text(min(s.admin_budget, cap))} is charged (cap {dollars_text(cap)})",
                    **job.where("Districts", "budget_vote"))
    used = pools.admin_budget_used(s.admin_budget, vote, cap)
    pool_admin = pools.pool(used, s.state_aid_admin, s.other_revenue_admin)  # 0 or more: validated
    pool_capital = pools.pool(s.capital_budget, s.state_aid_capital, s.other_revenue_capital)
    pool_rent = s.rent_budget
    # --- §2: the basis and the shares ---------------------------------------------------
    state_avg_cents = state_average(job, values, log)
    tv_percent = blend_percent(job)
    basis = ap.basis(s.method, comps, state_avg_cents, tv_percent)  # not 0 in total: validation checked
    rounding = s.rounding
    shares = pd.DataFrame(index=comps.index)
    shares["district_name"] = comps["district_name"]
    shares["type"] = comps["type"]
    shares["basis"] = basis.shown
    shares["basis_weight"] = basis.weight  # exact, for basis.json (apportion compare)
    shares["share_percent"] = basis.share_percent()
    shares["administrative"] = ap.apportion(pool_admin, basis, rounding)
    shares["capital"] = ap.apportion(pool_capital, basis, rounding)
    shares["rent"] = ap.apportion(pool_rent, basis, rounding)
    shares["administrative_surplus"] = ap.surplus_credits(s.admin_surplus, basis, rounding)
    if used != s.admin_budget:
        shares["administrative_proposed"] = ap.apportion(
            pools.pool(s.admin_budget, s.state_aid_admin, s.other_revenue_admin), basis, rounding)
    governance_warnings(job, p, log)
    # --- §3: CoSers ----------------------------------------------------------------------
    services, rows = coser_tables(job, p, rounding, log)
    # --- §4: shared PD -------------------------------------------------------------------
    contracts, pd_rows = shared_pd_tables(job, rounding)
    billing = billing_table(job, basis, shares, services, rows, contracts, pd_rows, pool_rent, s.admin_surplus)
    # --- §5: aid -------------------------------------------------------------------------
    total_expenses = expenses.total_expenses(used, job.services["budget"], job.shared_pd["cost"])
    limit = expenses.expense_limit(total_expenses, p("aid.admin_expense_limit"))
    approved_admin = expenses.approved_admin_cost(used, s.admin_salaries_over_limit, limit)
    factor = expenses.admin_factor(used, approved_admin)
    aid = aid_table(job, p, shares, rows, services, pd_rows, factor, state_avg_cents)
    net = net_table(job, billing.groupby("district_code")["amount"].sum(), aid, shares)
    aid[["total_charges", "net_cost"]] = net.loc[aid.index, ["total_charges", "net_cost"]]
    reconciliation = reconciliation_table(job, aid) if job.aid_claim is not None else None
    if reconciliation is not None:
        differing = int((reconciliation["difference"] != 0).sum())
        if differing:
            log.warning("aid-differs", f"{differing} of {len(reconciliation)} published aid lines differ from the "
                        "computed aid (see reconciliation.csv)", **job.where("Aid claim", "district_code"))
    return Result(
        settings=s, districts=job.districts, files=list(job.files), log=log, parameters=values,
        pools=Pools(admin_proposed=s.admin_budget, contingency_cap=cap, admin_used=used, admin=pool_admin,
                    capital=pool_capital, rent=pool_rent),
        vote=vote,
        apportionment=Apportionment(method=s.method, basis_scale=basis.scale, tv_percent=tv_percent, shares=shares),
        coser=CoSer(services=services, rows=rows), shared_pd=SharedPD(contracts=contracts, rows=pd_rows),
        aid=Aid(mode="claim" if job.aid_claim is not None else "estimate", state_average_cents=state_avg_cents,
                total_expenses=total_expenses, expense_limit=limit, approved_admin_cost=approved_admin,
                admin_factor=factor, table=aid, reconciliation=reconciliation),
        billing=billing, net=net, comparison=method_comparison(job, pool_admin, state_avg_cents, rounding),
        collaboration=collaboration_credits(job.collaboration, int(p("collaboration.hours_per_credit"))),
        tables=job.tables,
    )
