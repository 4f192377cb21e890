"""Cross-sheet checks: from typed sheets to a :class:`~apportion.model.Job`, or issues.

Each check collects every problem it finds (unknown or duplicate codes, the
columns the chosen method needs, impossible values) with its cell; nothing
stops at the first.
"""
from __future__ import annotations


from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from .errors import IssueLog
from .exact import MONEY_BOUND, QUANTITY_SCALE, dollars_text
from .law import apportionment as ap
from .law import coser, pools, shared_pd as pd_rules, special_act
from .law.apportionment import METHOD_COLUMNS
from .model import Job, Settings
from .parameters import ParameterValue, load_parameters, parameters_at
from .readers.jobs import Inputs
from .readers.coerce import SCALES
from .readers.table import Table
from .schema import (AID_CLAIM, BASIS_NAMES, COLLABORATION, COMPONENT_TYPES, DISTRICTS, PARTICIPATION,
                     PD_ATTENDANCE, SERVICES, SHARED_PD, STAFF, TableSheet)



def build_job(inputs: Inputs, log: IssueLog) -> Job | None:
    """Check the sheets against each other; None when any error was found.

    Every check runs on whatever could be read — cells that did not fit read as
    blank, a sheet that could not be read as empty — so one pass lists every
    problem a user must fix, including every one the computation would meet
    (law parameters on file for the year, a lawful blend and contingency budget,
    a zero basis, a service with budget or surplus but no units or a unit cost
    past the money limit, approvals above participants, the COSER 507 rules):
    the computation itself refuses nothing.
    """
    reported = {(i.file, i.sheet, i.cell) for i in log.errors if i.cell}
    first = len(log.issues)
    try:
        return _checked_job(inputs, log)
    finally:
        # a cell the readers already refused reads as blank; the checks must not report it a second time
        log.issues[first:] = [i for i in log.issues[first:]
                              if i.severity != "error" or (i.file, i.sheet, i.cell) not in reported]


def _checked_job(inputs: Inputs, log: IssueLog) -> Job | None:
    settings = _settings(inputs, log) if inputs.items is not None else None
    values = _check_parameters(inputs, settings, log) if settings is not None else None
    if values is not None:
        _check_blend(inputs, settings, values, log)
    if inputs.table("Districts") is None:
        return None
    districts = _districts(inputs)
    services = _frame(inputs, SERVICES).set_index("service_code", drop=False)
    participation = _frame(inputs, PARTICIPATION)
    staff = _frame(inputs, STAFF)
    shared_pd = _frame(inputs, SHARED_PD).set_index("contract", drop=False)
    attendance = _frame(inputs, PD_ATTENDANCE)
    claim_table = inputs.table("Aid claim")
    aid_claim = _frame(inputs, AID_CLAIM).set_index("district_code", drop=False) if claim_table else None
    collaboration = _frame(inputs, COLLABORATION)
    codes = set(districts.index)
    references = (("Participation", "district_code", districts, "unknown-district", "Districts"),
                  ("PD Attendance", "district_code", districts, "unknown-district", "Districts"),
                  ("Aid claim", "district_code", districts, "unknown-district", "Districts"),
                  ("Collaboration hours", "district_code", districts, "unknown-district", "Districts"),
                  ("Participation", "service_code", services, "unknown-service", "Services"),
                  ("Staff", "service_code", services, "unknown-service", "Services"),
                  ("PD Attendance", "contract", shared_pd, "unknown-contract", "Shared PD"))
    for name, column, listed, code, on in references:
        # a sheet (readers.jobs.DEPENDS) or key column missing altogether is one error already, not one per row
        if _has(inputs, on, column):
            _check_known(inputs.table(name), column, set(listed.index), code,
                         f"a {column.split('_')[0]} listed on the {on} sheet", log)
    districts_table = inputs.table("Districts")
    if settings is not None and _has(inputs, "Districts", "district_code"):
        _check_method_columns(districts_table, districts, settings, log)
        _check_basis(districts_table, districts, settings, log)
    _check_aid_columns(districts_table, districts, aid_claim, log)
    _check_claim(claim_table, districts, log)
    _check_claimed(claim_table, districts_table, districts, log)
    if _has(inputs, "Services", "service_code") and (inputs.table("Participation") is None or all(
            _has(inputs, "Participation", k) for k in ("district_code", "service_code"))):
        _check_services(inputs, services, participation, districts, log)
    if settings is not None:
        _check_contingency(inputs, settings, districts, log)
    if values is not None and _has(inputs, "Shared PD", "contract"):
            _check_shared_pd(inputs, shared_pd, attendance, values, log)
    if log.errors or settings is None:
        return None
    return Job(
        name=inputs.source.name, files=inputs.files, settings=settings, districts=districts, services=services,
        participation=participation, staff=staff, shared_pd=shared_pd, pd_attendance=attendance,
        aid_claim=aid_claim, collaboration=collaboration,
        tables={t.spec.name: t for t in inputs.tables.values()}, items=inputs.items,
    )


