"""apportion.law.pools: the budget vote, the contingency cap, the administrative budget in force and the pools
(Educ. Law §1950(4)(b)(5),(7); §1951(1); 8 NYCRR 170.3(b); rules §1, §6), exact to the cent."""
from __future__ import annotations

import pandas as pd

from apportion.law import pools


def test_vote_tie_fails_and_contingency_caps_the_budget():
    vote = pools.budget_vote(pd.Series(["yes", "no", "yes", "no", None]))
    assert (vote.yes, vote.no, vote.adopted) == (2, 2, False)
    cap = pools.contingency_cap(900_000_00, 15_000_00)  # prior 900,000 + excluded retirement increases 15,000
    assert pools.admin_budget_used(1_000_000_00, vote, cap) == 915_000_00
    assert pools.admin_budget_used(900_000_00, vote, cap) == 900_000_00  # proposed already under the cap


def test_no_vote_recorded_uses_the_proposed_budget():
    vote = pools.budget_vote(pd.Series([None, None], dtype=object))
    assert not vote.recorded and vote.adopted
    assert pools.admin_budget_used(1_000_00, vote, None) == 1_000_00


def test_pool_deducts_state_aid_and_other_revenue():
    assert pools.pool(1_000_000_00, 50_000_00, 100_000_00) == 850_000_00


def test_a_majority_adopts_the_proposed_budget_even_over_the_cap():
    # 3 yes, 2 no, one board not voting: adopted → the proposed 1,000,000 although the cap is 915,000
    vote = pools.budget_vote(pd.Series(["yes", "no", "yes", None, "no", "yes"]))
    assert (vote.yes, vote.no, vote.recorded, vote.adopted) == (3, 2, True, True)
    assert pools.admin_budget_used(1_000_000_00, vote, pools.contingency_cap(900_000_00, 15_000_00)) == 1_000_000_00


def test_a_failed_vote_without_a_cap_keeps_the_proposed_budget():
    # the cap needs the prior year's budget; without it (validation reports that) the proposed one stands
    vote = pools.budget_vote(pd.Series(["no"]))
    assert not vote.adopted and pools.admin_budget_used(1_000_00, vote, None) == 1_000_00


def test_a_pool_may_come_out_negative_for_validation_to_refuse():
    # 100,000 − 80,000 state aid − 30,000 other revenue = −10,000 (refused as negative-pool, never split)
    assert pools.pool(100_000_00, 80_000_00, 30_000_00) == -10_000_00


def test_a_tie_fails_and_no_vote_at_all_adopts():
    # approvals must outnumber disapprovals among the boards voting: 2 – 2 fails; 3 – 2 adopts; nobody voting adopts
    assert [pools.Vote(2, 2, True).adopted, pools.Vote(3, 2, True).adopted, pools.Vote(0, 0, False).adopted] == \
        [False, True, True]
