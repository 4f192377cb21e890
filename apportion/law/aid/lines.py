"""The four BOCES aid lines and their total, in whole dollars.

Statute: Educ. Law §1950(5)(a),(f),(g), §1950(4)(m). rules §5.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...exact import big, floor_div, half_up_div, to_int64


def aid_half_up(expense_dollars: pd.Series, ratio_thousandths: pd.Series) -> pd.Series:
    """half_up(expense × ratio, 0): administrative, services and capital aid. Statute: Educ. Law §1950(5)(a),(g)."""
    product = big(expense_dollars.to_numpy()) * big(ratio_thousandths.to_numpy())
    return pd.Series(to_int64(half_up_div(product, 1000)), index=expense_dollars.index)



def aid_truncated(expense_dollars: pd.Series, ratio_thousandths: pd.Series) -> pd.Series:
    """⌊expense × ratio⌋: rent aid truncates on the State's run (rules §5). Statute: Educ. Law §1950(5)(g)."""
    product = big(expense_dollars.to_numpy()) * big(ratio_thousandths.to_numpy())
    return pd.Series(to_int64(floor_div(product, 1000)), index=expense_dollars.index)


def aid_lines(approved_admin: pd.Series, approved_services: pd.Series, capital_expense: pd.Series,
              rent_expense: pd.Series, save_harmless: pd.Series, sharing: pd.Series, capital: pd.Series,
              services_only: pd.Series) -> pd.DataFrame:
    """Administrative, services, capital and rent aid, and the total with save-harmless aid.
    Statute: Educ. Law §1950(5)(a),(f),(g).

    Expense × ratio to the dollar: half up, except rent, which truncates on the State's run. Where
    ``services_only`` (a special act district, §1950(4)(m)) only services are aided.
    """
    keep = ~services_only.to_numpy()
    admin = aid_half_up(approved_admin, sharing).where(keep, 0)
    services = aid_half_up(approved_services, sharing)
    capital_aid = aid_half_up(capital_expense, capital).where(keep, 0)
    rent = aid_truncated(rent_expense, capital).where(keep, 0)
    return pd.DataFrame({"admin_aid": admin, "services_aid": services, "capital_aid": capital_aid, "rent_aid": rent,
                         "total_aid": admin + services + capital_aid + rent + save_harmless},
                        index=approved_admin.index)


def published_lines(aid: pd.DataFrame) -> dict[str, pd.Series]:
    """The computed aid set against each line the State publishes, by the Aid claim column holding it: NYSED
    publishes administrative and services aid as one line. Statute: Educ. Law §1950(5); rules §5."""
    return {"published_admin_services": aid["admin_aid"] + aid["services_aid"],
            "published_capital": aid["capital_aid"], "published_rent": aid["rent_aid"],
            "published_total": aid["total_aid"]}


def reconcile(computed_dollars: pd.Series, published_cents: pd.Series) -> pd.DataFrame:
    """One aid line against the State's published figure, for each district it is published for: computed,
    published and the difference (computed − published), whole dollars (the published aid is claimed in whole
    dollars). Statute: Educ. Law §1950(5); rules §5."""
    published = published_cents.to_numpy(dtype=np.int64) // 100
    computed = computed_dollars.reindex(published_cents.index).to_numpy()
    return pd.DataFrame({"computed": computed, "published": published, "difference": computed - published},
                        index=published_cents.index)
