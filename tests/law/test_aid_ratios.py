"""apportion.law.aid.ratios: tax rate → millage ratio, AV per RWADA → wealth ratio → RWADA ratio, the sharing and
capital ratios (Educ. Law §1950(5)(a),(g); §3602(3)(f); rules §5), with the arithmetic in comments.

Ratios are integer thousandths, tax rates tenths of a mill, money cents, RWADA millionths of a pupil.
"""
from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from apportion.law.aid import ratios

S = lambda *values: pd.Series(list(values), dtype="int64")  # noqa: E731
M = 10**6  # a pupil in millionths


def test_millage_mills_are_three_for_a_chsd_and_its_components():
    # Educ. Law §1950(5)(a): 8 mills, but 3 for a central high school district and its components
    types = pd.Series(["component", "CHSD", "CHSD component", "special act"], index=list("ABCD"))
    assert ratios.millage_mills(types, 8, 3).to_dict() == {"A": 8, "B": 3, "C": 3, "D": 8}
    assert ratios.CHSD_TYPES == ("CHSD", "CHSD component")


def test_published_wealth_quotients_truncate_to_dollars():
    # Brewster 2022-23: 2019 AV 3,231,528,486 / RWADA 3,230 = 1,000,473.22 → 1,000,473 (published)
    # the same AV / 3,109 enrolled = 1,039,410.90 → 1,039,410 (published: truncation, not rounding)
    # Cazenovia 2023-24: 1,064,191,621 / 1,366 = 779,056.82 → 779,056
    av = S(3_231_528_486_00, 3_231_528_486_00, 1_064_191_621_00)
    pupils = S(3_230_000_000, 3_109_000_000, 1_366_000_000)  # millionths
    assert ratios.av_per_rwada(av, pupils).tolist() == [1_000_473, 1_039_410, 779_056]


def test_tax_rate_rounds_half_up_to_a_tenth():
    # 1000 × 1,625 / 100,000 = 16.25 mills exactly → 16.3 (half up, not to even)
    # 1000 × 1,624.99 / 100,000 = 16.2499 → 16.2
    assert ratios.tax_rate_tenths(S(162_500, 162_499), S(0, 0), S(10_000_000, 10_000_000)).tolist() == [163, 162]


def test_pilots_count_in_the_tax_rate():
    # (levy 1,000 + PILOTs 250) / AV 100,000 × 1000 = 12.5 mills
    assert ratios.tax_rate_tenths(S(100_000), S(25_000), S(10_000_000)).tolist() == [125]


def test_millage_ratio_exact_boundary_and_low_rates():
    # 8 / 20.0 = 0.400 exactly → 1 − 0.400 = 0.600 (a float quotient 0.39999… must not give 0.601)
    # 8 / 18.6 = 0.43010… → 0.430 → 0.570
    # CHSD: 3 / 12.4 = 0.24193… → 0.241 → 0.759
    # under 8 mills: 8 / 7.5 = 1.0666… → 1.066 → −0.066 → floored at 0
    # tax rate 0 → 0
    ratio = ratios.millage_ratio(S(200, 186, 124, 75, 0), S(8, 8, 3, 8, 8))
    assert ratio.tolist() == [600, 570, 759, 0, 0]


def test_wealth_ratio_exactly_on_a_three_decimal_boundary():
    # AV per RWADA 446,211 / 1,037,700 = 0.430000… exactly 0.43 → 0.430, never 0.429
    # 446,210 / 1,037,700 = 0.42999… → 0.429
    assert ratios.wealth_ratio(S(446_211, 446_210), 1_037_700_00).tolist() == [430, 429]


def test_rwada_ratio_truncates_the_product_then_subtracts():
    # WR 0.774: 0.51 × 0.774 = 0.39474 → 0.394 → 1 − 0.394 = 0.606 (trunc3(1 − 0.39474) would be 0.605)
    # WR 3.004: 0.51 × 3.004 = 1.53204 → 1.532 → −0.532 → 0
    # WR 0.180: 0.51 × 0.180 = 0.0918 → 0.091 → 0.909
    assert ratios.rwada_ratio(S(774, 3004, 180), Fraction(51, 100)).tolist() == [606, 0, 909]


