"""The law's checks on a job, made before anything is computed: each applies a statutory rule to the frames
validation handed on (:func:`apportion.validate.validate`) and turns the law's masks into located issues.

:func:`build_job` is the one pass the ``validate`` and ``run`` commands make: the input contract first, then
every rule here on whatever could be read, so one run lists every problem a user must fix — the columns and
values the method and BOCES aid need, a zero basis, a lawful blend and contingency budget, a service with
budget or surplus but no units or a unit cost past the money limit, approvals above participants, the
COSER 507 rules. The computation (:func:`apportion.compute.compute`) then refuses nothing.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from ..errors import IssueLog
from ..exact import MONEY_BOUND, QUANTITY_SCALE, dollars_text
from ..law import apportionment as ap
from ..law import coser, pools, shared_pd as pd_rules, special_act
from ..law.apportionment import METHOD_COLUMNS
from ..model import Job, Settings
from ..parameters import ParameterValue
from ..readers.coerce import SCALES
from ..readers.jobs import Inputs
from ..readers.table import Table
from ..schema import BASIS_NAMES, DISTRICTS, PARTICIPATION
from ..validate import Validated, validate


def build_job(inputs: Inputs, log: IssueLog) -> Job | None:
    """The job's inputs validated and held to the law's rules, in one pass; None when any error was found.

    Every check runs on whatever could be read — cells that did not fit read as blank, a sheet that could not
    be read as empty — so one pass lists every problem a user must fix, including every one the computation
    would meet: the computation itself refuses nothing.
    """
    reported = {(i.file, i.sheet, i.cell) for i in log.errors if i.cell}
    first = len(log.issues)
    try:
        checked = validate(inputs, log)
        law_checks(checked, log)
        if log.errors or checked.settings is None or checked.districts is None:
            return None
        return checked.job()
    finally:
        # a cell the readers already refused reads as blank; the checks must not report it a second time
        log.issues[first:] = [i for i in log.issues[first:]
                              if i.severity != "error" or (i.file, i.sheet, i.cell) not in reported]


def law_checks(v: Validated, log: IssueLog) -> None:
    """Every statutory rule a job's inputs must keep before it can be computed (rules §1-§5), each as errors at
    the cells that break it; a rule whose inputs are missing (a sheet, a column, the settings) is not applied,
    its absence being validation's error."""
    s, values = v.settings, v.parameters
    if v.items is not None:
        _check_pools(v.inputs, v.items, log)
    if values is not None:
        _check_blend(v.inputs, s, values, log)
    if v.districts is None:
        return
    districts_table = v.table("Districts")
    if s is not None and v.has("Districts", "district_code"):
        _check_method_columns(districts_table, v.districts, s, log)
        _check_basis(districts_table, v.districts, s, log)
    _check_aid_columns(districts_table, v.districts, log)
    if v.has("Services", "service_code") and (v.table("Participation") is None or all(
            v.has("Participation", k) for k in ("district_code", "service_code"))):
        _check_services(v.inputs, v.services, v.participation, v.districts, log)
    if s is not None:
        _check_contingency(v.inputs, s, v.districts, log)
    if values is not None and v.has("Shared PD", "contract"):
        _check_shared_pd(v.inputs, v.shared_pd, v.pd_attendance, values, log)


def given(column: pd.Series) -> pd.Series:
    """The values typed in a column validation may hand on with blanks (a required cell left blank or refused is
    its error), on the rows that give one, as the int64 the law takes: the law never meets a blank it would have
    to guess a value for."""
    return column[column.notna()].astype(np.int64)


def on(frame: pd.DataFrame, mask: pd.Series) -> pd.Series:
    """A law mask made on some rows of ``frame``, over all of them: a row it was not made on breaks no rule."""
    return mask.reindex(frame.index, fill_value=False).astype(bool)


def basis_given(comps: pd.DataFrame, method: str) -> pd.Series:
    """The component districts whose basis for ``method`` is given: the columns of :data:`METHOD_COLUMNS`,
    a special act district's true value from its RWADA (§1950(4)(b)(7)(ii))."""
    present = pd.Series(True, index=comps.index)
    for key in METHOD_COLUMNS[method]:
        column = special_act.basis_column(comps["type"], comps[key], comps["rwada"]) if key == "full_value" \
            else comps[key]
        present &= column.notna()
    return present


