"""apportion.law.net: net cost (charges less aid), the change from last year, the tax impact per $1,000 of full
value and the charges under a proposed budget (rules §5, §6; the output contract), exact to the cent."""
from __future__ import annotations

import pandas as pd

from apportion.law import net

CODES = ["A", "B", "C", "D"]


def cents(*values) -> pd.Series:
    return pd.Series(list(values), index=CODES[:len(values)], dtype="Int64")


def test_net_cost_is_charges_less_whole_dollar_aid():
    # A 1,000.00 − 300 aid = 700.00; B 500.00 − 600 = −100.00 (aid above its charges); C nothing either way
    charges = pd.Series([1_000_00, 500_00, 0], index=CODES[:3])
    aid = pd.Series([300, 600, 0], index=CODES[:3])
    assert net.net_cost(charges, aid).to_dict() == {"A": 700_00, "B": -100_00, "C": 0}


def test_change_and_its_percent_where_last_year_is_known():
    # A 1,000.00 − 900.00 = +100.00, 100 / 900 = 11.1111 %; B no prior year → blank; C 0.00 prior → change, no percent
    charges = pd.Series([1_000_00, 500_00, 250_00], index=CODES[:3])
    prior = cents(900_00, None, 0)
    change = net.change(charges, prior)
    assert change.tolist() == [100_00, pd.NA, 250_00] and str(change.dtype) == "Int64"
    percent = net.change_percent(change, prior)
    assert round(percent["A"], 4) == 11.1111 and percent[["B", "C"]].isna().all()


def test_tax_impact_to_four_decimals_half_up():
    # net ÷ full value × 1,000, in ten-thousandths of a dollar per $1,000:
    # A 1,234.56 / 100,000,000 × 1,000 = 0.0123456 → 0.0123 → 123; B 5,000.00 / 1,000,000 × 1,000 = 5.0000 → 50,000
    # C 0.01 / 200,000 × 1,000 = 0.00005 exactly → half up 0.0001 → 1; D a credit −1,234.56 → −0.0123 → −123
    impact = net.tax_impact_x10000(cents(1_234_56, 5_000_00, 1, -1_234_56),
                                   cents(100_000_000_00, 1_000_000_00, 200_000_00, 100_000_000_00))
    assert impact.tolist() == [123, 50_000, 1, -123]


def test_no_tax_impact_without_a_full_value():
    # no full value (a special act district) or a full value of 0: blank, never a division by zero
    impact = net.tax_impact_x10000(cents(100_00, 100_00, 100_00), cents(None, 0, 10_000_00))
    # C 100.00 / 10,000 × 1,000 = 10.0000 → 100,000
    assert impact.tolist() == [pd.NA, pd.NA, 100_000]


def test_a_tiny_full_value_keeps_the_impact_exact():
    # a net cost of 10¹⁴ cents ($10¹²) over a full value of 1 cent: 10¹⁴ × 1,000 × 10,000 / 1 = 10²¹
    # ten-thousandths per $1,000 — past int64 (about 9.2 × 10¹⁸), so kept as an exact Python int, never wrapped
    impact = net.tax_impact_x10000(cents(10**14), cents(1))
    assert impact.tolist() == [10**14 * 1000 * 10_000]


def test_charges_under_the_proposed_budget_swap_the_administrative_share():
    # after a failed vote: A 1,000.00 charged with 350.00 contingency admin, 400.00 under the proposed → 1,050.00;
    # B 500.00 − 250.00 + 300.00 = 550.00; C (a non-component, no administrative share) stays 200.00
    charges = pd.Series([1_000_00, 500_00, 200_00], index=CODES[:3])
    proposed = pd.Series({"A": 400_00, "B": 300_00})
    charged = pd.Series({"A": 350_00, "B": 250_00})
    assert net.proposed_total_charges(charges, proposed, charged).to_dict() == {"A": 1_050_00, "B": 550_00, "C": 200_00}
