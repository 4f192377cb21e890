"""writers.csvs: the CSV exports joined a column at a time give the csv module's own bytes."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apportion.writers.csvs import csv_bytes, csv_columns, csv_field

FIELDS = st.one_of(st.text(), st.sampled_from(["", ",", '"', "a,b", 'say "hi"', "line\nbreak", "cr\r", " lead", "=1"]))


@settings(deadline=None, max_examples=300)
@given(st.integers(2, 5).flatmap(lambda n: st.lists(st.lists(FIELDS, min_size=n, max_size=n), max_size=6)))
def test_columns_joined_as_the_csv_module_writes_rows(rows):
    header = [f"c{i}" for i in range(len(rows[0]))] if rows else ["a", "b"]
    columns = [[csv_field(v) for v in column] for column in zip(*rows)] or [[], []]
    assert csv_columns(header, columns) == csv_bytes(header, rows)


def test_fields_and_refusal():
    assert csv_field("plain") == "plain" and csv_field(None) == "" and csv_field(12) == "12"
    assert csv_field('a "b", c') == '"a ""b"", c"' and csv_field("x\ny") == '"x\ny"'
    with pytest.raises(ValueError):
        csv_columns(["only"], [[""]])  # a row of one blank field alone is "" in the csv module: not joined here
