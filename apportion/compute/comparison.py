"""The method comparison: each component's administrative share under every lawful method
(Educ. Law §1950(4)(b)(7)), laid out as the summary's Method comparison sheet reads it."""
from __future__ import annotations

from fractions import Fraction

import pandas as pd

from ..law import apportionment as ap
from ..model import Job


def method_comparison(job: Job, pool_admin: int, state_avg_cents: int, rounding: str) -> pd.DataFrame:
    """Each component's administrative share under every lawful method, and each less the one in force
    (:func:`apportion.law.apportionment.method_shares`, :func:`~apportion.law.apportionment.share_differences`)."""
    s = job.settings
    comps = job.components
    percent = Fraction(s.blend_tv_percent) if s.method == "blend" and s.blend_tv_percent is not None else None
    shares = ap.method_shares(pool_admin, comps, state_avg_cents, rounding, percent)
    names = {"blend": f"blend {float(percent):g}/{100 - float(percent):g}"} if percent is not None else {}
    out = pd.concat([comps[["district_name"]], shares.rename(columns=names)], axis=1)
    if s.method in shares.columns:
        differences = ap.share_differences(shares, s.method).rename(columns=names)
        out = out.join(differences.rename(columns=lambda c: f"{c} − chosen"))
    return out
