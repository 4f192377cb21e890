"""A district statement as a neutral document (Educ. Law §1950(4), (5)): what both the ``.xlsx`` statement and
its PDF are drawn from, so the two can never disagree (docs/formats.md, Outputs: ``districts/<code>_<short name>.json``).

A document is plain JSON-ready data:

* ``title``, ``subtitle``, ``status`` (the "Estimate" or "Claim" line with the aid year and the prepared-on
  date) and ``footer`` (left, right);
* ``facts``: what ``apportion mail`` needs without opening the workbook (codes, names, addresses, totals,
  whether the figures are an estimate, whether the contingency budget is charged);
* ``header``: label / value pairs;
* ``sections``: each a ``title``, an optional ``note`` and one block: a ``table`` (columns and rows, with a
  total row), ``steps`` (label, value, the working a reader can redo, the law) or ``pairs``.

Every value is stored as the product stores it (cents, whole dollars, thousandths …) with its *kind*
(:data:`~.tables.KINDS`); :func:`shown` gives the text a reader sees, the same as the workbook's number
format. A pair or step may carry a ``formula`` (``{"op": "sum" | "minus", "of": [positions]}``, positions
within its block) that the workbook writes as a formula and the PDF ignores.

Every working line shows operands that give the figure shown: a share of a pool as pool × units ÷ total units,
exact fractions where a factor is not a short decimal, and rounding said where it happens.
"""
from __future__ import annotations

import functools
from itertools import repeat
import math
import weakref
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype
from pandas.core.dtypes.cast import maybe_box_native  # to_dict's own boxing, for by_index

from ..exact import QUANTITY_SCALE
from ..law import special_act
from ..options import ReportOptions
from ..result import Result
from . import jsontext, yoy
from .text import cents_texts, distinct_pair_texts, distinct_texts
from .labels import (AID_LINES, CATEGORY_LABELS, SOURCE_LABELS, aid_heading, basis_label, created_at, dollars,
                     money_text, parameter, ratio_text)

FORMAT = "apportion-statement/1"
POOL_COLUMNS = {"administrative": "administrative", "capital": "capital", "rent": "rent",
                "administrative surplus": "administrative_surplus"}
SOURCE_TEXT = {"millage": "the millage ratio is the greater", "rwada": "the RWADA ratio is the greater",
               "floor": "both are below the floor, so the floor applies", "cap": "the greater is above the cap",
               "special act": "a special act district's own rule (§1950(4)(m))"}
CHARGE_COLUMNS = [  # key, header, kind, width (workbook characters: the least, or for wrapped text the most), totalled
    ("charge", "Charge", "text", 22, False), ("item_code", "Item", "text", 10, False),
    ("item_name", "Description", "text", 30, False), ("units", "Units", "units", 9, False),
    ("unit", "Unit", "text", 7, False), ("unit_cost", "Unit cost", "cents", 10, False),
    ("working", "Working: amount = cost × your units ÷ all units", "text", 50, False),
    ("amount", "Amount", "cents", 13, True),
]
WRAPPED = {"item_name", "working"}  # the columns whose text wraps within their width
AVERAGE_PLACES = Decimal("0.01")  # an average of several years' units is shown to the cent of a unit


# --- shown values: the text a reader sees, as the workbook's number formats show it ---------------------------


def _grouped(whole: int) -> str:
    return f"{whole:,}"


def fixed_text(value: int, places: int) -> str:
    """An integer held in 10**-places units as grouped decimal text (12345678, 2 → "123,456.78")."""
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(int(value)), 10 ** places)
    return f"{sign}{_grouped(whole)}" + (f".{part:0{places}d}" if places else "")


def decimal_text(value, least: int = 0, most: int = 6) -> str:
    """A decimal quantity with at least ``least`` and at most ``most`` decimals, grouped (654.333333, 1,284.62)."""
    d = Decimal(str(value))
    q = d.quantize(Decimal(1).scaleb(-most))
    text = f"{abs(q):,.{most}f}"
    if most:
        whole, part = text.split(".")
        part = part.rstrip("0").ljust(least, "0")
        text = whole + ("." + part if part else "")
    return ("-" if q < 0 else "") + text


def shown(value, kind: str) -> str:
    """``value`` (stored as the document stores it) as the reader sees it; blank for a missing value."""
    if value is None:
        return ""
    if kind == "text":
        return str(value)
    if kind == "cents":
        return fixed_text(int(value), 2)
    if kind in ("dollars", "count"):
        return _grouped(int(value))
    if kind == "ratio":
        return fixed_text(int(value), 3)
    if kind == "mills":
        return fixed_text(int(value), 1)
    if kind == "impact":
        return fixed_text(int(value), 4)
    if kind == "millionths":
        return decimal_text(Decimal(int(value)) / QUANTITY_SCALE, 2)
    if kind == "units":
        return decimal_text(value, 2)
    if kind == "percent":
        return f"{float(value):.4f}%"
    if kind == "change":
        return f"{float(value):.1f}%"
    if kind == "share":
        return f"{float(value) * 100:.2f}%"
    if kind == "date":
        return str(value)
    return str(value)


def exact_text(value: Fraction, unit_places: int = 0) -> str:
    """An exact quantity as short text: a terminating decimal with the places it needs (at least
    ``unit_places``), else the reduced fraction ``a / b``."""
    value = Fraction(value)
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        return f"{_grouped(value.numerator)} / {_grouped(value.denominator)}"
    places = max(twos, fives, unit_places)
    return fixed_text(int(value * 10 ** places), places)


