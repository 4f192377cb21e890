"""The method comparison: each component's administrative share under every lawful method
(Educ. Law §1950(4)(b)(7))."""
from __future__ import annotations

from fractions import Fraction

import pandas as pd

from ..law import apportionment as ap
from ..law import special_act
from ..model import Job


def method_comparison(job: Job, pool_admin: int, state_avg_cents: int, rounding: str) -> pd.DataFrame:
    """Each component's administrative share under every lawful method, beside the one in force (§1950(4)(b)(7))."""
    s = job.settings
    comps = job.components
    out = pd.DataFrame(index=comps.index)
    out["district_name"] = comps["district_name"]
    for method in ("true value", "WADA", "enrollment"):
        column = comps[ap.METHOD_COLUMNS[method][0]]
        if method == "true value":
            column = special_act.basis_column(comps["type"], column, comps["rwada"])
        if column.isna().any():
            continue
        b = ap.basis(method, comps, state_avg_cents, None)
        if b.total:
            out[method] = ap.apportion(pool_admin, b, rounding)
    if s.method == "blend" and s.blend_tv_percent is not None:
        b = ap.basis("blend", comps, state_avg_cents, Fraction(s.blend_tv_percent))
        out[f"blend {float(s.blend_tv_percent):g}/{100 - float(s.blend_tv_percent):g}"] = ap.apportion(pool_admin, b, rounding)
    chosen = next((c for c in out.columns[1:] if c == s.method or (s.method == "blend" and c.startswith("blend"))), None)
    if chosen is not None:
        for c in list(out.columns[1:]):
            if c != chosen:
                out[f"{c} − chosen"] = out[c] - out[chosen]
    return out
