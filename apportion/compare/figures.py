"""A run's figures read back from what it wrote — billing.csv, aid.csv and basis.json — for comparing
two runs (Educ. Law §1950(4)(b)(7), (4)(d), (5); docs/formats.md, Outputs).

``basis.json`` carries the exact figures the CSVs print rounded: each component's share of the
budget pools, each CoSer participant's basis units and each service's and contract's unit cost,
as exact fractions written ``"n/d"``. A run's own :class:`~apportion.result.Result` is read back
through the very same bytes (:func:`figures_of_result`), so a comparison made inside ``run`` and
one made later from the folders agree to the cent.
"""
from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from ..exact import QUANTITY_SCALE
from ..writers import jsontext

BASIS_FILE = "basis.json"
BASIS_FORMAT = "apportion-basis/1"
REQUIRED_FILES = ("billing.csv", "aid.csv", BASIS_FILE)
#: aid.csv's aid lines: (item code, item name, aid column, expense column, ratio column)
AID_LINES = (
    ("ADMIN", "Administrative aid", "admin_aid", "approved_admin", "sharing_ratio"),
    ("SERVICES", "Services aid", "services_aid", "approved_services", "sharing_ratio"),
    ("CAPITAL", "Capital aid", "capital_aid", "capital_expense", "capital_ratio"),
    ("RENT", "Rent aid", "rent_aid", "rent_expense", "capital_ratio"),
    ("SAVE-HARMLESS", "Save-harmless aid", "save_harmless_aid", None, None),
)
TOTAL_LINES = (("total charges", "CHARGES", "Total charges"), ("total aid", "AID", "Total BOCES aid"),
               ("net cost", "NET", "Net cost"))


class NotAJobOutput(Exception):
    """A folder that is not a computed job's output folder (missing, a failed job's, or from an older version)."""


@dataclass(frozen=True)
class RunFigures:
    """One run's figures, money in cents.

    ``lines``: per district and line — ``district_code, district_name, category, item_code, item_name,
    amount`` — the billing.csv charges summed by category and item, the aid lines (cents) and the
    three totals. ``aid``: aid.csv by district code (ratios in thousandths, expenses in dollars).
    ``shares``: each component's exact share of the budget pools. ``units``: ``kind, item_code,
    district_code, units`` (exact). ``unit_costs``: exact cents per unit by ``(kind, item_code)``.
    """

    folder: str
    boces_code: str
    boces_name: str
    school_year: str
    variant: str | None
    lines: pd.DataFrame
    aid: pd.DataFrame
    shares: pd.Series
    units: pd.DataFrame
    unit_costs: pd.Series
    settings_changed: list = field(default_factory=list)

    @property
    def label(self) -> str:
        """How the run is named in a comparison: ``<code> <year>`` and the variant, if any."""
        return f"{self.boces_code} {self.school_year}" + (f" ({self.variant})" if self.variant else "")


# --- writing basis.json --------------------------------------------------------------

def _fraction_text(value) -> str | None:
    return None if value is None else str(Fraction(value))