def exact_money(cents: Fraction) -> str:
    """An exact amount of cents in dollars with at least two decimals (2,051,296.00; 1,234,567.891)."""
    return exact_text(Fraction(cents) / 100, 2)


def _json_value(value):
    """A stored value as JSON holds it: ints stay ints, decimals become text, blanks None."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _json_column(values: pd.Series) -> list:
    """:func:`_json_value` of each value of a column, the column at once where its dtype says what they are
    (ints and booleans as they are, a float NaN as None); otherwise value by value, text and ints as they
    are (a charge column is nearly all text)."""
    kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else None
    if kind in ("i", "u", "b"):
        return values.tolist()
    if kind == "f":
        return [None if v != v else v for v in values.tolist()]
    return [v if v.__class__ is str or v.__class__ is int else _json_value(v) for v in values.tolist()]


def pair(label: str, value, kind: str, role: str = "body", note: str = "", formula: dict | None = None) -> dict:
    out = {"label": label, "value": _json_value(value), "kind": kind, "role": role, "note": note}
    if formula:
        out["formula"] = formula
    return out


JSON_STEP = " "  # one space an indent level
# where a statement's big lists' items start in its JSON: the charges rows (document → sections → a section →
# its table → rows) and the aid steps (document → sections → a section → its steps → lines)
ROWS_LINE = "\n" + JSON_STEP * 5


def document_json(document: dict) -> bytes:
    """The document as deterministic UTF-8 JSON (keys in the order built, one indent level per nesting)."""
    return jsontext.dumps(document, indent=len(JSON_STEP), end="\n").encode("utf-8")


# --- what every statement of a job shares, worked out once per job -----------------------------------------


@dataclass(frozen=True)
class JobWorking:
    """The parts of the statements that depend on the job, not the district, computed once per job.

    ``charge_rows``: every billing row with its working as a row of the charges table (a dict of
    :data:`CHARGE_COLUMNS`, JSON-ready), by district and in statement order within each; ``charge_texts``:
    each one's JSON text (:func:`~.jsontext.row_texts`, at :data:`ROWS_LINE`); ``categories``, ``amounts``:
    each one's category and amount; ``spans``: each district's (start, stop) in those lists;
    ``aidable``: the CoSer and shared-PD charges' aidable parts (an estimate's, else None);
    ``limits``: the ratio floor and caps as text; ``proposed``: total charges under the proposed
    administrative budget, after a failed vote; ``districts``, ``shares``, ``aid``, ``net``: each district's
    row of those tables, as a dict.
    """

    charge_rows: list[dict]
    charge_texts: list[str]
    categories: list[str]
    amounts: list[int]
    spans: dict[str, tuple[int, int]]
    aidable: AidableParts | None
    limits: dict[str, str]
    proposed: pd.Series | None
    districts: dict[str, dict]
    shares: dict[str, dict]
    aid: dict[str, dict]
    net: dict[str, dict]

    def span(self, code: str) -> slice:
        """District ``code``'s rows in :attr:`charge_rows` (none for a district without charges)."""
        return _span(self.spans, code)


@dataclass(frozen=True)
class AidableParts:
    """Each district's CoSer and shared-PD charges that count towards approved services expense
    (§1950(5)(b)), as an estimate's aid working shows them under that step, made for the whole job at once.

    ``lines``: one step a charge (its item, the aidable part to the cent, the working), by district then item;
    ``texts``: each one's JSON text (at :data:`ROWS_LINE`); ``spans``: each district's (start, stop) in those;
    ``sums``: each district's exact sum of its parts, as text (:func:`_sum_text`).
    """

    lines: list[dict]
    texts: list[str]
    spans: dict[str, tuple[int, int]]
    sums: dict[str, str]


_working: tuple[weakref.ref, JobWorking] | None = None  # the last job's working, while that result lives
CHARGE_KEYS = [c[0] for c in CHARGE_COLUMNS]
NO_ROWS = np.array([], dtype=np.intp)


def job_working(result: Result) -> JobWorking:
    """The :class:`JobWorking` of ``result``: made on its first statement, reused for the others.

    One job's is kept at a time, and only while its result lives.
    """
    global _working
    if _working is None or _working[0]() is not result:
        charges = _working_charges(result)
        columns = [charges[key] for key in CHARGE_KEYS]
        _working = (weakref.ref(result, _forget), JobWorking(
            charge_rows=[dict(zip(CHARGE_KEYS, values)) for values in zip(*columns)],
            charge_texts=jsontext.row_texts(CHARGE_KEYS, columns, ROWS_LINE, JSON_STEP),
            categories=charges["category"], amounts=charges["amount"], spans=_spans(charges["district_code"]),
            aidable=_aidable_parts(result) if result.aid.mode == "estimate" else None, limits=_limits(result),
            proposed=result.net.get("proposed_total_charges"),
            districts=by_index(result.districts), shares=by_index(result.apportionment.shares),
            aid=by_index(result.aid.table), net=by_index(result.net)))
    return _working[1]


def by_index(frame: pd.DataFrame) -> dict:
    """``frame.to_dict("index")`` (pandas 3's) made a column at a time: a numpy column's values as Python
    scalars, an object or extension column's boxed as to_dict boxes them (numpy scalars as Python's, pd.NA as
    None), then one ``dict(zip(...))`` a row, instead of a tuple and a comprehension a row."""
    if not frame.index.is_unique or not frame.columns.is_unique:
        return frame.to_dict("index")  # which refuses a repeated index, as it should
    columns = [list(map(maybe_box_native, values)) if values.dtype == object or isinstance(values.dtype, ExtensionDtype)
               else values.tolist() for _, values in frame.items()]
    names = frame.columns.tolist()
    return {key: dict(zip(names, row)) for key, row in zip(frame.index, zip(*columns))}


