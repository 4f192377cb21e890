"""billing.csv's columns formatted once per distinct value: the same text as formatting every value."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from apportion.writers.text import distinct_pair_texts, distinct_texts as texts
from apportion.writers.text import cents_text, safe_text

VALUES = st.one_of(st.none(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=False),
                   st.booleans(), st.text(max_size=6), st.sampled_from(["=1+1", "-3", "@x", "010100010000", "1"]),
                   st.decimals(allow_nan=False, allow_infinity=False, places=2))


@settings(deadline=None, max_examples=200)
@given(st.lists(VALUES, max_size=30))
def test_mixed_column_same_as_value_by_value(values):
    column = pd.Series(values, dtype=object)
    assert texts(column, safe_text) == [safe_text(v) for v in values]


@settings(deadline=None, max_examples=200)
@given(st.lists(st.integers(-10**15, 10**15), max_size=40), st.booleans())
def test_cents_columns_same_as_value_by_value(cents, with_missing):
    column = pd.Series(cents, dtype="int64") if not with_missing else pd.Series(cents + [None], dtype=object)
    assert texts(column, cents_text) == [cents_text(v) for v in column.tolist()]


def test_text_column_with_missing_and_formula_like_values():
    column = pd.Series(["=SUM(A1)", "Albany", None, "Albany", "+1", "@home", "-x"], dtype="str")
    assert texts(column, safe_text) == ["'=SUM(A1)", "Albany", "", "Albany", "'+1", "'@home", "'-x"]
    # 1, 1.0 and True are equal as dict keys but print differently: a mixed column is taken value by value
    assert texts(pd.Series([1, 1.0, True, Decimal("1.00")], dtype=object), safe_text) == ["1", "1.0", "True", "1.00"]
    assert texts(pd.Series([], dtype="int64"), cents_text) == []


@settings(deadline=None, max_examples=200)
@given(st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(["a", "b", "c"])),
                          st.one_of(st.none(), st.integers(0, 3))), max_size=30))
def test_pairs_with_missing_values_same_as_pair_by_pair(pairs):
    # A missing value on either side gets the text of its own pair, never another row's.
    first = pd.Series([a for a, _ in pairs], dtype=object)
    second = pd.Series([b for _, b in pairs], dtype=object)
    def text(a, b):  # factorize gives a missing value back as NaN: "missing" either way
        return f"{'missing' if pd.isna(a) else a}|{'missing' if pd.isna(b) else b}"
    assert list(distinct_pair_texts(first, second, text)) == [text(a, b) for a, b in pairs]


@settings(deadline=None, max_examples=300)
@given(st.lists(st.one_of(st.integers(-10**15 + 1, 10**15 - 1), st.sampled_from([0, -1, 1, -99, 100, -100, 10**15 - 1,
                                                                                -(10**15 - 1)])), max_size=30),
       st.sampled_from([[], [10**15], [-10**15], [2**62]]))
def test_cents_columns_at_once_same_as_value_by_value(cents, beyond):
    """An int64 column of cents formatted a column at a time (cents_texts) gives cents_text's and money_text's
    text value by value; with a value beyond EXACT_FLOAT_CENTS, where money_text's float division shows other
    digits, the column is formatted value by value."""
    import numpy as np

    from apportion.writers.labels import money_text
    from apportion.writers.text import cents_texts
    column = np.array(cents + beyond, dtype=np.int64)
    assert cents_texts(column, cents_text) == [cents_text(c) for c in column.tolist()]
    assert cents_texts(pd.Series(column), money_text, grouped=True) == [money_text(c) for c in column.tolist()]