def _ratio_text(numerator: int, denominator: int) -> str:
    """``str(Fraction(numerator, denominator))`` for a positive denominator, without making the Fraction
    (a state run writes some 120,000 of them): lowest terms, "n" when whole."""
    if denominator <= 0:
        return str(Fraction(numerator, denominator))
    g = math.gcd(numerator, denominator)
    return str(numerator // g) if denominator == g else f"{numerator // g}/{denominator // g}"


def _units_by_item(items: np.ndarray, districts: np.ndarray, units: list[str]) -> dict[str, dict[str, str]]:
    """Each item's participants' units, item → {district: units}: items sorted (as ``groupby(sort=True)``),
    participants in their rows' order. Sorted by the items' ranks (one hash of each code, the few distinct
    codes compared), each column taken in that order at once, without a frame per group."""
    ranks, _ = pd.factorize(items, sort=True)
    order = np.argsort(ranks, kind="stable")
    ordered = items[order]
    starts = np.flatnonzero(np.r_[True, ranks[order][1:] != ranks[order][:-1]]) if len(order) else order
    ends = np.r_[starts[1:], len(order)]
    districts, units = districts[order].tolist(), np.array(units, dtype=object)[order].tolist()
    return {ordered[a]: dict(zip(districts[a:b], units[a:b])) for a, b in zip(starts.tolist(), ends.tolist())}


def basis_json(result) -> bytes:
    """The exact shares, units and unit costs behind a run's billing.csv, and the variant it is, if any
    (docs/formats.md, basis.json)."""
    s = result.settings
    variant = result.variant.name if result.variant else None
    changed = [[c.item, c.value] for c in result.variant.changes] if result.variant else []
    weight = result.apportionment.shares["basis_weight"]
    total = int(weight.sum())
    shares = dict(zip(weight.index, (str(Fraction(int(w), total)) for w in weight)))
    rows = result.coser.rows
    services = result.coser.services
    items: dict[str, dict] = {"coser": {}, "shared pd": {}}
    if len(rows) and "weight" in rows:
        paying = np.flatnonzero(rows["weight"].to_numpy() > 0)
        # each distinct (weight, divisor) written once: a million rows repeat a few thousand unit counts
        by_weight, weights = pd.factorize(rows["weight"].to_numpy()[paying])
        by_divisor, divisors = pd.factorize(rows["divisor"].to_numpy()[paying])
        codes, pairs = pd.factorize(by_weight * len(divisors) + by_divisor)
        texts = [_ratio_text(int(weights[k // len(divisors)]), int(divisors[k % len(divisors)]) * QUANTITY_SCALE)
                 for k in pairs.tolist()]
        groups = _units_by_item(rows["service_code"].to_numpy(dtype=object)[paying],
                                rows["district_code"].to_numpy(dtype=object)[paying],
                                np.array(texts, dtype=object)[codes].tolist() if len(codes) else [])
        at = services.index.get_indexer(list(groups))
        figures = zip(*(services[c].to_numpy()[at].tolist() for c in ("total_weight", "budget", "divisor")))
        for (code, units), (total_weight, budget, divisor) in zip(groups.items(), figures):
            # str(Fraction(budget × divisor × scale, total weight)), without making the Fraction
            items["coser"][code] = {"unit_cost": _ratio_text(int(budget) * int(divisor) * QUANTITY_SCALE,
                                                             int(total_weight)), "units": units}
    pd_rows = result.shared_pd.rows
    if len(pd_rows) and "charge" in pd_rows:
        # the contracts' attending staff (a row without a contract is no contract's, as groupby drops it)
        attending = pd_rows[(pd_rows["staff"] > 0) & pd_rows["contract"].notna()]
        contracts = result.shared_pd.contracts
        groups = _units_by_item(attending["contract"].to_numpy(dtype=object),
                                attending["district_code"].to_numpy(dtype=object),
                                list(map(str, attending["staff"].astype(int))))
        for code, units in groups.items():
            cost = Fraction(int(contracts.at[code, "cost"]), int(contracts.at[code, "staff_total"]))
            items["shared pd"][code] = {"unit_cost": str(cost), "units": units}
    doc = {"format": BASIS_FORMAT, "boces_code": s.boces_code, "boces_name": s.boces_name,
           "school_year": str(s.school_year), "variant": variant, "settings_changed": changed,
           "method": s.method, "aid_mode": result.aid.mode, "pool_shares": shares, "items": items}
    return jsontext.dumps(doc, sort_keys=True, end="\n").encode("utf-8")


# --- reading a run back ----------------------------------------------------------------

def _cents(text: pd.Series) -> pd.Series:
    """Dollars with exactly two decimals ("-3242.65") as int64 cents, without a float."""
    text = text.str.strip()
    ok = text.str.fullmatch(r"-?\d+\.\d\d")
    if not ok.all():
        raise NotAJobOutput(f"an amount is not dollars with two decimals: {text[~ok].iloc[0]!r}")
    return text.str.replace(".", "", regex=False).astype(np.int64)


def _whole(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text.replace("", "0"), errors="raise").astype(np.int64)


def _thousandths(text: pd.Series) -> pd.Series:
    """A ratio with three decimals ("0.541") as int thousandths; blank → 0."""
    text = text.str.strip().replace("", "0.000")
    return text.str.replace(".", "", regex=False).astype(np.int64)


def _unsafe(text: pd.Series) -> pd.Series:
    """Undo the CSV writer's guard quote on text that began with = + - @ tab or CR."""
    return text.where(~text.str.match(r"^'[=+\-@\t\r]"), text.str[1:])


def _exact(texts: pd.Series) -> pd.Series:
    """Exact fractions from their "n/d" text, each distinct text parsed once."""
    distinct = {t: Fraction(t) for t in set(texts)}
    return texts.map(distinct).astype(object)


def _csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def read_folder(folder: Path) -> dict[str, bytes]:
    """The files a comparison needs from a job output folder, or :class:`NotAJobOutput` saying why not."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NotAJobOutput(f"{folder}: no such folder")
    if (folder / "ERRORS.txt").exists():
        raise NotAJobOutput(f"{folder}: the job failed with input errors (see its ERRORS.txt); it has no figures")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise NotAJobOutput(f"{folder}: not a job output folder of this version of apportion "
                            f"(no {', '.join(missing)})")
    return {name: (folder / name).read_bytes() for name in REQUIRED_FILES}


def load_run(folder) -> RunFigures:
    """A job output folder's figures (:class:`NotAJobOutput` if it is not one)."""
    return figures_of_files(read_folder(Path(folder)), str(folder))


def figures_of_result(result) -> RunFigures:
    """A computed run's figures, read through the same bytes its folder gets."""
    from ..writers.csvs import aid_csv, billing_csv
    s = result.settings
    files = {"billing.csv": billing_csv(result), "aid.csv": aid_csv(result), BASIS_FILE: basis_json(result)}
    variant = f"_{result.variant.name}" if result.variant else ""
    return figures_of_files(files, f"{s.boces_code}_{s.school_year}{variant}")


def figures_of_files(files: dict[str, bytes], folder: str) -> RunFigures:
    """Parse billing.csv, aid.csv and basis.json into :class:`RunFigures`."""
    try:
        meta = json.loads(files[BASIS_FILE].decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotAJobOutput(f"{folder}: {BASIS_FILE} cannot be read ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != BASIS_FORMAT:
        raise NotAJobOutput(f"{folder}: {BASIS_FILE} is not in the format {BASIS_FORMAT}")
    billing = _csv(files["billing.csv"])
    aid = _csv(files["aid.csv"])
    for name, frame, needed in (("billing.csv", billing, ("district_code", "category", "item_code", "amount")),
                                ("aid.csv", aid, ("district_code", "total_aid") + tuple(a[2] for a in AID_LINES))):
        lacking = [c for c in needed if c not in frame.columns]
        if lacking:
            raise NotAJobOutput(f"{folder}: {name} lacks the column(s) {', '.join(lacking)}")
    billing["amount"] = _cents(billing["amount"])
    for column in ("district_name", "item_name"):
        billing[column] = _unsafe(billing[column])
    aid["district_name"] = _unsafe(aid["district_name"])
    aid = aid.set_index("district_code")
    for column in {c for line in AID_LINES for c in line[2:4] if c} | {"total_aid"}:
        aid[column] = _whole(aid[column])
    for column in {line[4] for line in AID_LINES if line[4]}:
        aid[column] = _thousandths(aid[column])
    lines = _lines(billing, aid)
    shares = _exact(pd.Series(meta["pool_shares"], dtype=object))
    # one row per item and participant, gathered as plain lists and made a frame once
    rows = [(kind, code, district, units) for kind, entries in meta["items"].items()
            for code, entry in entries.items() for district, units in entry["units"].items()]
    costs = {(kind, code): Fraction(entry["unit_cost"]) for kind, entries in meta["items"].items()
             for code, entry in entries.items()}
    units_frame = pd.DataFrame(rows, columns=["kind", "item_code", "district_code", "units"])
    units_frame["units"] = _exact(units_frame["units"])
    unit_costs = pd.Series(costs, dtype=object)
    if len(unit_costs):
        unit_costs.index = pd.MultiIndex.from_tuples(unit_costs.index, names=["kind", "item_code"])
    return RunFigures(folder=folder, boces_code=str(meta["boces_code"]), boces_name=str(meta["boces_name"]),
                      school_year=str(meta["school_year"]), variant=meta.get("variant"), lines=lines, aid=aid,
                      shares=shares, units=units_frame, unit_costs=unit_costs,
                      settings_changed=list(meta.get("settings_changed") or []))


def _lines(billing: pd.DataFrame, aid: pd.DataFrame) -> pd.DataFrame:
    """Charges by district, category and item; the aid lines in cents; total charges, total aid and net cost."""
    keys = ["district_code", "category", "item_code"]
    charges = (billing.groupby(keys, sort=True)
               .agg(district_name=("district_name", "first"), item_name=("item_name", "first"), amount=("amount", "sum"))
               .reset_index())
    names = pd.concat([billing.drop_duplicates("district_code").set_index("district_code")["district_name"],
                       aid["district_name"]])
    names = names[~names.index.duplicated(keep="last")]
    aid_parts = [pd.DataFrame({"district_code": aid.index, "category": "aid", "item_code": code, "item_name": label,
                               "amount": aid[column].to_numpy() * 100}) for code, label, column, _, _ in AID_LINES]
    total_charges = charges.groupby("district_code")["amount"].sum().reindex(names.index).fillna(0).astype(np.int64)
    total_aid = (aid["total_aid"] * 100).reindex(names.index).fillna(0).astype(np.int64)
    totals = {"total charges": total_charges, "total aid": total_aid, "net cost": total_charges - total_aid}
    total_parts = [pd.DataFrame({"district_code": names.index, "category": category, "item_code": code,
                                 "item_name": label, "amount": totals[category].to_numpy()})
                   for category, code, label in TOTAL_LINES]
    out = pd.concat([charges.drop(columns="district_name")] + aid_parts + total_parts, ignore_index=True)
    out["district_name"] = out["district_code"].map(names)
    out["amount"] = out["amount"].astype(np.int64)
    return out[["district_code", "district_name", "category", "item_code", "item_name", "amount"]]