def _check_method_columns(table: Table, districts: pd.DataFrame, settings: Settings, log: IssueLog) -> None:
    """Every component needs the basis the apportionment method uses (§1950(4)(b)(7))."""
    needed = METHOD_COLUMNS.get(settings.method, ())
    comps = districts[districts["is_component"]]
    for key in needed:
        spec = DISTRICTS.field(key)
        rows = comps
        if key == "full_value":  # a special act district's true value comes from its RWADA (§1950(4)(b)(7)(ii))
            for code in comps.index[special_act.lacks_rwada(comps["type"], comps["rwada"]).to_numpy()]:
                log.error("missing-value", "a special act district's true value is computed from its RWADA",
                          **table.where("rwada", int(comps.at[code, "excel_row"])),
                          expected="RWADA for the special act district", found="a blank cell")
            rows = comps[~special_act.is_special_act(comps["type"])]
        if not table.present(key):
            if len(rows):
                log.error("missing-column", f"the {settings.method} method needs the column {spec.header!r}",
                          **table.where(key), expected=f"a column headed {spec.header!r}", found="no such column")
            continue
        for code in rows.index[rows[key].isna().to_numpy()]:
            log.error("missing-value", f"the {settings.method} method needs {spec.header!r} for every component district",
                      **table.where(key, int(rows.at[code, "excel_row"])), expected=spec.header, found="a blank cell")


def _check_basis(table: Table, districts: pd.DataFrame, settings: Settings, log: IssueLog) -> None:
    """The budgets are shared among the component districts by the method's basis (§1950(4)(b)(7)): there must be
    a component district, and their basis must not total 0."""
    comps = districts[districts["is_component"]]
    if comps.empty:
        log.error("no-districts", "the Districts sheet lists no component district, so there is nothing to "
                  "apportion", **table.where("district_code", table.header_row + 1), expected="a row per component "
                  "district", found="no component districts" if len(districts) else "no districts")
        return
    needed = METHOD_COLUMNS.get(settings.method, ())
    if not all(table.present(k) for k in needed):
        return  # the missing column is the error (_check_method_columns)
    # any positive statewide average and blend percent give a zero total exactly when the real ones do; a
    # district whose basis is blank (its own error) adds nothing to the total
    pct = settings.blend_tv_percent
    given = comps[basis_given(comps, settings.method)]
    weight = ap.basis(settings.method, given, 1, Fraction(pct if pct is not None and 0 < pct < 100 else 50))
    if weight.total == 0:
        label = BASIS_NAMES[settings.method]
        column = needed[-1] if settings.method != "true value" else "full_value"
        log.error("zero-basis", f"the total {label} of the component districts is 0, so the budgets cannot be "
                  "apportioned", **table.where(column), expected=f"{label} above 0 for at least one component "
                  "district", found="0 in total")


def _check_aid_columns(table: Table, districts: pd.DataFrame, log: IssueLog) -> None:
    """BOCES aid needs each component's AV, RWADA and tax levy — except a special act district (§1950(4)(m))."""
    comps = districts[districts["is_component"] & ~special_act.is_special_act(districts["type"])]
    checks = (("aid_av", "full_value", "Aid AV or Full value, more than 0"),
              ("aid_rwada", "rwada", "Aid RWADA or RWADA, more than 0"),
              ("tax_levy", "tax_levy", "Tax levy, 0 or more"))
    for key, shown, expected in checks:
        # the whole column is absent (or only its blank Aid column is there): say so once, not per district
        if not table.present(shown) and (not table.present(key) or comps[key].isna().all()):
            header = DISTRICTS.field(shown).header
            reported = any(i.code == "missing-column" and i.column == header for i in log.issues)
            if len(comps) and not reported:
                log.error("missing-column", f"BOCES aid needs the column {header!r} for every component district",
                          **table.where(shown), expected=f"a column headed {header!r}", found="no such column")
            continue
        values = comps[key]
        bad = values.isna() if key == "tax_levy" else (values.isna() | (values <= 0))  # NA | … is True
        refused = {i.cell for i in log.issues if i.severity == "error" and i.sheet == table.sheet}
        for code in comps.index[bad.to_numpy(dtype=bool)]:
            row = int(comps.at[code, "excel_row"])
            # the cell the value came from: the Aid column where one is typed there, else the column it
            # defaults to (a blank Aid AV means "= Full value", so a Full value of 0 is the cell to fix)
            typed_aid = table.present(key) and (pd.notna(table.frame.at[row, key]) or not table.present(shown))
            col = key if typed_aid else shown
            where = table.where(col, row)
            if where["cell"] in refused:
                continue  # the cell is already refused (text, negative …): one error for it
            log.error("aid-input-missing", "BOCES aid needs this for every component district", **where,
                      expected=expected, found="a blank cell" if pd.isna(values[code]) else _as_typed(
                          values[code], DISTRICTS.field(col).kind))