def _has(inputs: Inputs, sheet: str, key: str) -> bool:
    """The sheet was read and has the column."""
    table = inputs.table(sheet)
    return table is not None and table.present(key)


def _frame(inputs: Inputs, spec: TableSheet) -> pd.DataFrame:
    """The sheet's typed frame with every column present (absent optional columns at their default).

    A column with a default is never null: numbers are int64, yes/no bool; so is a required column
    with every cell given (a blank one is an error, and no job is built). Others keep pandas'
    nullable Int64 / boolean, a blank being "not given". The law takes these columns as they are.
    """
    table = inputs.table(spec.name)
    frame = table.frame.copy() if table is not None else pd.DataFrame()
    for f in spec.fields:
        if f.key not in frame.columns:
            frame[f.key] = pd.Series([f.default] * len(frame), index=frame.index, dtype=object)
        elif f.default is not None:
            frame[f.key] = frame[f.key].where(frame[f.key].notna(), f.default)
    for f in spec.fields:
        if f.kind in ("money", "signed money", "quantity"):
            given = f.default is not None or (f.required and frame[f.key].notna().all())
            frame[f.key] = frame[f.key].astype(np.int64 if given else "Int64")
        elif f.kind == "yesno":
            frame[f.key] = frame[f.key].astype("boolean" if f.default is None else bool)
    frame["excel_row"] = frame.index
    return frame.reset_index(drop=True)


def _settings(inputs: Inputs, log: IssueLog) -> Settings | None:
    """The BOCES items, with the blend rules of §1950(4)(b)(7); None when a required item is missing (its
    error is the reader's), after every other item has still been checked."""
    items = inputs.items
    v = items.values
    required = ("boces_name", "boces_code", "school_year", "method")
    settings = Settings(**({k: None for k in required}
                           | {k: v[k] for k in Settings.__dataclass_fields__ if k in v and v[k] is not None}))
    if settings.method == "blend":
        if settings.blend_authority is None:
            log.error("blend-authority-missing", "a blend is lawful only for a Suffolk merged supervisory district or "
                      "Putnam-Northern Westchester; say which", **items.where("blend_authority"),
                      expected="Suffolk or Putnam-Northern Westchester", found="nothing")
        if settings.blend_tv_percent is None:
            log.error("blend-percent-missing", "the blend needs its true value percent",
                      **items.where("blend_tv_percent"), expected="a percent, 0-100", found="nothing")
        else:
            pct = settings.blend_tv_percent
            pct = pct * 100 if pct <= 1 else pct  # Excel stores 50% as 0.5
            if pct > 100:
                log.error("blend-percent-range", "the true value percent must be between 0 and 100",
                          **items.where("blend_tv_percent"), expected="0-100", found=str(settings.blend_tv_percent))
            settings.blend_tv_percent = pct
    cap = settings.capital_aidable_fraction
    if cap is not None and not (0 <= cap <= 1):
        log.error("fraction-range", "the capital aidable fraction must be between 0 and 1",
                  **items.where("capital_aidable_fraction"), expected="0-1", found=str(cap))
    for budget, aid, other, label in (("admin_budget", "state_aid_admin", "other_revenue_admin", "administrative"),
                                      ("capital_budget", "state_aid_capital", "other_revenue_capital", "capital")):
        pool = getattr(settings, budget) - getattr(settings, aid) - getattr(settings, other)
        if v.get(budget) is not None and pool < 0:
            # point at the deduction actually typed (state aid, else other revenue), else the budget itself
            typed = next((k for k in (aid, other, budget) if items.cells.get(k)), aid)
            log.error("negative-pool", f"the {label} budget less state aid and other revenue is negative",
                      **items.where(typed), expected=f"state aid and other revenue no more than the {label} budget",
                      found=f"{label} pool of {dollars_text(pool)}")
    if settings.state_avg_av_per_rwada is not None and settings.state_avg_av_per_rwada <= 0:
        log.error("not-positive", "the state average AV per RWADA must be more than 0",
                  **items.where("state_avg_av_per_rwada"), expected="dollars, more than 0", found="0")
    return None if any(getattr(settings, k) is None for k in required) else settings


