"""apportion.law.special_act: a special act district's true value from its RWADA, its aid ratios and the checks
on it (Educ. Law §1950(4)(b)(7)(ii), §1950(4)(m); rules §2, §5)."""
from __future__ import annotations

import pandas as pd

from apportion.law import special_act

TYPES = pd.Series(["component", "special act", "CHSD", "special act"], index=list("ABCD"))


def test_only_the_special_act_type_is_a_special_act_district():
    assert special_act.is_special_act(TYPES).to_dict() == {"A": False, "B": True, "C": False, "D": True}


def test_true_value_is_rwada_times_the_state_average_in_cent_millionths():
    # RWADA 55.5 × $1,037,700 = $57,592,350 → 5,759,235,000 cents × 10⁶; RWADA 0.000001 × $1,037,700 = $1.0377
    rwada = pd.Series([55_500_000, 1], dtype="Int64")
    assert special_act.true_value(rwada, 1_037_700_00).tolist() == [57_592_350_00 * 10**6, 1_037_700_00]


def test_a_special_act_district_without_rwada_is_found():
    # B has no RWADA to make its true value from; D has; A (ordinary) needs none
    rwada = pd.Series([None, None, 5, 7], index=list("ABCD"), dtype="Int64")
    assert special_act.lacks_rwada(TYPES, rwada).to_dict() == {"A": False, "B": True, "C": False, "D": False}


def test_the_true_value_column_is_rwada_for_a_special_act_district():
    full_value = pd.Series([100, None, 300, None], index=list("ABCD"), dtype="Int64")
    rwada = pd.Series([1, 2, 3, 4], index=list("ABCD"), dtype="Int64")
    assert special_act.basis_column(TYPES, full_value, rwada).tolist() == [100, 2, 300, 4]


def test_aid_ratios_are_the_services_fraction_and_no_capital_or_rent():
    # §1950(4)(m): the State pays one half of approved services (0.500); nothing for capital and rent
    out = special_act.aid_ratios(pd.Index(["B", "D"]), 500)
    assert out.to_dict("index") == {"B": {"sharing_ratio": 500, "capital_ratio": 0, "ratio_source": "special act"},
                                    "D": {"sharing_ratio": 500, "capital_ratio": 0, "ratio_source": "special act"}}
    assert special_act.RATIO_SOURCE == "special act" and special_act.SPECIAL_ACT == "special act"
