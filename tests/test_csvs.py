"""writers.csvs: the CSV exports joined a column at a time give the csv module's own bytes."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apportion.writers import csvs
from apportion.writers.csvs import csv_bytes, csv_chunks, csv_columns, csv_field

FIELDS = st.one_of(st.text(), st.sampled_from(["", ",", '"', "a,b", 'say "hi"', "line\nbreak", "cr\r", " lead", "=1"]))


@settings(deadline=None, max_examples=300)
@given(st.integers(2, 5).flatmap(lambda n: st.lists(st.lists(FIELDS, min_size=n, max_size=n), max_size=6)))
def test_columns_joined_as_the_csv_module_writes_rows(rows):
    header = [f"c{i}" for i in range(len(rows[0]))] if rows else ["a", "b"]
    columns = [[csv_field(v) for v in column] for column in zip(*rows)] or [[], []]
    assert csv_columns(header, columns) == csv_bytes(header, rows)


def test_pieces_join_to_the_whole_file(monkeypatch):
    """csv_chunks: the header line, then CHUNK_ROWS rows a piece (here 2: 5 rows make 3 pieces after the header), which joined
    are the csv module's bytes; no rows, the header alone."""
    monkeypatch.setattr(csvs, "CHUNK_ROWS", 2)
    rows = [[str(i), f"name, {i}"] for i in range(5)]
    pieces = list(csv_chunks(["code", "name"], [[csv_field(v) for v in c] for c in zip(*rows)]))
    assert pieces[0] == b"code,name\n" and pieces[1] == b'0,"name, 0"\n1,"name, 1"\n' and len(pieces) == 4
    assert b"".join(pieces) == csv_bytes(["code", "name"], rows)
    assert list(csv_chunks(["a", "b"], [[], []])) == [b"a,b\n"]


def test_fields_and_refusal():
    assert csv_field("plain") == "plain" and csv_field(None) == "" and csv_field(12) == "12"
    assert csv_field('a "b", c') == '"a ""b"", c"' and csv_field("x\ny") == '"x\ny"'
    with pytest.raises(ValueError):
        csv_columns(["only"], [[""]])  # a row of one blank field alone is "" in the csv module: not joined here
