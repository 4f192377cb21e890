"""Each component's aid working in statute order, the net cost, and the reconciliation with the
State's published aid (SPEC §5; Educ. Law §1950(5), §3602(3)(f))."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from ..exact import thousandths
from ..law import aid as aidlaw
from ..law import net as netlaw
from ..model import Job
from .values import Values

CHSD_TYPES = ("CHSD", "CHSD component")


def aid_table(job: Job, p: Values, shares: pd.DataFrame, rows: pd.DataFrame, services: pd.DataFrame, pd_rows: pd.DataFrame,
              factor: Fraction, state_avg_cents: int) -> pd.DataFrame:
    """Each component's ratios, approved expenses and aid lines in statute order (SPEC §5)."""
    s = job.settings
    comps = job.components
    special = (comps["type"] == "special act").to_numpy()
    aid = pd.DataFrame(index=comps.index)
    aid["district_name"] = comps["district_name"]
    aid["type"] = comps["type"]
    av = comps["aid_av"].fillna(1).where(~special, 1).astype(np.int64)
    rwada = comps["aid_rwada"].fillna(1).where(~special, 1).astype(np.int64)
    aid["aid_av"] = comps["aid_av"]
    aid["aid_rwada"] = comps["aid_rwada"]
    aid["tax_levy"] = comps["tax_levy"]
    aid["pilots"] = comps["pilots"].fillna(0)
    aid["mills"] = np.where(comps["type"].isin(CHSD_TYPES), int(p("aid.millage_mills_chsd")), int(p("aid.millage_mills")))
    aid["tax_rate_tenths"] = aidlaw.tax_rate_tenths(comps["tax_levy"].fillna(0).astype(np.int64),
                                                    comps["pilots"].fillna(0).astype(np.int64), av)
    aid["millage_ratio"] = aidlaw.millage_ratio(aid["tax_rate_tenths"], aid["mills"])
    aid["av_per_rwada"] = aidlaw.av_per_rwada(av, rwada)
    aid["wealth_ratio"] = aidlaw.wealth_ratio(aid["av_per_rwada"], state_avg_cents)
    aid["rwada_ratio"] = aidlaw.rwada_ratio(aid["wealth_ratio"], p("aid.rwada_ratio_factor"))
    floor, cap = thousandths(p("aid.sharing_ratio_floor")), thousandths(p("aid.sharing_ratio_cap"))
    aid["sharing_ratio"] = aidlaw.sharing_ratio(aid["millage_ratio"], aid["rwada_ratio"], floor, cap)
    aid["ratio_source"] = aidlaw.ratio_source(aid["millage_ratio"], aid["rwada_ratio"], floor, cap)
    aid["capital_ratio"] = aidlaw.capital_ratio(aid["rwada_ratio"], thousandths(p("aid.capital_ratio_cap")))
    # a special act district: one-half of approved services, nothing else (§1950(4)(m))
    aid.loc[special, "sharing_ratio"] = thousandths(p("aid.special_act_services_fraction"))
    aid.loc[special, "capital_ratio"] = 0
    aid.loc[special, "ratio_source"] = "special act"
    for column in ("tax_rate_tenths", "millage_ratio", "av_per_rwada", "wealth_ratio", "rwada_ratio"):
        aid[column] = aid[column].astype("Int64")
        aid.loc[special, column] = pd.NA
    if job.aid_claim is None:
        aid["approved_admin"] = aidlaw.dollars_half_up(shares["administrative"], factor)
        keys = pd.concat([rows["district_code"], pd_rows["district_code"]], ignore_index=True)
        cents = pd.concat([rows["final_charge"], pd_rows["charge"]], ignore_index=True)
        num = pd.concat([rows["service_code"].map(services["aidable_num"]), pd_rows["aidable_num"]], ignore_index=True)
        den = pd.concat([rows["service_code"].map(services["aidable_den"]), pd_rows["aidable_den"]], ignore_index=True)
        inside = keys.isin(comps.index)
        aid["approved_services"] = aidlaw.sum_half_up_dollars(keys[inside], cents[inside].astype(np.int64),
                                                              num[inside].astype(np.int64), den[inside].astype(np.int64),
                                                              comps.index)
        aid["capital_expense"] = aidlaw.dollars_half_up(shares["capital"], Fraction(s.capital_aidable_fraction))
        aid["rent_expense"] = aidlaw.dollars_half_up(shares["rent"])
        aid["save_harmless_aid"] = 0
    else:
        claim = job.aid_claim.reindex(comps.index)
        for column in ("approved_admin", "approved_services", "capital_expense", "rent_expense", "save_harmless_aid"):
            aid[column] = (claim[column].fillna(0).astype(np.int64) // 100)
    zero = pd.Series(0, index=aid.index)
    aid["admin_aid"] = aidlaw.aid_half_up(aid["approved_admin"], aid["sharing_ratio"]).where(~special, 0)
    aid["services_aid"] = aidlaw.aid_half_up(aid["approved_services"], aid["sharing_ratio"])
    aid["capital_aid"] = aidlaw.aid_half_up(aid["capital_expense"], aid["capital_ratio"]).where(~special, zero)
    aid["rent_aid"] = aidlaw.aid_truncated(aid["rent_expense"], aid["capital_ratio"]).where(~special, zero)
    aid["total_aid"] = aid[["admin_aid", "services_aid", "capital_aid", "rent_aid", "save_harmless_aid"]].sum(axis=1)
    return aid


def net_table(job: Job, charges: pd.Series, aid: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """Per district: charges, aid, net cost, change from last year and tax impact per $1,000 of full value
    (and, after a failed vote, the total charges under the proposed budget)."""
    d = job.districts
    codes = sorted(set(charges.index) | set(aid.index))
    net = pd.DataFrame(index=pd.Index(codes, name="district_code"))
    net["district_name"] = d["district_name"].reindex(net.index)
    net["type"] = d["type"].reindex(net.index)
    net["total_charges"] = charges.reindex(net.index).fillna(0).astype(np.int64)
    net["total_aid"] = aid["total_aid"].reindex(net.index).fillna(0).astype(np.int64)
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


def reconciliation_table(job: Job, aid: pd.DataFrame) -> pd.DataFrame:
    """Computed against published aid, line by line (claim mode, SPEC §5)."""
    claim = job.aid_claim
    computed = {
        "admin and services aid": aid["admin_aid"] + aid["services_aid"],
        "capital aid": aid["capital_aid"], "rent aid": aid["rent_aid"], "total BOCES aid": aid["total_aid"],
    }
    published = {"admin and services aid": "published_admin_services", "capital aid": "published_capital",
                 "rent aid": "published_rent", "total BOCES aid": "published_total"}
    parts = []
    for line, column in published.items():
        given = claim[column].dropna()
        given = given[given.index.isin(aid.index)]
        if given.empty:
            continue
        parts.append(pd.DataFrame({"district_code": given.index, "line": line,
                                   "computed": computed[line].reindex(given.index).to_numpy(),
                                   "published": (given.astype(np.int64) // 100).to_numpy()}))
    columns = ["district_code", "district_name", "line", "computed", "published", "difference"]
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    out["district_name"] = out["district_code"].map(job.districts["district_name"])
    out["difference"] = out["computed"] - out["published"]
    order = {line: i for i, line in enumerate(published)}
    out = out.assign(_o=out["line"].map(order)).sort_values(["district_code", "_o"]).drop(columns="_o")
    return out[columns].reset_index(drop=True)