def _as_typed(value, kind: str) -> str:
    """A scaled integer read back as the number typed (cents → dollars, millionths → units), exactly."""
    return f"{Decimal(int(value)) / Decimal(SCALES[kind]):f}"


def _check_services(inputs: Inputs, services: pd.DataFrame, participation: pd.DataFrame, districts: pd.DataFrame,
                    log: IssueLog) -> None:
    """What the CoSer computation needs (§1950(4)(d)(3), (f)): each service with a budget, a surplus or an
    actual cost to true up has units to share it by, and no more approvals than participating districts."""
    table = inputs.table("Services")
    services = services[services["service_code"].notna() & ~services.index.duplicated()]
    rows = participation[participation["service_code"].isin(services.index)]
    at = services.index.get_indexer(rows["service_code"])  # each row's service (listed, once: deduplicated above)
    weight = coser.basis_units(rows, services)["weight"]
    total = coser.per_service(services, at, weight.to_numpy())
    participants = coser.participants(rows, weight, districts.index[districts["is_component"]]).reindex(
        services.index, fill_value=0)
    basis, surplus, approvals = services["basis"], services["surplus"], services["approvals"]
    budget = given(services["budget"])
    trued = coser.trued_up(services["swd"], rows)
    actual = coser.per_service(services, at, coser.actual_weight(rows["actual_units"]).to_numpy())
    # the final cost is known where the budget is given, or the actual cost replaces it (a blank budget is its error)
    known = services["budget"].notna() | (trued & services["actual_cost"].notna())
    final = coser.final_cost(services["budget"][known], services["actual_cost"][known], trued[known])
    lacking = _check_basis_columns(inputs.table("Participation"), services, log)
    checks = (  # (rows breaking the rule, code, column, message, expected, found)
        (on(services, coser.nothing_to_share_by(total[budget.index], budget)), "no-participation", "budget",
         lambda c: f"service {c} has a budget but no participation units under its {basis[c]} basis",
         lambda c: "units for at least one participating district", lambda c: "0 units in total"),
        (coser.nothing_to_share_by(total, surplus), "surplus-without-participants", "surplus",
         lambda c: f"service {c} has a {'surplus' if surplus[c] > 0 else 'assessment'} but no participation units "
                   f"under its {basis[c]} basis to return it by",
         lambda c: "units for at least one participating district", lambda c: dollars_text(surplus[c])),
        (coser.approvals_over_participants(approvals, participants), "approvals-over-participants",
         "approvals", lambda c: f"service {c} has more approvals than participating component districts",
         lambda c: f"at most {participants[c]}", lambda c: f"{approvals[c] / QUANTITY_SCALE:g}"),
    )
    for broken, code, column, message, expected, found in checks:
        if code != "approvals-over-participants":
            broken = broken & ~lacking  # no units because their column is missing: that one error says it
        for c in services.index[broken.to_numpy(dtype=bool)]:
            log.error(code, message(c), **table.where(column, int(services.at[c, "excel_row"])),
                      expected=expected(c), found=found(c))
    divisor = services.loc[budget.index, "basis"].map({name: n for name, (_, n) in coser.BASIS_COLUMNS.items()})
    unit_cost = coser.unit_cost_cents(budget, total[budget.index], divisor)
    for c in budget.index[(np.abs(unit_cost.to_numpy()) > MONEY_BOUND).astype(bool)]:  # Python ints if too large
        # a budget over a sliver of units: a unit cost no later sum could hold
        log.error("unit-cost-too-large", **table.where("budget", int(services.at[c, "excel_row"])),
                  expected=f"a unit cost up to {dollars_text(MONEY_BOUND)}",
                  found=f"{dollars_text(services.at[c, 'budget'])} over {total[c] / 10**6:g} units", service=c)
    for c in services.index[on(services, trued[known] & coser.nothing_to_share_by(actual[known], final)).to_numpy()]:
        log.error("no-actual-units", f"service {c} gives actual units that add up to 0",
                  **inputs.table("Participation").where("actual_units"), expected="actual units for the true-up",
                  found="0 in total")
    # a blank Actual units cell is 0 units (docs/formats.md, Participation), and on a service trued up on actual
    # units 0 credits the district's whole charge: said at the cell, never silently
    hit = rows["actual_units"].isna().to_numpy() & trued.to_numpy(dtype=bool)[at]  # every row's service is listed
    if hit.any():
        where = inputs.table("Participation").where
        for row, code in log.room("warning", "actual-units-blank",
                                  list(zip(rows["excel_row"].to_numpy()[hit], rows["service_code"].to_numpy()[hit]))):
            log.warning("actual-units-blank", **where("actual_units", int(row)), service=code,
                        expected="the district's actual units (0 if it had none)", found="a blank cell")