def _spans(keys: pd.Series | list) -> dict[str, tuple[int, int]]:
    """Where each key's run starts and stops in ``keys`` (grouped: each key's values together)."""
    values = np.asarray(keys, dtype=object)
    codes = pd.factorize(values)[0]
    if not len(codes):
        return {}
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    stops = np.r_[starts[1:], len(codes)]
    return dict(zip(values[starts].tolist(), zip(starts.tolist(), stops.tolist())))


def _forget(reference: weakref.ref) -> None:
    """Drop the kept working once its result is gone."""
    global _working
    if _working is not None and _working[0] is reference:
        _working = None


def _limits(result: Result) -> dict[str, str]:
    """The law's figures the aid working quotes, as text: ratio floor and caps, RWADA factor, state average."""
    ratio = lambda name: ratio_text(parameter(result, name) * 1000)  # noqa: E731
    return {"floor": ratio("aid.sharing_ratio_floor"), "cap": ratio("aid.sharing_ratio_cap"),
            "capital_cap": ratio("aid.capital_ratio_cap"),
            "rwada_factor": exact_text(parameter(result, "aid.rwada_ratio_factor")),
            "state_avg": money_text(result.aid.state_average_cents)}


@functools.lru_cache(maxsize=4096)
def _quantity(millionths: int) -> str:
    """A quantity held in millionths as grouped text with the decimals it has (1,963; 654.5)."""
    return decimal_text(Decimal(int(millionths)) / QUANTITY_SCALE)


def _span(spans: dict[str, tuple[int, int]], code: str) -> slice:
    """District ``code``'s (start, stop) in ``spans`` as a slice: none for a district without rows."""
    return slice(*spans.get(code, (0, 0)))


def _split_texts(money, part, total, unit) -> list[str]:
    """Each row's split, "money × part ÷ total unit": each argument a column of texts (a list), or one text
    (a str) on every row (``part`` is always a column); one ``str.join`` a row."""
    money, total, unit = (repeat(c) if isinstance(c, str) else c for c in (money, total, unit))
    return list(map(str.rstrip, map("".join, zip(money, repeat(" × "), part, repeat(" ÷ "), total, repeat(" "), unit))))


def _working_charges(result: Result) -> dict[str, list]:
    """Every billing row with its working, in statement order (category, then item code).

    A pool charge: pool × the district's basis ÷ all components' basis. A CoSer charge: budget × the district's
    units ÷ all participants' units (for an average, the years' totals, which is the same share); an SWD
    true-up: the final charge on actual units, less the charge; a surplus: the surplus by the same units;
    a shared-PD charge: cost × staff attending ÷ all staff attending. Each split is settled to the cent
    (the rounding rule decides the last cent), so the amount is the working's value to within a cent.
    The rows come by district (each district's together, for :func:`_spans`), then in statement order.

    Each figure is formatted once per distinct value (:func:`~.text.distinct_texts`: a budget, a total or a
    unit count repeats down a service's rows), then each kind of row's text composed from those columns.
    Returns the columns of :data:`CHARGE_KEYS` (JSON-ready, :func:`_json_column`) and each row's
    ``district_code`` and ``category``, as lists, row for row.
    """
    billing = result.billing
    category, item, code = billing["category"], billing["item_code"], billing["district_code"]
    kinds = category.to_numpy(dtype=object)
    # a copy made here, not asked of pandas: to_numpy(copy=True) of an unpickled frame's text column returned
    # the column itself, so writing the shown units into it changed the result's billing (and billing.csv)
    units = np.array(billing["units"].to_numpy(dtype=object), dtype=object)
    unit = np.full(len(billing), None, dtype=object)
    working = np.full(len(billing), None, dtype=object)
    pool = np.flatnonzero(category.isin(POOL_COLUMNS.keys()).to_numpy())
    shares = result.apportionment.shares
    if len(pool):
        total = decimal_text(Decimal(int(shares["basis"].sum())) / result.apportionment.basis_scale)
        label = basis_label(result)
        pools = {c: money_text(int(shares[column].sum())) for c, column in POOL_COLUMNS.items() if column in shares}
        unit[pool] = label
        working[pool] = _split_texts(distinct_texts(kinds[pool], pools.get), distinct_texts(units[pool], decimal_text),
                                     total, label)
    services, rows = result.coser.services, result.coser.rows
    coser_kinds = [c for c in category.unique() if isinstance(c, str) and c.startswith("coser")]  # asked per kind
    coser = np.flatnonzero((category.isin(coser_kinds) & item.isin(services.index)).to_numpy())
    if len(coser):
        at = _pair_positions(rows["district_code"], rows["service_code"], code.iloc[coser], item.iloc[coser])
        if (at < 0).any():
            raise KeyError("CoSer charges without their Participation row")
        unit[coser], units[coser], working[coser] = _coser_working(
            kinds[coser], {c: rows[c].to_numpy()[at] for c in COSER_ROW_COLUMNS if c in rows},
            services, services.index.get_indexer(item.iloc[coser]))
    contracts = result.shared_pd.contracts
    shared = np.flatnonzero(((category == "shared pd") & item.isin(contracts.index)).to_numpy())
    if len(shared):
        staff = result.shared_pd.rows.groupby("contract")["staff"].sum()
        contract = item.iloc[shared]
        unit[shared] = "staff"
        working[shared] = _split_texts(cents_texts(contracts["cost"].reindex(contract), money_text, grouped=True),
                                       distinct_texts(units[shared], decimal_text),
                                       distinct_texts(staff.reindex(contract), _quantity), "staff")
    # the statement order of each row's category, looked up once per category (a few dozen down all the rows)
    kind_codes, kind_names = pd.factorize(kinds, use_na_sentinel=False)
    rank = {c: i for i, c in enumerate(CATEGORY_LABELS)}
    order = np.array([rank.get(c, len(CATEGORY_LABELS)) for c in kind_names], dtype=np.int64)[kind_codes]
    # sorted as sort_values(["district_code", "order", "item_code"], kind="stable") sorts (pandas ranks each key
    # by its sorted distinct values and lexsorts them), without a frame made for it
    statement = np.lexsort((_ranks(item), order, _ranks(code)))
    columns = {"district_code": code, "category": category,
               "charge": np.array(distinct_texts(category, lambda c: CATEGORY_LABELS.get(c, c)), dtype=object),
               "item_code": item, "item_name": billing["item_name"], "units": units, "unit": unit,
               "unit_cost": billing["unit_cost"], "working": working, "amount": billing["amount"]}
    return {key: _json_column(values.take(statement) if isinstance(values, pd.Series)
                              else pd.Series(values[statement], dtype=object)) for key, values in columns.items()}


