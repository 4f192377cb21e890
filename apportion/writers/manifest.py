"""``mail.json``: what ``apportion mail`` needs to know about each statement, written with the outputs
(docs/formats.md, Outputs).

``apportion mail`` reads this instead of parsing the statement workbooks back,
so a change to a statement's layout can never change what is emailed. Per job:
the BOCES, its school year and aid year, estimate or claim, whether the
charges are the contingency budget's (Educ. Law §1950(4)(b)(5)); per district:
its code, name, type, addresses, totals and the names of its statement files.
The statement's lines, line by line, are billing.csv's and aid.csv's (read
through :mod:`apportion.compare`). Money is text with two decimals (exact,
never a binary float); the bytes are deterministic.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from ..result import Result
from . import jsontext
from .labels import aid_heading
from .text import cents_text

FORMAT = "apportion mail manifest 1"
MANIFEST = "mail.json"


def mail_manifest(result: Result, statements: dict[str, dict[str, str]], prepared: date | None = None) -> bytes:
    """The manifest for the statements written: ``statements`` maps district code → {"xlsx": path, "pdf": path,
    "document": path} (paths relative to the job folder; "pdf" only where one was written; "document" the
    statement's JSON, from which :func:`~.pdf.render_statement_pdf` makes the PDF). ``prepared``: the
    ``run --prepared`` date, used when the BOCES sheet gives none."""
    s = result.settings
    districts = result.districts
    aid = result.aid.table.to_dict("index")
    net = result.net.to_dict("index")
    entries = []
    for code in sorted(statements):
        d = districts.loc[code]
        n = net[code]  # every district with a statement is charged or aided
        entries.append({
            "code": code,
            "name": str(d["district_name"]),
            "type": str(d["type"]),
            "emails": [a.strip() for a in str(d["email"]).split(";")] if pd.notna(d["email"]) else [],
            "aided": code in aid,
            "total_charges": cents_text(int(n["total_charges"])),
            "total_aid": cents_text(int(n["total_aid"]) * 100),
            "net_cost": cents_text(int(n["net_cost"])),
            "files": dict(sorted(statements[code].items())),
        })
    manifest = {
        "format": FORMAT,
        "boces": {"name": s.boces_name, "code": s.boces_code, "email": s.business_office_email},
        "school_year": str(s.school_year),
        "aid_year": str(s.school_year.aid_year()),
        "aid_mode": result.aid.mode,
        "aid_heading": aid_heading(result),
        "prepared": _prepared(result, prepared),
        "contingency_budget": not result.vote.adopted,
        "districts": entries,
    }
    return (jsontext.dumps(manifest) + "\n").encode("utf-8")


def _prepared(result: Result, prepared: date | None) -> str | None:
    """The prepared-on date the statements show (the BOCES item, else ``run --prepared``; never the clock),
    as ISO text."""
    when = result.settings.prepared_date or prepared
    return when.isoformat() if when is not None else None