@pytest.mark.parametrize("millage, rwada, expected, source", [
    (570, 386, 570, "millage"),   # millage wins
    (386, 570, 570, "rwada"),     # RWADA ratio wins
    (100, 0, 360, "floor"),       # both under 0.360 → floor
    (0, 909, 900, "cap"),         # over 0.900 → cap
    (360, 300, 360, "millage"),   # exactly at the floor: not "floor"
    (500, 500, 500, "millage"),   # tie → millage
])
def test_sharing_ratio_floor_cap_and_source(millage, rwada, expected, source):
    m, r = S(millage), S(rwada)
    assert ratios.sharing_ratio(m, r, 360, 900).tolist() == [expected]
    assert ratios.ratio_source(m, r, 360, 900).tolist() == [source]


def test_capital_ratio_has_no_floor():
    # RWADA ratio 0.018 → capital ratio 0.018 (ELLICOTTVILLE on the 2024-25 run); 0.910 → 0.900
    assert ratios.capital_ratio(S(18, 910), 900).tolist() == [18, 900]


def test_district_ratios_for_four_districts_in_statute_order():
    # state average AV per RWADA $200,000; floor 0.360, cap 0.900, capital cap 0.900, factor 0.51
    # A: tax rate 1000 × 1,625,000 / 100,000,000 = 16.25 → 16.3 mills; 8 / 16.3 = 0.49079 → 0.490 → millage 0.510
    #    AV per RWADA 100,000,000 / 1,000 = 100,000 → WR 100,000 / 200,000 = 0.500 → RWADA 1 − trunc3(0.255) = 0.745
    #    sharing max(0.360, 0.510, 0.745) = 0.745 (rwada); capital min(0.900, 0.745) = 0.745
    # B (CHSD, 3 mills): (2,000,000 + PILOTs 500,000) / 200,000,000 × 1000 = 12.5 mills; 3 / 12.5 = 0.240 → 0.760
    #    500,000 per RWADA → WR 2.500 → 1 − 1.275 < 0 → 0; sharing 0.760 (millage); capital 0 (no floor)
    # C: 1000 × 100,000 / 300,000,000 = 0.333 → 0.3 mills; 8 / 0.3 = 26.67 → millage 0
    #    30,000 per RWADA → WR 0.150 → 1 − trunc3(0.0765) = 1 − 0.076 = 0.924 → sharing capped 0.900; capital 0.900
    # D: no levy → tax rate 0 → millage 0; 800,000 per RWADA → WR 4.000 → 0 → sharing at the floor 0.360; capital 0
    out = ratios.district_ratios(
        levy_cents=S(1_625_000_00, 2_000_000_00, 100_000_00, 0), pilots_cents=S(0, 500_000_00, 0, 0),
        av_cents=S(100_000_000_00, 200_000_000_00, 300_000_000_00, 400_000_000_00),
        rwada_millionths=S(1_000 * M, 400 * M, 10_000 * M, 500 * M), mills=S(8, 3, 8, 8),
        state_avg_cents=200_000_00, rwada_factor=Fraction(51, 100), floor=360, cap=900, capital_cap=900)
    assert out["tax_rate_tenths"].tolist() == [163, 125, 3, 0]
    assert out["millage_ratio"].tolist() == [510, 760, 0, 0]
    assert out["av_per_rwada"].tolist() == [100_000, 500_000, 30_000, 800_000]
    assert out["wealth_ratio"].tolist() == [500, 2_500, 150, 4_000]
    assert out["rwada_ratio"].tolist() == [745, 0, 924, 0]
    assert out["sharing_ratio"].tolist() == [745, 760, 900, 360]
    assert out["ratio_source"].tolist() == ["rwada", "millage", "cap", "floor"]
    assert out["capital_ratio"].tolist() == [745, 0, 900, 0]
