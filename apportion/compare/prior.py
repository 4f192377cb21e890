"""Year over year without typing: this run beside the prior year's output folder, by district and
category, with a warning where a district's net cost moves by more than a set percent (rules §9)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import IssueLog
from ..result import PriorYear
from ..exact import dollars_text
from ..years import SchoolYear
from . import NotAJobOutput, compare, figures_of_result, load_run
from .drivers import percent_change

#: comparison categories → the categories a statement shows, in order
CATEGORIES = {
    "administrative": "Administrative", "administrative surplus": "Administrative", "capital": "Capital",
    "rent": "Rent", "coser": "CoSer services", "coser adjustment": "CoSer services",
    "coser surplus": "CoSer services", "shared pd": "Shared PD", "total charges": "Total charges",
    "total aid": "BOCES aid", "net cost": "Net cost",
}
ORDER = list(dict.fromkeys(CATEGORIES.values()))


def by_category(lines: pd.DataFrame) -> pd.DataFrame:
    """Each district's prior, current and change per category (cents), from a comparison's lines."""
    rows = lines[lines["category"].isin(CATEGORIES) & (lines["district_status"] != "old only")]
    rows = rows.assign(category=rows["category"].map(CATEGORIES))
    out = rows.groupby(["district_code", "category"], sort=False)[["old", "new", "change"]].sum().reset_index()
    out = out.rename(columns={"old": "prior", "new": "current"})
    out["change_percent"] = percent_change(out["prior"], out["change"])
    rank = {c: i for i, c in enumerate(ORDER)}
    out = out.assign(_o=out["category"].map(rank)).sort_values(["district_code", "_o"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


def prior_folder(result, output_root: Path, given: Path | None) -> Path:
    """The folder given with ``--prior``, else ``<code>_<prior school year>/`` in the output folder."""
    if given is not None:
        return Path(given)
    s = result.settings
    return Path(output_root) / f"{s.boces_code}_{SchoolYear(s.school_year.start - 1)}"


def prior_year(result, output_root: Path, given: Path | None, warn_percent: int, log: IssueLog) -> PriorYear | None:
    """The prior year beside this run, or None when there is none. A folder given with ``--prior`` that is
    not a computed job's output is an error; a found one that cannot be read, a warning."""
    folder = prior_folder(result, output_root, given)
    if given is None and not folder.exists():
        return None
    try:
        old = load_run(folder)
    except NotAJobOutput as exc:
        where = {"file": str(folder), "expected": "a computed job's output folder", "found": str(exc)[:300]}
        if given is not None:
            log.error("prior-year-missing", f"the folder given with --prior is not a computed job's output: {exc}",
                      **where)
        else:
            log.warning("prior-year-unusable", "the prior year's output folder cannot be read, so there are no "
                        f"year-over-year columns: {exc}", **where)
        return None
    s = result.settings
    if old.boces_code != s.boces_code:
        log.warning("prior-year-other-boces", f"the prior-year folder is BOCES {old.boces_code}'s, not this job's",
                    file=str(folder), expected=f"BOCES {s.boces_code}", found=f"BOCES {old.boces_code}")
    previous = str(SchoolYear(s.school_year.start - 1))
    if old.school_year != previous:  # the same year or a later one: "Change from" would not be last year's
        log.warning("prior-year-not-previous", f"the prior-year folder is {old.school_year}'s, not {previous}'s: the "
                    f"year-over-year columns compare with {old.school_year}", file=str(folder),
                    expected=f"the output of {previous}", found=f"the output of {old.school_year}")
    if old.variant:  # last year's board draft: every "Change from" would be against figures never adopted
        log.warning("prior-year-variant", f"the prior-year folder is the what-if variant {old.variant!r}, not the "
                    "adopted figures: the year-over-year columns compare with it", file=str(folder),
                    expected=f"the output of {old.school_year} as adopted (no --variant)",
                    found=f"what-if variant {old.variant!r}")
    comparison = compare(old, figures_of_result(result))
    table = by_category(comparison.lines)
    _fill_prior_charges(result, table)
    _warn_net_cost(result, table, old.school_year, warn_percent, log)
    return PriorYear(folder=str(folder), school_year=old.school_year, by_category=table, comparison=comparison,
                     warn_percent=warn_percent)


def _fill_prior_charges(result, table: pd.DataFrame) -> None:
    """The prior year's total charges where the Districts sheet gives none (a typed figure still wins)."""
    from ..law import net as netlaw
    charges = table[table["category"] == "Total charges"].set_index("district_code")["prior"]
    net = result.net
    prior = net["prior_total_charges"].astype("Int64").fillna(charges.reindex(net.index).astype("Int64"))
    net["prior_total_charges"] = prior
    net["change"] = netlaw.change(net["total_charges"], prior)
    net["change_percent"] = netlaw.change_percent(net["change"], prior)


def _warn_net_cost(result, table: pd.DataFrame, prior_year_label: str, warn_percent: int, log: IssueLog) -> None:
    """A warning for each district whose net cost moves by more than ``warn_percent`` % of the prior year's."""
    net = table[table["category"] == "Net cost"]
    prior, change = net["prior"].to_numpy(dtype=object), net["change"].to_numpy(dtype=object)
    moved = (prior != 0) & (np.abs(change) * 100 > np.abs(prior) * warn_percent)
    names = result.net["district_name"]
    s = result.settings
    for _, row in net[moved.astype(bool)].iterrows():  # only the districts flagged
        code = row["district_code"]
        pct = int(row["change_percent"])
        percent = f"{'+' if pct > 0 else '-'}{abs(pct) // 100}.{abs(pct) % 100:02d} %"
        log.warning("net-cost-change", f"{names.get(code, code)}'s net cost moves from "
                    f"{dollars_text(row['prior'])} ({prior_year_label}) to {dollars_text(row['current'])} "
                    f"({s.school_year}), {percent}: more than the {warn_percent} % that draws this warning", **result.where_district("district_code", code),
                    expected=f"a change within {warn_percent} %", found=f"{code}: {percent}")
