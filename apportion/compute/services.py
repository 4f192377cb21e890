"""CoSer and COSER 507 shared-PD tables: unit costs, charges, true-ups, surpluses and the rules
that make a contract or a methodology unlawful (rules §3, §4)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import IssueLog
from ..exact import QUANTITY_SCALE
from ..law import coser, shared_pd
from ..model import Job
from .values import Values


def coser_tables(job: Job, p: Values, rounding: str, log: IssueLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Unit costs, charges, the SWD true-up and surpluses per service (rules §3)."""
    services = job.services.copy(deep=False)  # copy on write: the job's frames stay as they are
    rows = job.participation.copy(deep=False)
    at = services.index.get_indexer(rows["service_code"])  # each row's service: every one is listed (validated)
    # what a split groups by and settles ties by, as categories: each split of the rows hashes no code again
    keys = pd.DataFrame({"service_code": pd.Categorical.from_codes(at, categories=services.index),
                         "district_code": pd.Categorical(rows["district_code"])}, index=rows.index)
    units = coser.basis_units(rows, services)
    weight = units["weight"]
    rows["weight"], rows["divisor"] = weight, units["divisor"]
    services["total_weight"] = coser.per_service(services, at, weight.to_numpy())
    divisors = {name: n for name, (_, n) in coser.BASIS_COLUMNS.items()}
    services["divisor"] = services["basis"].map(divisors).astype(np.int64)  # int64 also with no service
    unit_cost = coser.unit_cost_cents(services["budget"], services["total_weight"], services["divisor"])
    services["unit_cost"] = unit_cost.astype(np.int64)  # within the money limit: validated
    rows["charge"] = coser.charges(services["budget"], keys, weight, rounding)
    # students with disabilities: final charge on actual participation (§1950(4)(d)(3))
    swd = coser.trued_up(services["swd"], rows)
    services["trued_up"] = swd
    # the nullable actual cost replaced by the budget where not given: no blank left, int64
    services["final_cost"] = coser.final_cost(services["budget"], services["actual_cost"], swd).astype(np.int64)
    actual_weight = coser.actual_weight(rows["actual_units"])
    rows["actual_weight"] = actual_weight
    trued = pd.Series(swd.to_numpy(dtype=bool)[at], index=rows.index)  # per row: its service is trued up
    services["total_actual"] = coser.per_service(services, at, np.where(trued, actual_weight.to_numpy(), 0))
    rows["final_charge"] = coser.final_charges(services["final_cost"], keys, trued, actual_weight, rows["charge"],
                                               rounding)
    rows["adjustment"] = coser.adjustment(rows["final_charge"], rows["charge"])
    services["actual_unit_cost"] = coser.unit_cost_cents(services["final_cost"], services["total_actual"],
                                                         pd.Series(1, index=services.index))
    # service surplus or assessment: returned by participation (§1950(4)(f)) — also on a service whose budget
    # is 0 (a discontinued service returning last year's money); validation refused one with no units
    rows["surplus_credit"] = coser.surplus_credits(services["surplus"], keys, weight, rounding)
    # three-quarters approval (§1950(4)(d)(3))
    services["participants"] = coser.participants(rows, weight, job.components.index).reindex(
        services.index, fill_value=0)
    fraction = p("coser.approval_fraction")
    services["approvals_needed"] = coser.approvals_needed(services["participants"], fraction)
    short = coser.approval_shortfall(services["participants"], services["approvals"], fraction)
    hit = short.to_numpy(dtype=bool)  # the few services warned of, their cells read once (not .at per value)
    for code, approvals, participants, needed, row in zip(
            services.index[hit], *(services[c].to_numpy()[hit] for c in ("approvals", "participants",
                                                                         "approvals_needed", "excel_row"))):
        log.warning("methodology-not-approved", f"service {code}: methodology not approved by three-quarters of "
                    f"participating districts ({approvals / QUANTITY_SCALE:g} of {participants}; {needed} needed)",
                    **job.where("Services", "approvals", row), expected=f"at least {needed}",
                    found=f"{approvals / QUANTITY_SCALE:g}")
    table = job.tables.get("Services")
    if table is not None and table.present("approvals"):  # a column left out is not a count left blank
        hit = coser.approval_unknown(services["participants"], services["approvals"]).to_numpy(dtype=bool)
        for code, participants, row in zip(services.index[hit], services["participants"].to_numpy()[hit],
                                           services["excel_row"].to_numpy()[hit]):
            log.warning("approvals-blank", **job.where("Services", "approvals", row),
                        expected=f"the number of the {participants} participating districts approving",
                        found="a blank cell", service=code)
    over = coser.salaries_over_limit(job.staff, services, p.cents("aid.salary_limit"))
    services["salaries_over_limit"] = over
    services["aidable_num"], services["aidable_den"] = coser.aidable_fraction(services, over)
    return services, rows


def shared_pd_tables(job: Job, rounding: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """COSER 507 contracts (validation held them to the COSER 507 rules): per-attendee charges (rules §4)."""
    contracts = job.shared_pd.copy()
    attending = shared_pd.staff_attending(job.pd_attendance)
    contracts["paying_districts"] = shared_pd.paying_districts(attending).reindex(contracts.index, fill_value=0)
    if contracts.empty:
        attending["charge"] = pd.Series(dtype=np.int64)
        contracts["unit_cost"] = pd.Series(dtype=np.int64)
        contracts["aidable_num"] = contracts["aidable_den"] = pd.Series(dtype=np.int64)
        return contracts, attending.assign(aidable_num=0, aidable_den=1)
    contracts["staff_total"] = attending.groupby("contract")["staff"].sum().reindex(contracts.index, fill_value=0)
    contracts["unit_cost"] = coser.unit_cost_cents(contracts["cost"], contracts["staff_total"], pd.Series(1, index=contracts.index))
    attending["charge"] = shared_pd.contract_charges(contracts["cost"], attending, rounding)
    contracts["aidable_num"], contracts["aidable_den"] = shared_pd.aidable_parts(contracts)
    # every attending contract is listed (validated): int64 again after the map
    attending["aidable_num"] = attending["contract"].map(contracts["aidable_num"]).astype(np.int64)
    attending["aidable_den"] = attending["contract"].map(contracts["aidable_den"]).astype(np.int64)
    return contracts, attending
