"""The summary workbook's data sheets: one table each under a title and a line saying how its
figures are made (docs/formats.md, Outputs)."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import ISSUE_FIELDS
from ..result import Result
from ..schema import BOCES_ITEMS
from .styles import CODE_WIDTH, NAME_WIDTH, Styles, printable
from .datasheet import data_sheet
from .yoy import run_section
from .tables import Col, Columns, Placed, listed, write_pairs, write_section, write_table
from .labels import (AID_LINES, AID_TOTALLED, DISTRICT, SOURCE_LABELS, aid_heading, basis_label, created_at, dollars,
                     half_up_cents, method_text, number_text, parameter, ratio_text)


def _basis_col(result: Result) -> Col:
    kind = "weight" if result.settings.method == "blend" else "units"
    return Col(f"Basis ({basis_label(result)})", "basis_value", kind, 18)


def _shares_frame(result: Result) -> pd.DataFrame:
    shares = result.apportionment.shares.sort_index().reset_index()
    scale = result.apportionment.basis_scale
    return shares.assign(basis_value=[Decimal(int(v)) / scale for v in shares["basis"].tolist()])


def _lookup(keys: pd.Series, values: pd.Series) -> list:
    """Each key's value in ``values`` (a Series by key), None where it has none or it is blank: what
    ``keys.map(values)`` gives a data sheet, from a dict (pandas' map over a text column costs a few ms)."""
    found = dict(zip(values.index.tolist(), listed(values)))
    return list(map(found.get, keys.tolist()))


def administrative_sheet(book, st: Styles, result: Result) -> Placed:
    frame = _shares_frame(result)
    cols = DISTRICT + [Col("Type", "type", width=13), _basis_col(result), Col("Share %", "share_percent", "percent")]
    if "administrative_proposed" in frame:
        frame["difference"] = frame["administrative"] - frame["administrative_proposed"]
        cols += [Col("Share of proposed budget", "administrative_proposed", "cents", total=True),
                 Col("Administrative share (contingency, charged)", "administrative", "cents", 18, True),
                 Col("Difference", "difference", "cents", total=True)]
    else:
        cols.append(Col("Administrative share", "administrative", "cents", total=True))
    if frame["administrative_surplus"].any():
        frame["admin_total"] = frame["administrative"] + frame["administrative_surplus"]
        cols += [Col("Surplus credit (−) or assessment", "administrative_surplus", "cents", total=True),
                 Col("Administrative charge", "admin_total", "cents", total=True)]
    pool = int(result.apportionment.shares["administrative"].sum())
    note = (f"The administrative pool of {dollars(pool)} (budget less state aid and other revenue) is shared by "
            f"{basis_label(result)}: each share = pool × the district's basis ÷ the total basis, settled to "
            f"the cent by {result.settings.rounding} (Educ. Law §1950(4)(b)(7)). A surplus is returned, or an "
            "assessment charged, by the same shares (§1950(4)(f)).")
    title = f"Administrative budget — apportioned by {method_text(result)}"
    return data_sheet(book, st, result, "Administrative", title, note, frame, cols, "Administrative")


def capital_sheet(book, st: Styles, result: Result) -> Placed:
    frame = _shares_frame(result)
    frame["capital_total"] = frame["capital"] + frame["rent"]
    cols = DISTRICT + [Col("Type", "type", width=13), _basis_col(result), Col("Share %", "share_percent", "percent"),
                       Col("Capital share", "capital", "cents", total=True),
                       Col("Rent share", "rent", "cents", total=True),
                       Col("Capital and rent", "capital_total", "cents", total=True)]
    shares = result.apportionment.shares
    note = (f"The capital pool of {dollars(int(shares['capital'].sum()))} and the rent pool of "
            f"{dollars(int(shares['rent'].sum()))} are shared by the same basis and shares as the administrative "
            "budget. Rent is billed apart because the State aids it apart (§1950(5)(g)).")
    return data_sheet(book, st, result, "Capital", "Capital and rent budgets", note, frame, cols, "Capital")


def comparison_sheet(book, st: Styles, result: Result) -> Placed:
    s = result.settings
    frame = result.comparison.sort_index().reset_index()
    methods = [c for c in frame.columns if c not in ("district_code", "district_name") and "chosen" not in c]
    cols = list(DISTRICT)
    for m in methods:
        chosen = m == s.method or (s.method == "blend" and m.startswith("blend"))
        cols.append(Col(f"{m} (in force)" if chosen else m, m, "cents", 17, True))
    cols += [Col(c.replace("chosen", "in force"), c, "cents", 17, True) for c in frame.columns if "chosen" in c]
    note = (f"The administrative pool of {dollars(int(result.apportionment.shares['administrative'].sum()))} apportioned "
            "under each method the law allows this BOCES (§1950(4)(b)(7)); a positive difference means the district "
            "would pay more under that method. A change of method needs a hearing before the annual meeting.")
    return data_sheet(book, st, result, "Method comparison", "Administrative shares under every lawful method",
                       note, frame, cols, "MethodComparison")


def coser_sheets(book, st: Styles, result: Result) -> None:
    services = result.coser.services.sort_index().reset_index(drop=True)
    cols = [Col("Service code", "service_code", width=9), Col("Service name", "service_name", width=24),
            Col("Unit", "unit", width=8), Col("Unit cost basis", "basis", width=12),
            Col("Budget", "budget", "cents", 14, True), Col("Basis units", "units_total", "units", 11),
            Col("Unit cost", "unit_cost", "cents", 12), Col("Participants", "participants", "count", 11),
            Col("Approvals", "approvals_count", "count", 10), Col("Needed (¾)", "approvals_needed", "count", 9),
            Col("Salaries over limit", "salaries_over_limit", "cents", 12, True),
            Col("Non-aidable costs", "non_aidable", "cents", 12, True),
            Col("Aidable part", "aidable_share", "share", 9),
            Col("SWD final cost", "final", "cents", 13, True), Col("Actual units", "actual", "millionths", 10),
            Col("Actual unit cost", "actual_cost_unit", "cents", 12),
            Col("Surplus returned", "surplus", "cents", 12, True)]
    note = ("Unit cost = budget ÷ the participants' basis units (shown to the cent; charges split the budget by "
            "units exactly, to the cent) (§1950(4)(d)). Participants and approvals count component districts; "
            "three-quarters must approve the methodology. Aidable part = (budget − salaries over the limit − "
            "non-aidable costs) ÷ budget; transportation is not an approved cost (0 %). Students-with-disabilities "
            "services are trued up on actual units.")
    data_sheet(book, st, result, "CoSer unit costs", "CoSer services and unit costs", note,
               _service_columns(services, cols), cols, "CoSerUnitCosts", empty_text="No CoSer services in this job.")
    _coser_charges_sheet(book, st, result)


def _service_columns(services: pd.DataFrame, cols: list[Col]) -> Columns:
    """The CoSer unit costs sheet's columns: the services' own, and those worked out here as lists (no
    column added to a copy of the frame): the basis units, the aidable part, approvals as a count of
    districts, and a trued-up service's final cost, actual units and actual unit cost (blank otherwise)."""
    table = Columns.of(services, cols)
    if not len(services):
        return table
    raw = {key: services[key].tolist() for key in ("total_weight", "divisor", "aidable_num", "aidable_den",
                                                     "final_cost", "total_actual", "actual_unit_cost")}
    trued = services["trued_up"].tolist()
    approvals = services["approvals"]
    made = {
        "units_total": [Decimal(int(w)) / int(d) / 1_000_000 for w, d in zip(raw["total_weight"], raw["divisor"])],
        "aidable_share": [n / d if d else 0.0 for n, d in zip(raw["aidable_num"], raw["aidable_den"])],
        "approvals_count": [None if blank else int(v) // 1_000_000
                            for v, blank in zip(approvals.tolist(), approvals.isna().tolist())]}
    made |= {key: [v if t else None for v, t in zip(raw[source], trued)]
             for key, source in (("final", "final_cost"), ("actual", "total_actual"),
                                 ("actual_cost_unit", "actual_unit_cost"))}
    return Columns(table.values | made, table.rows)


#: the longest name a table column may have in Excel; the header cell is the column's name
TABLE_COLUMN_NAME = 255


def _grid_header(code: str, name: str) -> str:
    """A district's column in the CoSer grid: its code, then its name, cut to fit a table column's name
    (with ``--limit text-length=1000`` a name ran to 1,013 characters, past Excel's 255)."""
    header = f"{code}\n{name}"
    return header if len(header) <= TABLE_COLUMN_NAME else header[:TABLE_COLUMN_NAME - 1] + "…"


def _coser_grid(result: Result) -> tuple[Columns, list[str]]:
    """Each service's CoSer amounts by district (§1950(4)(d)): a row per service code, a column per district
    code (both in sorted order) holding the sum of that district's CoSer billing lines for the service, blank
    (None) where it has none, and the row's total; with the district codes.

    Summed in numpy over the billing lines (a job has hundreds of services and tens of thousands of lines)
    and taken out as a list per district in one call: a pandas pivot table, or a nullable column per
    district, cost more than the rest of the sheet.
    """
    billing = result.billing
    categories = billing["category"]  # a few categories over every line: each tested once
    coser = billing[categories.isin([c for c in categories.unique() if str(c).startswith("coser")])]
    row, items = pd.factorize(coser["item_code"], sort=True)
    col, codes = pd.factorize(coser["district_code"], sort=True)
    sums = np.zeros((len(items), len(codes)), dtype=np.int64)
    np.add.at(sums, (row, col), coser["amount"].to_numpy(dtype=np.int64))
    bought = np.zeros(sums.shape, dtype=bool)
    bought[row, col] = True
    services = pd.Series(items, dtype="str")
    columns = {"service_code": services.tolist(),
               "service_name": _lookup(services, result.coser.services["service_name"])}
    columns |= zip(codes, np.where(bought, sums, None).T.tolist())  # Python ints, None where not bought
    columns["total"] = sums.sum(axis=1).tolist()
    return Columns(columns, len(items)), list(codes)


def _coser_charges_sheet(book, st: Styles, result: Result) -> None:
    """CoSer charges as a grid: one row per service, one column per district, each cell the district's
    CoSer amount for that service (charge, SWD true-up and surplus together), with totals both ways.

    A grid keeps the sheet to the charges that exist (a blank is a district that did not buy the service);
    the charge-by-charge working with units and unit costs is on each statement and in billing.csv.
    """
    frame, codes = _coser_grid(result)
    names = result.districts["district_name"]
    cols = [Col("Service code", "service_code", width=10), Col("Service name", "service_name", width=24)]
    cols += [Col(_grid_header(code, str(names.get(code, ""))), code, "cents", 14, True) for code in codes]
    cols.append(Col("Total", "total", "cents", 15, True))
    note = ("Each cell is what the district pays for the service: units × unit cost (the budget split by units to "
            "the cent), plus any students-with-disabilities true-up on actual units, less any surplus returned by "
            "participation. Units and unit costs are on the district statements and in billing.csv.")
    data_sheet(book, st, result, "CoSer charges", "CoSer charges by service and district", note, frame, cols,
                "CoSerCharges", empty_text="No CoSer charges in this job.")


def aid_sheet(book, st: Styles, result: Result) -> Placed:
    aid = result.aid.table.sort_index().reset_index()
    aid["ratio_source"] = [SOURCE_LABELS.get(v, v) for v in aid["ratio_source"].tolist()]
    cols = DISTRICT + [Col("Type", "type", width=13), Col("Aid AV", "aid_av", "cents", 18),
                       Col("Aid RWADA", "aid_rwada", "millionths", 12), Col("Tax levy", "tax_levy", "cents", 16),
                       Col("PILOTs", "pilots", "cents", 12)]
    cols += [Col(line.header, line.key, line.kind, 12 if line.kind != "text" else 13, line.key in AID_TOTALLED)
             for line in AID_LINES]
    p = lambda name: number_text(parameter(result, name))  # noqa: E731
    r = lambda name: ratio_text(parameter(result, name) * 1000)  # noqa: E731
    note = (f"Tax rate = (levy + PILOTs) ÷ AV in mills to 0.1; millage ratio = 1 − {p('aid.millage_mills')} mills "
            f"({p('aid.millage_mills_chsd')} for a CHSD and its components) ÷ tax rate; wealth ratio = AV per "
            f"RWADA ÷ the state average {dollars(result.aid.state_average_cents)}; RWADA ratio = 1 − "
            f"{p('aid.rwada_ratio_factor')} × wealth ratio; sharing ratio = the greater, at least "
            f"{r('aid.sharing_ratio_floor')} and at most {r('aid.sharing_ratio_cap')} ('Decided by'); capital and rent "
            f"use the RWADA ratio, at most {r('aid.capital_ratio_cap')}. Ratios to three decimals without rounding; "
            "aid in whole dollars (rent truncated). A special act district gets "
            f"{r('aid.special_act_services_fraction')} of its approved services (§1950(4)(m)).")
    return data_sheet(book, st, result, "Aid", aid_heading(result), note, aid, cols, "Aid")


def net_sheet(book, st: Styles, result: Result) -> Placed:
    net = result.net.sort_index().reset_index()
    net["full_value"] = _lookup(net["district_code"], result.districts["full_value"])
    cols = DISTRICT + [Col("Type", "type", width=13), Col("Total charges", "total_charges", "cents", total=True),
                       Col("BOCES aid", "total_aid", "dollars", total=True),
                       Col("Net cost", "net_cost", "cents", total=True),
                       Col("Prior year charges", "prior_total_charges", "cents", total=True),
                       Col("Change in charges", "change", "cents", total=True),
                       Col("Change %", "change_percent", "change"),
                       Col("Full value", "full_value", "cents", 18),
                       Col("Tax impact per $1,000 of full value", "tax_impact_per_1000_x10000", "impact", 14)]
    note = ("Net cost = total charges − BOCES aid. Change compares total charges with the prior year's (when given). "
            "Tax impact = net cost ÷ full value × 1,000: dollars of tax per $1,000 of full value.")
    return data_sheet(book, st, result, "Net cost", "Net cost by district", note, net, cols, "NetCost")


def shared_pd_sheet(book, st: Styles, result: Result) -> None:
    contracts = result.shared_pd.contracts.sort_index().reset_index(drop=True)
    if len(contracts):
        contracts = contracts.assign(
            aidable_share=[n / d if d else 0.0 for n, d in zip(contracts["aidable_num"], contracts["aidable_den"])],
            staff_total=_lookup(contracts["contract"], result.shared_pd.rows.groupby("contract")["staff"].sum()))
    cols = [Col("Contract", "contract", width=CODE_WIDTH), Col("Vendor", "vendor", width=NAME_WIDTH),
            Col("Cost", "cost", "cents", total=True), Col("Staff attending", "staff_total", "millionths", 12, True),
            Col("Cost per attendee", "unit_cost", "cents", 14),
            Col("Non-aidable costs", "non_aidable", "cents", 14, True),
            Col("Aidable part", "aidable_share", "share"), Col("Paying districts", "paying_districts", "count"),
            Col("Days", "days", "millionths", 8), Col("Board approval", "board_approval_date", "date"),
            Col("Start", "start_date", "date")]
    note = ("COSER 507 shared professional development: each contract's cost is split by the number of each "
            "district's staff attending (to the cent). Meals, lodging, travel, stipends and substitutes are charged "
            "but not aidable.")
    placed = data_sheet(book, st, result, "Shared PD", "Shared professional development (COSER 507)", note, contracts,
                         cols, "SharedPDContracts", freeze_cols=None,
                         empty_text="No shared professional development contracts in this job.")
    if not len(contracts):
        return
    ws = book.get_worksheet_by_name("Shared PD")
    rows = result.shared_pd.rows.sort_values(["district_code", "contract"], kind="stable")
    rows = rows.assign(district_name=_lookup(rows["district_code"], result.districts["district_name"]),
                       unit_cost=_lookup(rows["contract"], result.shared_pd.contracts["unit_cost"]))
    write_table(ws, st, rows, [Col("Contract", "contract"), Col("District name", "district_name"),
                               Col("District code", "district_code"),
                               Col("Staff attending", "staff", "millionths", total=True),
                               Col("Cost per attendee", "unit_cost", "cents"),
                               Col("Charge", "charge", "cents", total=True)],
                first_row=placed.next_row + 1, name="SharedPDCharges", set_widths=False)


def collaboration_sheet(book, st: Styles, result: Result) -> None:
    frame = result.collaboration.sort_values(["district_code", "teacher"], kind="stable", na_position="last")
    frame = frame.assign(district_name=_lookup(frame["district_code"], result.districts["district_name"]),
                         wants=["yes" if v else "no" for v in frame["wants_credit"].tolist()],
                         cap=["capped: one per quarter with hours" if v else "" for v in frame["capped"].tolist()])
    cols = [Col("Teacher", "teacher", width=24), Col("District code", "district_code", width=CODE_WIDTH),
            Col("District name", "district_name", width=NAME_WIDTH), Col("First quarter", "first_quarter", width=11),
            Col("Registered at end of", "registered_quarter", width=12), Col("Quarters with hours", "quarters", "count", 9),
            Col("Hours", "hours", "millionths", 10, True), Col("Wants credit", "wants", width=9),
            Col("Credits by hours", "credits_by_hours", "count", 9), Col("Credits", "credits", "count", 9, True),
            Col("Cap", "cap", width=30)]
    note = ("One credit for each 10 hours of collaboration, at most one for each quarter with hours logged (40 hours "
            "in one quarter earn one credit; 5 + 5 over two quarters earn one), registered at the end of the "
            "teacher's last quarter with hours; teachers who do not want credit are listed with their hours and no "
            "credits.")
    data_sheet(book, st, result, "Collaboration credit", "Collaboration credit", note, frame, cols, "Collaboration",
                freeze_cols=1, empty_text="No collaboration hours in this job.")


def reconciliation_sheet(book, st: Styles, result: Result) -> None:
    cols = DISTRICT + [Col("Aid line", "line", width=22), Col("Computed", "computed", "dollars"),
                       Col("Published", "published", "dollars"), Col("Difference", "difference", "dollars")]
    note = ("Claim mode: the expenses claimed with the State, aided with the computed ratios, line by line against "
            "the published aid. Difference = computed − published, whole dollars.")
    data_sheet(book, st, result, "Aid reconciliation", "Aid reconciliation with the published aid", note,
                result.aid.reconciliation, cols, "Reconciliation")


UNIT_NAMES = {"currency-USD": "dollars", "ratio": "ratio", "percent": "percent", "mills": "mills", "days": "days",
              "districts": "districts", "hours": "hours"}


def _parameter_value(pv) -> dict:
    """A parameter's value and the kind it is shown as: dollars with cents, ratios to three decimals."""
    unit = pv.parameter.unit
    if unit == "currency-USD":
        return {"value": half_up_cents(pv.value * 100), "value_kind": "cents"}
    if unit == "ratio" and (pv.value * 1000).denominator == 1:
        return {"value": int(pv.value * 1000), "value_kind": "ratio"}
    return {"value": pv.value, "value_kind": "number"}


def parameters_sheet(book, st: Styles, result: Result) -> None:
    rows = [{"name": pv.name, "label": pv.parameter.label, **_parameter_value(pv),
             "unit": UNIT_NAMES.get(pv.parameter.unit, pv.parameter.unit), "year": str(pv.year),
             "effective": pv.effective_text,
             "carried": "carried forward" if pv.carried_forward else "",
             "citation": pv.parameter.citation, "href": "; ".join(r.href for r in pv.parameter.references)}
            for pv in sorted(result.parameters.values(), key=lambda v: v.name)]
    cols = [Col("Parameter", "name", width=30), Col("Label", "label", width=28, wrap=True),
            Col("Value", "value", "number", 14, kind_key="value_kind"), Col("Unit", "unit", width=9),
            Col("For year", "year", width=9),
            Col("Effective", "effective", width=22, wrap=True), Col("Note", "carried", width=14),
            Col("Citation", "citation", width=56, wrap=True), Col("Source", "href", width=36, wrap=True)]
    note = ("Every dated law parameter this job used: the value in force for the year it is keyed on (the budget "
            "year or the aid year), the date it took effect and where the law sets it.")
    data_sheet(book, st, result, "Parameters used", "Law parameters used", note, pd.DataFrame(rows), cols,
                "Parameters", freeze_cols=1)


def issues_sheet(book, st: Styles, result: Result) -> None:
    frame = pd.DataFrame([i.as_dict() for i in result.log.sorted()], columns=list(ISSUE_FIELDS))
    cols = [Col("Severity", "severity", width=9), Col("Code", "code", width=22), Col("File", "file", width=16),
            Col("Sheet", "sheet", width=12), Col("Cell", "cell", width=7), Col("Column", "column", width=18, wrap=True),
            Col("Expected", "expected", width=24, wrap=True), Col("Found", "found", width=18, wrap=True),
            Col("Message", "message", width=70, wrap=True)]
    note = "Warnings do not stop the run but deserve a look; each names the input sheet, cell and column concerned."
    data_sheet(book, st, result, "Issues", "Issues", note, frame, cols, "Issues", freeze_cols=1,
                empty_text="No issues.")


def _setting_value(item, value):
    """A BOCES-sheet item as (value, kind) for the Run sheet."""
    if value is None:
        return None, "text"
    if item.kind in ("money", "signed money"):
        return int(value), "cents"
    if item.kind == "fraction":
        return float(value), "number"
    if item.kind == "date":
        return value, "date"
    return str(value), "text"


def run_sheet(book, st: Styles, result: Result, inputs: list[tuple[str, str]]) -> None:
    s = result.settings
    ws = book.add_worksheet("Run")
    ws.set_column(0, 0, 36)
    ws.set_column(1, 1, 70)
    ws.write_string(0, 0, "Run", st["title"])
    row = write_pairs(ws, st, 2, [
        ("BOCES", f"{s.boces_name} ({s.boces_code})", "text"), ("School year", str(s.school_year), "text"),
        ("Aid year", str(s.school_year.aid_year()), "text"), ("apportion version", __version__, "text"),
        ("Method", method_text(result), "text"), ("Rounding", s.rounding, "text"),
        ("Aid mode", result.aid.mode, "text"),
        ("Workbook date (fixed from the school year)", created_at(result).date(), "date", "left"),
    ])
    row = write_section(ws, st, row + 1, "Settings as read from the BOCES sheet", 1)
    pairs = [(item.header, *_setting_value(item, getattr(s, item.key, None)), "left") for item in BOCES_ITEMS]
    row = write_pairs(ws, st, row, pairs)
    row = run_section(ws, st, result, row)
    row = write_section(ws, st, row + 1, "Input files", 1)
    write_table(ws, st, pd.DataFrame(sorted(inputs), columns=["file", "sha256"]),
                [Col("Input file", "file"), Col("SHA-256", "sha256")], first_row=row, name="Inputs", set_widths=False)
    printable(ws, f"{s.boces_name} — {s.school_year}", "Run", landscape=False)
