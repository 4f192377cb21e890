"""Each component's aid working in statute order, the net cost, and the reconciliation with the
State's published aid (rules §5; Educ. Law §1950(5), §3602(3)(f))."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from ..exact import thousandths
from ..law import net as netlaw
from ..law import special_act
from ..law.aid import expenses, ratios
from ..law.aid import lines as aidlines
from ..model import Job
from ..validate import CLAIMED
from .values import Values

RATIO_COLUMNS = ("tax_rate_tenths", "millage_ratio", "av_per_rwada", "wealth_ratio", "rwada_ratio")  # none for special act
AIDED_COLUMNS = ("sharing_ratio", "ratio_source", "capital_ratio")


def aid_table(job: Job, p: Values, shares: pd.DataFrame, rows: pd.DataFrame, services: pd.DataFrame, pd_rows: pd.DataFrame,
              factor: Fraction, state_avg_cents: int) -> pd.DataFrame:
    """Each component's ratios, approved expenses and aid lines in statute order (rules §5)."""
    s = job.settings
    comps = job.components
    special = special_act.is_special_act(comps["type"])
    # nullable on Districts (a non-component or special act district needs none), but given for every ordinary
    # component (compute.checks refused a blank): as the int64 the law takes
    ordinary = comps[~special]
    aid = comps[["district_name", "type", "aid_av", "aid_rwada", "tax_levy", "pilots"]].copy()
    aid["mills"] = ratios.millage_mills(comps["type"], int(p("aid.millage_mills")), int(p("aid.millage_mills_chsd")))
    worked = ratios.district_ratios(
        ordinary["tax_levy"].astype(np.int64), ordinary["pilots"], ordinary["aid_av"].astype(np.int64),
        ordinary["aid_rwada"].astype(np.int64), aid["mills"][~special], state_avg_cents, p("aid.rwada_ratio_factor"),
        thousandths(p("aid.sharing_ratio_floor")), thousandths(p("aid.sharing_ratio_cap")),
        thousandths(p("aid.capital_ratio_cap")))
    own = special_act.aid_ratios(comps.index[special], thousandths(p("aid.special_act_services_fraction")))
    for column in RATIO_COLUMNS:
        aid[column] = worked[column].astype("Int64").reindex(comps.index)  # blank for a special act district
    for column in AIDED_COLUMNS:
        aid[column] = pd.concat([worked[column], own[column]]).reindex(comps.index)
    if job.aid_claim is None:
        aid["approved_admin"] = expenses.dollars_half_up(shares["administrative"], factor)
        keys = pd.concat([rows["district_code"], pd_rows["district_code"]], ignore_index=True)
        cents = pd.concat([rows["final_charge"], pd_rows["charge"]], ignore_index=True)
        at = services.index.get_indexer(rows["service_code"])  # each row's service: every one is listed
        num, den = (np.concatenate([services[c].to_numpy(dtype=np.int64)[at], pd_rows[c].to_numpy(dtype=np.int64)])
                    for c in ("aidable_num", "aidable_den"))
        inside = keys.isin(comps.index).to_numpy()  # the CoSer and PD parts concatenated: one int64 for the law
        aid["approved_services"] = expenses.sum_half_up_dollars(keys[inside], cents[inside].astype(np.int64),
                                                                pd.Series(num[inside]), pd.Series(den[inside]),
                                                                comps.index)
        aid["capital_expense"] = expenses.dollars_half_up(shares["capital"], Fraction(s.capital_aidable_fraction))
        aid["rent_expense"] = expenses.dollars_half_up(shares["rent"])
        aid["save_harmless_aid"] = 0
    else:
        claim = job.aid_claim[list(CLAIMED)].reindex(comps.index, fill_value=0)  # no claim row: claims nothing
        for column in CLAIMED:
            aid[column] = expenses.claimed_dollars(claim[column])
    lines = aidlines.aid_lines(aid["approved_admin"], aid["approved_services"], aid["capital_expense"],
                               aid["rent_expense"], aid["save_harmless_aid"], aid["sharing_ratio"],
                               aid["capital_ratio"], special)
    return pd.concat([aid, lines], axis=1)


def net_table(job: Job, charges: pd.Series, aid: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """Per district: charges, aid, net cost, change from last year and tax impact per $1,000 of full value
    (and, after a failed vote, the total charges under the proposed budget)."""
    d = job.districts
    codes = sorted(set(charges.index) | set(aid.index))
    net = pd.DataFrame(index=pd.Index(codes, name="district_code"))
    net["district_name"] = d["district_name"].reindex(net.index)
    net["type"] = d["type"].reindex(net.index)
    net["total_charges"] = charges.reindex(net.index, fill_value=0)
    net["total_aid"] = aid["total_aid"].reindex(net.index, fill_value=0)
    net["net_cost"] = netlaw.net_cost(net["total_charges"], net["total_aid"])
    prior = d["prior_total_charges"].reindex(net.index)
    net["prior_total_charges"] = prior
    net["change"] = netlaw.change(net["total_charges"], prior)
    net["change_percent"] = netlaw.change_percent(net["change"], prior)
    net["tax_impact_per_1000_x10000"] = netlaw.tax_impact_x10000(net["net_cost"], d["full_value"].reindex(net.index))
    if "administrative_proposed" in shares:
        net["proposed_total_charges"] = netlaw.proposed_total_charges(
            net["total_charges"], shares["administrative_proposed"], shares["administrative"])
    return net


#: each published line's name in reconciliation.csv (docs/formats.md), by the Aid claim column holding it
PUBLISHED = {"published_admin_services": "admin and services aid", "published_capital": "capital aid",
             "published_rent": "rent aid", "published_total": "total BOCES aid"}


def reconciliation_table(job: Job, aid: pd.DataFrame) -> pd.DataFrame:
    """Computed against published aid, line by line (claim mode, rules §5): :func:`~apportion.law.aid.lines.reconcile`
    on each line the Aid claim sheet gives for a component district."""
    claim = job.aid_claim
    computed = aidlines.published_lines(aid)
    parts = []
    for order, (column, line) in enumerate(PUBLISHED.items()):
        given = claim[column][claim[column].notna() & claim.index.isin(aid.index)]  # a blank: not published
        if len(given):
            parts.append(aidlines.reconcile(computed[column], given).assign(line=line, _o=order))
    columns = ["district_code", "district_name", "line", "computed", "published", "difference"]
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts).rename_axis("district_code").reset_index()
    out["district_name"] = out["district_code"].map(job.districts["district_name"])
    out = out.sort_values(["district_code", "_o"])
    return out[columns].reset_index(drop=True)