def _ranks(values: pd.Series | np.ndarray) -> np.ndarray:
    """Each value's place among the sorted distinct values (a missing value after them all, where sort_values
    puts it)."""
    codes, uniques = pd.factorize(values, sort=True)
    return np.where(codes < 0, len(uniques), codes)


def _pair_positions(firsts: pd.Series, seconds: pd.Series, first: pd.Series, second: pd.Series) -> np.ndarray:
    """Where each pair (``first``, ``second``) is among the pairs (``firsts``, ``seconds``), unique (-1 where
    absent): each side's values numbered together, the pairs found as int64 numbers (no MultiIndex built)."""
    a = pd.factorize(np.concatenate([firsts.to_numpy(dtype=object), first.to_numpy(dtype=object)]))[0]
    b, seconds_seen = pd.factorize(np.concatenate([seconds.to_numpy(dtype=object), second.to_numpy(dtype=object)]))
    pairs = a.astype(np.int64) * max(len(seconds_seen), 1) + b
    return pd.Index(pairs[:len(firsts)]).get_indexer(pairs[len(firsts):])


COSER_ROW_COLUMNS = ["divisor", "weight", "actual_weight", "final_charge", "charge"]  # what _coser_working reads


def _coser_working(kinds: np.ndarray, rows: dict[str, np.ndarray], services: pd.DataFrame,
                   service: np.ndarray) -> tuple[list, list, list]:
    """The unit, the units shown and the working of CoSer charge rows (``kinds`` their categories; ``rows``
    their Participation rows' columns; ``service`` their services' positions in ``services``, row for row): a
    charge or surplus split by units (or by several years' totals), an SWD true-up by actual units less the
    charge. A service's figures are made text once a service, a row's once per distinct value (or pair), and
    the workings joined a column at a time (:func:`_split_texts`)."""
    used, by_service = np.unique(service, return_inverse=True)
    charged = services.iloc[used]

    def per_service(column: str, text, where=slice(None)) -> list[str]:
        """Each row's service's ``column`` as ``text`` (each of the services charged made once)."""
        return np.array(distinct_texts(charged[column], text), dtype=object)[by_service[where]].tolist()

    unit_names = [u if isinstance(u, str) and u else "units" for u in charged["unit"].tolist()]
    names = np.array(unit_names, dtype=object)[by_service]
    divisors = rows["divisor"].astype(np.int64)
    weights = rows["weight"]
    of = np.where(kinds == "coser", services["budget"].to_numpy()[service], -services["surplus"].to_numpy()[service])
    parts = distinct_texts(weights, _quantity)
    # the unit a split is by, per (service, divisor): numbered pairs, not the names' text hashed on every row
    split = np.array(_split_texts(
        cents_texts(of, money_text, grouped=True), parts, per_service("total_weight", _quantity),
        distinct_pair_texts(by_service, divisors, lambda at, divisor: unit_names[at] if divisor <= 1 else
                            f"{unit_names[at]}, {divisor}-year totals").tolist()), dtype=object)
    # a row's units are its part's text ungrouped, but for several years' average (:func:`_units_shown`)
    shown = np.array([t.replace(",", "") for t in parts], dtype=object)
    averaged = np.flatnonzero(divisors > 1)
    if len(averaged):
        shown[averaged] = distinct_pair_texts(weights[averaged], divisors[averaged], _units_shown)
    adjusted = np.flatnonzero(kinds == "coser adjustment")
    if len(adjusted):
        pick = lambda column: rows[column][adjusted]  # noqa: E731
        names[adjusted] = "actual " + names[adjusted]
        actual = distinct_texts(pick("actual_weight"), _quantity)
        shown[adjusted] = [t.replace(",", "") for t in actual]
        trued = _split_texts(per_service("final_cost", money_text, adjusted), actual,
                             per_service("total_actual", _quantity, adjusted), names[adjusted].tolist())
        money = lambda column: cents_texts(pick(column), money_text, grouped=True)  # noqa: E731
        split[adjusted] = list(map("".join, zip(repeat("final "), money("final_charge"), repeat(" = "), trued,
                                                repeat(", less the charge "), money("charge"))))
    return names.tolist(), shown.tolist(), split.tolist()


