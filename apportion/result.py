"""What a computed job returns: every table the reports and CSVs are written from."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .errors import IssueLog
from .model import Job
from .parameters import ParameterValue


@dataclass
class Result:
    """The results of one job; money in int64 cents, aid in whole dollars, ratios in thousandths.

    ``pools``: the derivation from each budget to its pool (cents), in order.
    ``apportionment``: per component — basis, share %, administrative, capital, rent and surplus shares
    (and, after a failed vote, the proposed-budget administrative share).
    ``services``, ``coser``: per service and per participation row.
    ``contracts``, ``shared_pd``: per shared-PD contract and per attending district.
    ``aid``: per component district, the aid working in statute order.
    ``billing``: one row per charge (FORMATS.md billing.csv).
    ``net``: per district — charges, aid, net cost, year over year, tax impact.
    ``comparison``: each component's administrative share under every lawful method.
    ``collaboration``: per teacher credits. ``reconciliation``: claim mode only.
    """

    job: Job
    log: IssueLog
    parameters: dict[str, ParameterValue]
    pools: dict[str, int]
    vote: dict
    apportionment: pd.DataFrame
    services: pd.DataFrame
    coser: pd.DataFrame
    contracts: pd.DataFrame
    shared_pd: pd.DataFrame
    aid: pd.DataFrame
    billing: pd.DataFrame
    net: pd.DataFrame
    comparison: pd.DataFrame
    collaboration: pd.DataFrame
    reconciliation: pd.DataFrame | None = None
    notes: dict = field(default_factory=dict)

    @property
    def aid_mode(self) -> str:
        return "claim" if self.job.aid_claim is not None else "estimate"