def _check_basis_columns(table: Table | None, services: pd.DataFrame, log: IssueLog) -> pd.Series:
    """Each column of Participation the unit cost basis of a service with something to share needs
    (§1950(4)(d)(3); rules §3): one missing-column error at the header row per column absent, naming the services.
    Returns the services lacking a column."""
    lacking = pd.Series(False, index=services.index)
    if table is None:
        return lacking
    sharing = on(services, given(services["budget"]) != 0) | (services["surplus"] != 0)
    for key in dict.fromkeys(k for columns, _ in coser.BASIS_COLUMNS.values() for k in columns):
        if table.present(key):
            continue
        # bool also with no service (a map over nothing is object)
        needing = sharing & services["basis"].map(lambda b: key in coser.BASIS_COLUMNS.get(b, ((), 1))[0]).astype(bool)
        if needing.any():
            header = PARTICIPATION.field(key).header
            log.error("missing-column", f"the unit cost basis of service {', '.join(map(str, services.index[needing]))} "
                      f"needs the column {header!r}", **table.where(key), expected=f"a column headed {header!r}",
                      found="no such column")
        lacking |= needing
    return lacking


def _check_blend(inputs: Inputs, s: Settings, values: dict[str, ParameterValue], log: IssueLog) -> None:
    """Putnam-Northern Westchester must blend at its statutory schedule. Statute: Educ. Law §1950(4)(b)(7). rules §2."""
    if s.putnam_nw_blend and s.blend_tv_percent is not None:
        scheduled = values["apportionment.putnam_nw_true_value_percent"].value
        if not ap.putnam_nw_lawful(Fraction(s.blend_tv_percent), scheduled):
            log.error("blend-off-schedule", f"Putnam-Northern Westchester must blend {scheduled}% true value / "
                      f"{100 - scheduled}% WADA in {s.school_year}", **inputs.items.where("blend_tv_percent"),
                      expected=f"{scheduled}", found=f"{float(s.blend_tv_percent):g}")


#: the budgets shared among the districts, each less its state aid and other revenue (rules §1)
POOLS = (("admin_budget", "state_aid_admin", "other_revenue_admin", "administrative"),
         ("capital_budget", "state_aid_capital", "other_revenue_capital", "capital"))


def _check_pools(inputs: Inputs, s: Settings, log: IssueLog) -> None:
    """A pool — the budget less state aid and other revenue — must not be negative: an input error (rules §1).
    Statute: Educ. Law §1950(4)(b)(7); §1951(1). Made on each budget typed, whatever else the BOCES sheet lacks."""
    items = inputs.items
    for budget, aid, other, label in POOLS:
        pool = pools.pool(getattr(s, budget), getattr(s, aid), getattr(s, other))
        if items.values.get(budget) is not None and pool < 0:
            # point at the larger deduction typed (the one that takes the pool below 0: other revenue of
            # 5,000,000 beside state aid of 0), else the budget itself
            deductions = [k for k in (aid, other) if items.cells.get(k) and (getattr(s, k) or 0) > 0]
            typed = max(deductions, key=lambda k: getattr(s, k)) if deductions else budget
            log.error("negative-pool", f"the {label} budget less state aid and other revenue is negative",
                      **items.where(typed), expected=f"state aid and other revenue no more than the {label} budget",
                      found=f"{label} pool of {dollars_text(pool)}")