def _districts(inputs: Inputs) -> pd.DataFrame:
    """Districts indexed by code, with their type settled (blank = component) and the aid year's
    AV and RWADA defaulting to full value and RWADA."""
    frame = _frame(inputs, DISTRICTS)
    frame["is_component"] = frame["type"].isin(COMPONENT_TYPES)
    frame["aid_av"] = frame["aid_av"].fillna(frame["full_value"])
    frame["aid_rwada"] = frame["aid_rwada"].fillna(frame["rwada"])
    frame = frame[frame["district_code"].notna() & ~frame["district_code"].duplicated(keep="first")]
    return frame.set_index("district_code", drop=False).sort_index()


def _check_known(table: Table | None, column: str, known: set, code: str, expected: str, log: IssueLog) -> None:
    """Codes that refer to another sheet must be listed there."""
    if table is None or column not in table.frame.columns:
        return
    values = table.frame[column]
    unknown = values.notna() & ~values.isin(known)
    for row in values.index[unknown.to_numpy()]:
        log.error(code, f"{values[row]} is not listed", **table.where(column, row), expected=expected,
                  found=str(values[row]))


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
    # any positive statewide average and blend percent give a zero total exactly when the real ones do
    pct = settings.blend_tv_percent
    weight = ap.basis(settings.method, comps, 1, Fraction(pct if pct is not None and 0 < pct < 100 else 50))
    if weight.total == 0:
        label = BASIS_NAMES[settings.method]
        column = needed[-1] if settings.method != "true value" else "full_value"
        log.error("zero-basis", f"the total {label} of the component districts is 0, so the budgets cannot be "
                  "apportioned", **table.where(column), expected=f"{label} above 0 for at least one component "
                  "district", found="0 in total")