def _units_shown(weight: int, divisor: int) -> str:
    """A CoSer row's units as the charges table shows them for several years' average (``divisor`` > 1): the
    average to the cent of a unit, ungrouped (a row of one year shows its part's text, ungrouped)."""
    return str((Decimal(int(weight)) / divisor / QUANTITY_SCALE).quantize(AVERAGE_PLACES))


DETAIL_KEYS = ["label", "value", "kind", "working", "law", "role"]  # a step's: an aid line's, an aidable part's


def _aidable_parts(result: Result) -> AidableParts:
    """Each district's CoSer and shared-PD charges that count towards approved services expense (§1950(5)(b)):
    a charge's aidable part is charge × aidable numerator ÷ denominator, to the cent (half up).

    Worked a column at a time over the job's charges (:func:`_exact_arrays`: int64 where the products fit).
    """
    pieces = []  # each kind of charge's (district, item, name, charge, numerator, denominator), as arrays
    rows, services = result.coser.rows, result.coser.services
    if len(rows) and "final_charge" in rows:
        charged = np.flatnonzero(rows["final_charge"].to_numpy() != 0)
        service = rows["service_code"].to_numpy(dtype=object)[charged]
        # a service's name (its code when it has none) and its aidable fraction: each service's row taken once
        at = services.index.get_indexer(service)
        if (at < 0).any():
            raise KeyError(f"CoSer rows of services not in the Services table: {sorted(set(service[at < 0]))}")
        names = np.array([n if isinstance(n, str) else c for c, n in zip(services.index, services["service_name"])],
                         dtype=object)
        pieces.append((rows["district_code"].to_numpy(dtype=object)[charged], service, names[at],
                       rows["final_charge"].to_numpy()[charged], services["aidable_num"].to_numpy()[at],
                       services["aidable_den"].to_numpy()[at]))
    pd_rows, contracts = result.shared_pd.rows, result.shared_pd.contracts
    if len(pd_rows) and "charge" in pd_rows:
        charged = np.flatnonzero(pd_rows["charge"].to_numpy() != 0)
        contract = pd_rows["contract"].to_numpy(dtype=object)[charged]
        vendors = {c: v if isinstance(v, str) else c for c, v in zip(contracts.index, contracts["vendor"].tolist())}
        pieces.append((pd_rows["district_code"].to_numpy(dtype=object)[charged], contract,
                       np.array([vendors.get(c, c) for c in contract.tolist()], dtype=object),
                       *(pd_rows[c].to_numpy()[charged] for c in ("charge", "aidable_num", "aidable_den"))))
    if not pieces:
        return AidableParts([], [], {}, {})
    district, item, name, charge, num, den = (np.concatenate(column) for column in zip(*pieces))
    # each district's parts together, by item within it (CoSers before shared PD where an item is both): as
    # sort_values(["district_code", "item"], kind="stable") ranks and lexsorts the keys
    order = np.lexsort((_ranks(item), _ranks(district)))
    district, item, name, charge, num, den = (column[order] for column in (district, item, name, charge, num, den))
    exact_charge, num, den = _exact_arrays(charge, num, den)
    aided = den != 0  # a zero denominator (no budget) has no aidable part
    value = np.where(aided, _half_up_quotient(exact_charge * num, np.where(aided, den, 1)), 0)
    workings = list(map("".join, zip(name.tolist(), repeat(": charge "), cents_texts(charge, money_text, grouped=True),
                                     repeat(" "), distinct_pair_texts(num, den, aidable_fraction_text).tolist())))
    items, values = item.tolist(), value.tolist()
    spans = _spans(district)
    return AidableParts(
        lines=[{"label": i, "value": v, "kind": "cents", "working": w, "law": "", "role": "detail"}
               for i, v, w in zip(items, values, workings)],
        texts=jsontext.row_texts(DETAIL_KEYS, [items, values, jsontext.Same("cents"), workings, jsontext.Same(""),
                                               jsontext.Same("detail")], ROWS_LINE, JSON_STEP),
        spans=spans, sums=_exact_sums(district[aided], exact_charge[aided], num[aided], den[aided], spans))


def _exact_arrays(charge: np.ndarray, num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, ...]:
    """Charges and their aidable fractions' numerators and denominators as int64 when 2 |charge × num| + |den|
    (the half-up quotient's largest term) fits in it for the largest of each, else as Python ints (object
    arrays, each operation still one numpy call): a charge × a budget in cents can exceed int64."""
    def most(values: np.ndarray) -> int:
        return max(abs(int(values.max())), abs(int(values.min()))) if len(values) else 0

    arrays = (charge, num, den)
    if all(a.dtype.kind in "iu" for a in arrays) and 2 * most(charge) * most(num) + most(den) < 2 ** 63:
        return tuple(a.astype(np.int64) for a in arrays)
    return tuple(a.astype(object) for a in arrays)