def _check_contingency(inputs: Inputs, s: Settings, districts: pd.DataFrame, log: IssueLog) -> None:
    """After a failed budget vote the contingency budget needs the prior year's administrative budget, and its
    pool must not be negative. Statute: Educ. Law §1950(4)(b)(7); 8 NYCRR 170.3(b). rules §1, §6."""
    items = inputs.items
    vote = pools.budget_vote(districts.loc[districts["is_component"], "budget_vote"])
    if vote.adopted:
        return
    if s.prior_admin_budget is None:
        log.error("prior-budget-missing", "the budget vote failed, so the contingency budget needs the prior year's "
                  "administrative budget", **items.where("prior_admin_budget"), expected="dollars", found="nothing")
        return
    used = pools.admin_budget_used(s.admin_budget, vote, pools.contingency_cap(s.prior_admin_budget,
                                                                              s.excluded_increases))
    pool = pools.pool(used, s.state_aid_admin, s.other_revenue_admin)
    if pool < 0 <= pools.pool(s.admin_budget, s.state_aid_admin, s.other_revenue_admin):  # else the BOCES check said so
        log.error("negative-pool", "the contingency administrative budget less state aid and other revenue is "
                  "negative", **items.where("state_aid_admin" if items.cells.get("state_aid_admin") else
                                            "prior_admin_budget"),
                  expected="a pool of 0 or more", found=dollars_text(pool))


def _check_shared_pd(inputs: Inputs, contracts: pd.DataFrame, attendance: pd.DataFrame,
                     values: dict[str, ParameterValue], log: IssueLog) -> None:
    """The COSER 507 rules each shared-PD contract must keep (the COSER 507 rules; rules §4): enough paying districts, fewer
    than the maximum days, no college credit or certificate, board approval before the work starts.

    The paying districts are counted only from an attendance sheet read without errors: a count of an
    incomplete sheet would report a contract the user has not broken."""
    table = inputs.table("Shared PD")
    contracts = contracts[contracts["contract"].notna() & ~contracts.index.duplicated()]
    minimum = int(values["shared_pd.min_paying_districts"].value)
    max_days = int(values["shared_pd.max_days"].value)
    paying = pd_rules.paying_districts(pd_rules.staff_attending(attendance.dropna(subset=["contract", "district_code"])))
    paying = paying.reindex(contracts.index, fill_value=0)
    days, approved, start = contracts["days"], contracts["board_approval_date"], contracts["start_date"]
    dated = approved.notna() & start.notna()
    broken = {"too_few_districts": pd_rules.too_few_districts(paying, minimum),
              "too_long": on(contracts, pd_rules.too_long(given(days), max_days)),
              "credit": contracts["credit"],
              "post_dated": on(contracts, pd_rules.post_dated(approved[dated], start[dated]))}
    sign_in = inputs.table("PD Attendance")
    counted = sign_in is None or not any((i.file, i.sheet) == (sign_in.file, sign_in.sheet) for i in log.errors)
    rules = [  # (rule, code, column, message, expected, found)
        ("too_few_districts", "pd-too-few-districts", "contract",
         lambda c: f"contract {c} must be shared by at least {minimum} paying districts",
         f"{minimum} or more districts attending", lambda c: str(paying[c])),
        ("too_long", "pd-too-long", "days",
         lambda c: f"contract {c}: activities must be less than {max_days} days",
         f"fewer than {max_days} days", lambda c: f"{days[c] / QUANTITY_SCALE:g}"),
        ("credit", "pd-credit", "credit", lambda c: f"contract {c}: activities may not grant college credit or a "
         "certificate", "no", lambda c: "yes"),
        ("post_dated", "pd-post-dated", "board_approval_date",
         lambda c: f"contract {c}: the board must approve before the work starts (no post-dated work)",
         "a board approval date before the start date", lambda c: f"{approved[c]} (start {start[c]})"),
    ]
    for rule, code, column, message, expected, found in rules:
        if rule == "too_few_districts" and not counted:
            continue
        for c in contracts.index[broken[rule].to_numpy(dtype=bool)]:
            log.error(code, message(c), **table.where(column, int(contracts.at[c, "excel_row"])), expected=expected,
                      found=found(c))