def _check_services(inputs: Inputs, services: pd.DataFrame, participation: pd.DataFrame, districts: pd.DataFrame,
                    log: IssueLog) -> None:
    """What the CoSer computation needs (§1950(4)(d)(3), (f)): each service with a budget, a surplus or an
    actual cost to true up has units to share it by, and no more approvals than participating districts."""
    table = inputs.table("Services")
    services = services[services["service_code"].notna() & ~services.index.duplicated()]
    rows = participation[participation["service_code"].isin(services.index)]
    weight = coser.basis_units(rows, services)["weight"]
    total = weight.groupby(rows["service_code"]).sum().reindex(services.index).fillna(0)
    participants = coser.participants(rows, weight, districts.index[districts["is_component"]]).reindex(
        services.index).fillna(0).astype("int64")
    basis, surplus, approvals = services["basis"], services["surplus"], services["approvals"]
    trued = coser.trued_up(services["swd"], rows)
    actual = coser.actual_weight(rows["actual_units"]).groupby(rows["service_code"]).sum().reindex(services.index,
                                                                                                     fill_value=0)
    final = coser.final_cost(services["budget"], services["actual_cost"], trued).fillna(0)  # a blank budget is reported
    lacking = _check_basis_columns(inputs.table("Participation"), services, log)
    checks = (  # (rows breaking the rule, code, column, message, expected, found)
        (coser.nothing_to_share_by(total, services["budget"].fillna(0)), "no-participation", "budget",
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
    divisor = services["basis"].map({name: n for name, (_, n) in coser.BASIS_COLUMNS.items()}).fillna(1)
    unit_cost = coser.unit_cost_cents(services["budget"].fillna(0).astype(np.int64), total.astype(np.int64),
                                      divisor.astype(np.int64))
    for c in services.index[unit_cost.map(lambda cost: abs(int(cost)) > MONEY_BOUND).to_numpy(dtype=bool)]:
        # a budget over a sliver of units: a unit cost no later sum could hold
        log.error("unit-cost-too-large", **table.where("budget", int(services.at[c, "excel_row"])),
                  expected=f"a unit cost up to {dollars_text(MONEY_BOUND)}",
                  found=f"{dollars_text(services.at[c, 'budget'])} over {total[c] / 10**6:g} units", service=c)
    for c in services.index[(trued & coser.nothing_to_share_by(actual, final)).to_numpy(dtype=bool)]:
        log.error("no-actual-units", f"service {c} gives actual units that add up to 0",
                  **inputs.table("Participation").where("actual_units"), expected="actual units for the true-up",
                  found="0 in total")
    # a blank Actual units cell is 0 units (docs/formats.md, Participation), and on a service trued up on actual
    # units 0 credits the district's whole charge: said at the cell, never silently
    blank = rows["actual_units"].isna() & rows["service_code"].map(trued).fillna(False).astype(bool)
    if blank.any():
        where = inputs.table("Participation").where
        hit = blank.to_numpy(dtype=bool)
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
    sharing = (services["budget"].fillna(0) != 0) | (services["surplus"] != 0)
    for key in dict.fromkeys(k for columns, _ in coser.BASIS_COLUMNS.values() for k in columns):
        if table.present(key):
            continue
        needing = sharing & services["basis"].map(lambda b: key in coser.BASIS_COLUMNS.get(b, ((), 1))[0]).astype(bool)
        if needing.any():
            header = PARTICIPATION.field(key).header
            log.error("missing-column", f"the unit cost basis of service {', '.join(map(str, services.index[needing]))} "
                      f"needs the column {header!r}", **table.where(key), expected=f"a column headed {header!r}",
                      found="no such column")
        lacking |= needing
    return lacking


def _check_aid_columns(table: Table, districts: pd.DataFrame, claim: pd.DataFrame | None, log: IssueLog) -> None:
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
        bad = values.isna() if key == "tax_levy" else (values.isna() | (values.fillna(0) <= 0))
        refused = {i.cell for i in log.issues if i.severity == "error" and i.sheet == table.sheet}
        for code in comps.index[bad.to_numpy()]:
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


def _check_claim(table: Table | None, districts: pd.DataFrame, log: IssueLog) -> None:
    """Claimed expenses and published aid are whole dollars (rules §5); only components are aided."""
    if table is None:
        return
    frame = table.frame
    for f in AID_CLAIM.fields:
        if f.kind != "money" or f.key not in frame.columns:
            continue
        values = frame[f.key]
        cents = values.notna() & (values.fillna(0) % 100 != 0)
        for row in values.index[cents.to_numpy()]:
            log.error("not-whole-dollars", f"{f.header!r} is claimed in whole dollars", **table.where(f.key, row),
                      expected="whole dollars", found=f"{int(values[row]) / 100:.2f}")
    if "district_code" in frame.columns:
        codes = frame["district_code"]
        outside = codes.isin(districts.index[~districts["is_component"]])
        for row in codes.index[outside.to_numpy()]:
            log.warning("claim-not-component", "only component districts receive BOCES aid; this row is ignored",
                        **table.where("district_code", row), expected="a component district",
                        found=f"{codes[row]} ({districts.at[codes[row], 'type']})")


#: the Aid claim columns a district's aid is computed from (the published ones only reconcile)
CLAIMED = ("approved_admin", "approved_services", "capital_expense", "rent_expense", "save_harmless_aid")


def _check_claimed(table: Table | None, districts_table: Table, districts: pd.DataFrame, log: IssueLog) -> None:
    """In claim mode (rules §5) a component's aid is what the sheet claims for it: a component with no row, or a
    row with every expense blank, would get 0 aid unsaid — an error at its District code on Districts, or at
    the row's first expense cell."""
    if table is None or "district_code" not in table.frame.columns:
        return
    frame = table.frame
    listed = frame["district_code"]
    unlisted = districts[districts["is_component"] & ~districts.index.isin(listed)]
    for code, row in zip(unlisted.index, unlisted["excel_row"]):
        log.error("claim-missing", district=code, **districts_table.where("district_code", int(row)),
                  expected="a row on the Aid claim sheet for each component district", found="no row")
    present = [k for k in CLAIMED if k in frame.columns]
    blank = frame[present].isna().all(axis=1) & listed.isin(districts.index[districts["is_component"]])
    for row in frame.index[blank.to_numpy()]:
        log.error("claim-missing", district=listed[row], expected="the district's claimed expenses",
                  found="every expense blank", **table.where(present[0] if present else "district_code", row))


def _check_parameters(inputs: Inputs, settings: Settings, log: IssueLog) -> dict[str, ParameterValue] | None:
    """The law parameters in force for the school year (rules §8); None, with one error per parameter not on file
    for it, when the tool cannot compute that year. The statewide average AV per RWADA may come from the BOCES
    sheet instead (rules §5)."""
    values = parameters_at(settings.school_year)
    average = "aid.state_average_av_per_rwada"
    missing = sorted(set(load_parameters()) - set(values) - {average})
    if average not in values and settings.state_avg_av_per_rwada is None:
        missing.append(average)
    for name in missing:
        log.error("no-parameter", f"no value of {name} is on file for {settings.school_year}; the tool covers the "
                  "years its parameter files cover", **inputs.items.where("school_year"),
                  expected="a school year with law parameters on file", found=str(settings.school_year))
    return None if missing else values


def _check_blend(inputs: Inputs, s: Settings, values: dict[str, ParameterValue], log: IssueLog) -> None:
    """Putnam-Northern Westchester must blend at its statutory schedule. Statute: Educ. Law §1950(4)(b)(7). rules §2."""
    if s.method == "blend" and s.blend_tv_percent is not None and s.blend_authority == "Putnam-Northern Westchester":
        scheduled = values["apportionment.putnam_nw_true_value_percent"].value
        if not ap.putnam_nw_lawful(Fraction(s.blend_tv_percent), scheduled):
            log.error("blend-off-schedule", f"Putnam-Northern Westchester must blend {scheduled}% true value / "
                      f"{100 - scheduled}% WADA in {s.school_year}", **inputs.items.where("blend_tv_percent"),
                      expected=f"{scheduled}", found=f"{float(s.blend_tv_percent):g}")


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
    paying = paying.reindex(contracts.index).fillna(0).astype(np.int64)
    days, approved, start = contracts["days"], contracts["board_approval_date"], contracts["start_date"]
    broken = pd_rules.unlawful(paying, days, contracts["credit"].fillna(False).astype(bool), approved, start,
                               minimum, max_days)
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