def _exact_sums(owners: np.ndarray, charge: np.ndarray, num: np.ndarray, den: np.ndarray,
                spans: dict[str, tuple]) -> dict[str, str]:
    """Each district's exact sum of its parts charge × num ÷ den (``owners``: whose each is, grouped), as
    :func:`_sum_text` shows it; 0 for a district in ``spans`` with none over a denominator other than 0.

    With each fraction reduced, a district's parts over one denominator are added as integers (many
    fractions are 1 or share a budget); then those few sums over their least common multiple, one Fraction
    a district (adding Fractions one at a time reduces every partial sum, a gcd of ever longer integers)."""
    common = np.gcd(num, den)
    tops, bottoms = charge * (num // common), den // common
    # each (district, denominator) group together: the parts are by district already, so a stable sort
    order = np.lexsort((pd.factorize(bottoms)[0], pd.factorize(owners)[0]))
    owners, tops, bottoms = owners[order], tops[order], bottoms[order]
    starts = np.flatnonzero(np.r_[True, (owners[1:] != owners[:-1]) | (bottoms[1:] != bottoms[:-1])]) \
        if len(order) else NO_ROWS
    sums = np.add.reduceat(tops.astype(object), starts) if len(starts) else tops  # Python ints: no overflow
    exact = dict.fromkeys(spans, Fraction(0))
    groups = _spans(pd.Series(owners[starts]))
    numerators, denominators = sums.tolist(), bottoms[starts].tolist()
    for code, (first, stop) in groups.items():
        dens = denominators[first:stop]
        lcm = math.lcm(*dens)
        exact[code] = Fraction(sum(n * (lcm // d) for n, d in zip(numerators[first:stop], dens)), lcm)
    return {code: _sum_text(total) for code, total in exact.items()}


def aidable_fraction_text(num: int, den: int) -> str:
    """The aidable part of a charge as a reader can apply it: all, none, or (budget less what is not aidable)
    ÷ budget (§1950(5)(b))."""
    if den == 0 or num == 0:
        return "× 0 (not aidable)"
    if num == den:
        return "× 1 (all aidable)"
    return f"× {money_text(num)} ÷ {money_text(den)} aidable"


# --- the statement --------------------------------------------------------------------------------------------


def status_text(result: Result, prepared: date | None) -> str:
    """The line that says what the figures are: an estimate or as claimed, the aid year, the prepared-on date."""
    s = result.settings
    kind = "Estimate" if result.aid.mode == "estimate" else "Claim"
    text = (f"{kind} — charges for {s.school_year}; BOCES aid "
            + ("estimated" if kind == "Estimate" else "as claimed") + f" for aid year {s.school_year.aid_year()}")
    if prepared is not None:
        text += f" · prepared {prepared.isoformat()}"
    return text


def prepared_date(result: Result, options: ReportOptions) -> date | None:
    """The prepared-on date: the BOCES sheet's ``Prepared date``, else ``run --prepared``, else none (never the
    clock: the same inputs always give the same statement)."""
    return getattr(result.settings, "prepared_date", None) or options.prepared


def carried_forward_note(result: Result) -> str | None:
    """When the statewide average AV per RWADA is an earlier year's figure carried forward, say which and that
    the published one replaces it."""
    if result.settings.state_avg_av_per_rwada is not None:
        return None
    pv = result.parameters.get("aid.state_average_av_per_rwada")
    if pv is None or not pv.carried_forward:
        return None
    used = pv.effective.year
    return (f"The statewide average AV per RWADA for aid year {pv.year} is not yet published: this estimate uses "
            f"the {used}-{(used + 1) % 100:02d} figure, {dollars(result.aid.state_average_cents)}; the published "
            "figure replaces it and may change the ratios and the aid.")


def statement_document(result: Result, code: str, options: ReportOptions = ReportOptions()) -> dict:
    """District ``code``'s statement as a document (see the module docstring)."""
    s = result.settings
    working = job_working(result)
    d = working.districts[code]
    name = str(d["district_name"])
    net = working.net[code]  # every district with a statement is charged or aided
    total_charges, total_aid, net_cost = int(net["total_charges"]), int(net["total_aid"]), int(net["net_cost"])
    aid = working.aid.get(code)
    prepared = prepared_date(result, options)
    contingency = working.proposed is not None and code in result.apportionment.shares.index
    email = d["email"] if isinstance(d["email"], str) else ""
    aid_note = aid_heading(result) if aid is not None else "no BOCES aid (not a component district)"
    header = [pair("District code", code, "text"), pair("District name", name, "text"),
              pair("Type", d["type"], "text"), pair("Email", email, "text"),
              pair("Total charges", total_charges, "cents", "key",
                   "contingency budget" if contingency else f"charges for {s.school_year}"),
              pair("Total BOCES aid", total_aid, "dollars", "key", aid_note),
              pair("Net cost", net_cost, "cents", "key", "charges less aid")]
    # the header holds values, not formulas: ``apportion mail`` and other tools read them as written
    if prepared is not None:
        header.append(pair("Prepared", prepared, "date", "left"))
    sections = [_charges_section(result, code, contingency)]
    if aid is not None:
        sections.append(_aid_section(result, code, aid))
    else:
        sections.append({"title": "BOCES aid", "note": "A non-component district receives no BOCES aid on these "
                                                       "charges."})
    sections.append(_net_section(result, code))
    if result.prior is not None:
        sections.append(yoy.statement_section(result, code))
    return {
        "format": FORMAT,
        "created": created_at(result).isoformat(),
        "title": f"{s.boces_name} — statement for {s.school_year}",
        "subtitle": f"{name} · district code {code} · {d['type']}",
        "status": status_text(result, prepared) + yoy.variant_text(result),
        "facts": {
            "boces_name": s.boces_name, "boces_code": s.boces_code, "school_year": str(s.school_year),
            "aid_year": str(s.school_year.aid_year()), "aid_mode": result.aid.mode,
            "label": "Estimate" if result.aid.mode == "estimate" else "Claim",
            "prepared": prepared.isoformat() if prepared else None,
            "district_code": code, "district_name": name, "district_type": str(d["type"]),
            "emails": [a.strip() for a in email.split(";") if a.strip()],
            "total_charges_cents": total_charges, "total_aid_dollars": total_aid,
            "net_cost_cents": net_cost,
            "contingency_budget": contingency,
            "state_average_carried_forward": carried_forward_note(result) is not None,
        },
        "header": header, "header_layout": "columns",
        "sections": sections,
        "footer": [f"{s.boces_name} — {name}", f"statement for {s.school_year}"],
    }


def _charges_section(result: Result, code: str, contingency: bool) -> dict:
    """The charges table: the district's rows of :attr:`JobWorking.charge_rows`, with their texts."""
    s = result.settings
    working = job_working(result)
    span = working.span(code)
    parts = []
    categories = set(working.categories[span])
    if categories & POOL_COLUMNS.keys():
        parts.append(f"A pool charge (administrative, capital, rent) is the pool × your {basis_label(result)} "
                     "÷ all components' (Educ. Law §1950(4)(b)(7)).")
    if categories - POOL_COLUMNS.keys():
        parts.append("A CoSer or shared-PD charge is the budget × your units ÷ all participants' units (§1950(4)(d)); "
                     "the unit cost is the budget per unit, to the cent.")
    if parts:
        parts.append("Each split is settled to the cent, so an amount can differ by a cent from its working.")
    note = " ".join(parts) or "No charges this year."
    if contingency:
        proposed = int(working.proposed[code])
        note += (f" The administrative budget failed at the vote, so these are the contingency budget's charges; "
                 f"under the proposed budget your total charges would have been {dollars(proposed)}.")
    columns = [{"key": k, "header": h, "kind": kind, "width": w, "total": t, "wrap": k in WRAPPED}
               for k, h, kind, w, t in CHARGE_COLUMNS]
    rows = jsontext.Rows(working.charge_rows[span], working.charge_texts[span], ROWS_LINE, JSON_STEP)
    return {"title": f"Charges for {s.school_year}", "note": note,
            "table": {"name": "Charges", "columns": columns, "rows": rows,
                      "total": {"label": "Total", "amount": int(sum(working.amounts[span]))}}}


def aid_working(result: Result, code: str, aid: dict) -> dict[str, str]:
    """How each aid figure of district ``code`` is made, with its own numbers, by result column."""
    working = job_working(result)
    limits = working.limits
    shares = working.shares[code]
    special = aid["ratio_source"] == special_act.RATIO_SOURCE
    sharing, capital = ratio_text(aid["sharing_ratio"]), ratio_text(aid["capital_ratio"])
    work = {}
    if not special:
        rate = fixed_text(int(aid["tax_rate_tenths"]), 1)
        work |= {
            "tax_rate_tenths": f"({money_text(aid['tax_levy'])} levy + {money_text(aid['pilots'])} PILOTs) ÷ "
                               f"{money_text(aid['aid_av'])} AV × 1,000, to the nearest 0.1 mill",
            "millage_ratio": f"1 − {int(aid['mills'])} mills ÷ {rate} mills (the quotient to 3 decimals without "
                             "rounding); not below 0",
            "av_per_rwada": f"{money_text(aid['aid_av'])} AV ÷ {_quantity(int(aid['aid_rwada']))} RWADA, "
                            "truncated to the dollar",
            "wealth_ratio": f"{int(aid['av_per_rwada']):,} ÷ the state average AV per RWADA "
                            f"{limits['state_avg']}, to 3 decimals without rounding",
            "rwada_ratio": f"1 − {limits['rwada_factor']} × {ratio_text(aid['wealth_ratio'])} (the product to 3 "
                           "decimals without rounding); not below 0",
            "sharing_ratio": f"the greater of the millage ratio {ratio_text(aid['millage_ratio'])} and the RWADA ratio "
                             f"{ratio_text(aid['rwada_ratio'])}, at least {limits['floor']} and at most {limits['cap']}",
            "capital_ratio": f"the RWADA ratio {ratio_text(aid['rwada_ratio'])}, at most {limits['capital_cap']} "
                             "(no floor)",
            "admin_aid": f"{int(aid['approved_admin']):,} × sharing ratio {sharing}, rounded to the dollar",
            "capital_aid": f"{int(aid['capital_expense']):,} × capital ratio {capital}, rounded to the dollar",
            "rent_aid": f"{int(aid['rent_expense']):,} × capital ratio {capital}, truncated to the dollar",
        }
    else:
        for key in ("tax_rate_tenths", "millage_ratio", "av_per_rwada", "wealth_ratio", "rwada_ratio"):
            work[key] = "not used for a special act district"
        work |= {"sharing_ratio": f"the State pays {sharing} of approved services (§1950(4)(m))",
                 "capital_ratio": "no capital or rent aid for a special act district",
                 "admin_aid": "none for a special act district", "capital_aid": "none for a special act district",
                 "rent_aid": "none for a special act district"}
    work["ratio_source"] = SOURCE_TEXT.get(aid["ratio_source"], "")
    work["services_aid"] = f"{int(aid['approved_services']):,} × {sharing}, rounded to the dollar"
    if result.aid.mode == "claim":
        for key in ("approved_admin", "approved_services", "capital_expense", "rent_expense"):
            work[key] = "as claimed with the State (Aid claim sheet)"
        work["save_harmless_aid"] = "as claimed (§1950(5)(f))"
    else:
        used = result.pools.admin_used
        approved = result.aid.approved_admin_cost  # exact cents
        aidable = working.aidable
        work |= {
            "approved_admin": f"administrative share {money_text(shares['administrative'])} × approved cost "
                              f"{exact_money(approved)} ÷ administrative budget {money_text(used)}, rounded to the "
                              "dollar",
            "approved_services": (f"the aidable parts below, {aidable.sums[code]} in all, rounded to the dollar"
                                  if code in aidable.sums else "no aidable CoSer or shared-PD charges"),
            "capital_expense": f"capital share {money_text(shares['capital'])} × "
                               f"{exact_text(Fraction(result.settings.capital_aidable_fraction))} aidable, "
                               "rounded to the dollar",
            "rent_expense": f"rent share {money_text(shares['rent'])}, rounded to the dollar",
            "save_harmless_aid": "none in an estimate",
        }
    work["total_aid"] = "the sum of the aid lines"
    return work


def _aid_section(result: Result, code: str, aid: dict) -> dict:
    """The aid working in statute order: ratios, approved expenses (each aidable service under its line),
    aid lines and their total."""
    note = ("Each step uses the one before it, in the order of the law (Educ. Law §1950(5), §3602(3)). "
            + ("Estimate: this year's charges are aided next year with next year's ratios; capital and rent are in "
               "truth aided in the year paid." if result.aid.mode == "estimate" else
               "Claim: the expenses are those claimed with the State."))
    carried = carried_forward_note(result)
    if carried:
        note += " " + carried
    work = aid_working(result, code, aid)
    lines, texts, summed = [], [], []  # the steps, their JSON texts (None: written as usual)
    for line in AID_LINES:
        value = SOURCE_LABELS.get(aid[line.key], aid[line.key]) if line.key == "ratio_source" else aid[line.key]
        step = {"label": line.label, "value": _json_value(value), "kind": line.kind, "working": work.get(line.key, ""),
                "law": line.law, "role": "body"}
        if line.key == "total_aid":
            step |= {"role": "total", "formula": {"op": "sum", "of": summed}}
        elif line.key in ("admin_aid", "services_aid", "capital_aid", "rent_aid", "save_harmless_aid"):
            summed.append(len(lines))
        lines.append(step)
        texts.append(None)
        if line.key == "approved_services" and result.aid.mode == "estimate":
            aidable = job_working(result).aidable
            span = _span(aidable.spans, code)
            lines += aidable.lines[span]
            texts += aidable.texts[span]
    # the steps' texts made as the aidable parts' are, a column at a time (the total, with its formula, as usual)
    plain = [i for i, (step, text) in enumerate(zip(lines, texts)) if text is None and list(step) == DETAIL_KEYS]
    made = jsontext.row_texts(DETAIL_KEYS, [[lines[i][key] for i in plain] for key in DETAIL_KEYS], ROWS_LINE,
                              JSON_STEP) if plain else []
    for i, text in zip(plain, made):
        texts[i] = text
    return {"title": f"{aid_heading(result)}: how it is figured", "note": note,
            "steps": {"columns": ["Step", "Value", "How it is figured", "Law"],
                      "lines": jsontext.Rows(lines, texts, ROWS_LINE, JSON_STEP)}}


def _sum_text(cents: Fraction) -> str:
    """An exact sum of cents: exactly when it is a short decimal, else to the cent (a reader adding the parts
    shown gets that, and the dollar it rounds to)."""
    text = exact_money(cents)
    return text if " / " not in text else money_text(_half_up(cents))


def _half_up(value: Fraction) -> int:
    """``value`` rounded to the nearest whole number, a half away from zero."""
    return _half_up_quotient(value.numerator, value.denominator)


def _half_up_quotient(numerator, denominator):
    """``numerator / denominator`` (not 0) rounded half away from zero, in integers: floor(|n/d| + 1/2) is
    (2|n| + |d|) // 2|d| (no Fraction made for each of a job's aidable parts). Ints, or arrays of them
    element by element."""
    whole = (2 * abs(numerator) + abs(denominator)) // (2 * abs(denominator))
    return whole * (1 - 2 * ((numerator < 0) != (denominator < 0)))


def _net_section(result: Result, code: str) -> dict:
    """The change from last year and the tax impact per $1,000 of full value (the net cost itself is in the
    header)."""
    working = job_working(result)
    net = working.net.get(code)
    prior = net["prior_total_charges"] if net is not None else None
    if prior is not None and pd.notna(prior):
        pairs = [pair("Prior year total charges", int(prior), "cents"),
                 pair("Change from the prior year", int(net["change"]), "cents", "body", "charges − prior year"),
                 pair("Change %", net["change_percent"], "change")]
    else:
        pairs = [pair("Prior year total charges", None, "text", "body", "not given on the Districts sheet")]
    full_value = working.districts[code]["full_value"]
    impact = net["tax_impact_per_1000_x10000"] if net is not None else None
    has_impact = impact is not None and pd.notna(impact)
    pairs += [pair("Full value", full_value, "cents"),
              pair("Tax impact per $1,000 of full value", impact if has_impact else None, "impact", "emphasis",
                   "net cost ÷ full value × 1,000" if has_impact else "no full value given")]
    return {"title": "Change from last year and tax impact", "pairs": pairs, "layout": "columns"}
