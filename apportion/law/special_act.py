"""Special act school districts: created by a special act of the Legislature (a child-care institution's
district), apportioned on a true value made from RWADA and aided on services only.

Statute: Educ. Law §1950(4)(b)(7)(ii) (true value = RWADA × the statewide average full value per
RWADA); §1950(4)(m) (the State pays a fraction — one-half — of approved services; no administrative,
capital or rent aid). rules §2, §5.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..exact import big

SPECIAL_ACT = "special act"
#: what decided a special act district's ratio, in the aid working's ``ratio_source``
RATIO_SOURCE = "special act"


def is_special_act(district_type: pd.Series) -> pd.Series:
    """True for a special act district. Statute: Educ. Law §1950(4)(m)."""
    return district_type == SPECIAL_ACT


def true_value(rwada_millionths: pd.Series, state_avg_av_per_rwada_cents: int) -> np.ndarray:
    """A special act district's true value, RWADA × the statewide average full value per RWADA, in
    cent-millionths (exact Python integers). Statute: Educ. Law §1950(4)(b)(7)(ii)."""
    return big(rwada_millionths.to_numpy(dtype=np.int64)) * state_avg_av_per_rwada_cents


def lacks_rwada(district_type: pd.Series, rwada: pd.Series) -> pd.Series:
    """Special act districts without the RWADA their true value is made from. Statute: Educ. Law §1950(4)(b)(7)(ii)."""
    return is_special_act(district_type) & rwada.isna()


def basis_column(district_type: pd.Series, full_value: pd.Series, rwada: pd.Series) -> pd.Series:
    """The column a district's true value is made from: its full value, or its RWADA if a special act
    district. Statute: Educ. Law §1950(4)(b)(7)(ii)."""
    return full_value.where(~is_special_act(district_type), rwada)


def aid_ratios(index: pd.Index, services_fraction_thousandths: int) -> pd.DataFrame:
    """A special act district's aid ratios: services at the statutory fraction, nothing for capital and
    rent. Statute: Educ. Law §1950(4)(m)."""
    return pd.DataFrame({"sharing_ratio": services_fraction_thousandths, "capital_ratio": 0,
                         "ratio_source": RATIO_SOURCE}, index=index)
