"""``mail.json``: what ``apportion mail`` needs to know about each statement, written with the outputs
(docs/formats.md, Outputs).

``apportion mail`` reads this instead of parsing the statement workbooks back,
so a change to a statement's layout can never change what is emailed. Per job:
the BOCES, its school year and aid year, estimate or claim, whether the
charges are the contingency budget's (Educ. Law §1950(4)(b)(5)); per district:
its code, name, type, addresses, totals, the statement's lines (each charge,
each aid line) and the names of its statement files. Money is text with two
decimals (exact, never a binary float); the bytes are deterministic.
"""
from __future__ import annotations

import json

import pandas as pd

from ..result import Result
from .labels import CATEGORY_LABELS, aid_heading
from .text import cents_text

FORMAT = "apportion mail manifest 1"
MANIFEST = "mail.json"
POOLS = ("administrative", "capital", "rent", "administrative surplus")
AID_LINE_LABELS = {"admin_aid": "Administrative aid", "services_aid": "Services aid", "capital_aid": "Capital aid",
                   "rent_aid": "Rent aid", "save_harmless_aid": "Save-harmless aid"}


def _line(key: str, label: str, cents) -> dict:
    return {"key": key, "label": label, "amount": cents_text(int(cents))}


def _charge_label(category: str, item: str, name: str) -> str:
    """A pool charge by its category ("Capital"); a service or contract by its name and code."""
    if category in POOLS:
        return CATEGORY_LABELS[category]
    named = f"{name} ({item})" if name and name != item else item
    return named if category == "coser" else f"{CATEGORY_LABELS.get(category, category)}: {named}"


def _charge_lines(billing: pd.DataFrame) -> list[dict]:
    """One line per billed charge, in billing.csv order (category, then item code)."""
    return [_line(f"{category} {item}", _charge_label(category, str(item), str(name)), amount)
            for category, item, name, amount in zip(billing["category"], billing["item_code"], billing["item_name"],
                                                    billing["amount"])]


def _aid_lines(aid: dict | None) -> list[dict]:
    if aid is None:
        return []
    return [_line(key, label, int(aid[key]) * 100) for key, label in AID_LINE_LABELS.items() if int(aid[key])]


def mail_manifest(result: Result, statements: dict[str, dict[str, str]]) -> bytes:
    """The manifest for the statements written: ``statements`` maps district code → {"xlsx": path, "pdf": path}
    (paths relative to the job folder; "pdf" only where one was written)."""
    s = result.settings
    districts = result.districts
    aid = result.aid.table.to_dict("index")
    net = result.net.to_dict("index")
    by_district = dict(tuple(result.billing.groupby("district_code", sort=False)))
    entries = []
    for code in sorted(statements):
        d = districts.loc[code]
        n = net.get(code)
        charges = int(n["total_charges"]) if n else int(by_district[code]["amount"].sum())
        total_aid = int(aid[code]["total_aid"]) if code in aid else 0
        entries.append({
            "code": code,
            "name": str(d["district_name"]),
            "type": str(d["type"]),
            "emails": [a.strip() for a in str(d["email"]).split(";")] if pd.notna(d["email"]) else [],
            "aided": code in aid,
            "total_charges": cents_text(charges),
            "total_aid": cents_text(total_aid * 100),
            "net_cost": cents_text(charges - total_aid * 100),
            "lines": _charge_lines(by_district[code]) if code in by_district else [],
            "aid_lines": _aid_lines(aid.get(code)),
            "files": dict(sorted(statements[code].items())),
        })
    manifest = {
        "format": FORMAT,
        "boces": {"name": s.boces_name, "code": s.boces_code, "email": s.business_office_email},
        "school_year": str(s.school_year),
        "aid_year": str(s.school_year.aid_year()),
        "aid_mode": result.aid.mode,
        "aid_heading": aid_heading(result),
        "prepared": _prepared(result),
        "contingency_budget": not result.vote.adopted,
        "districts": entries,
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _prepared(result: Result) -> str | None:
    """The prepared-on date the statements show (the BOCES item, never the clock), as ISO text."""
    when = getattr(result.settings, "prepared_date", None)
    return when.isoformat() if when is not None else None
