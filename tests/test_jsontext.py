"""writers.jsontext.dumps writes the same characters as json.dumps(ensure_ascii=False, indent=N)."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apportion.writers.jsontext import Rows, dumps, row_texts

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text())
KEYS = st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                                                        st.dictionaries(KEYS, inner, max_size=4)), max_leaves=30)


@settings(deadline=None, max_examples=400)
@given(VALUES, st.integers(0, 3))
def test_same_text_as_json_dumps(value, indent):
    assert dumps(value, indent=indent) == json.dumps(value, ensure_ascii=False, indent=indent)


@settings(deadline=None, max_examples=200)
@given(st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(), inner, max_size=4)), max_leaves=30))
def test_sorted_keys_same_as_json_dumps(value):
    assert dumps(value, sort_keys=True) == json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


def test_examples_and_refusals():
    doc = {"b": [1, 2.5, None, True, "é\n\"q\"", [], {}], "a": {"n": float("nan"), "i": -float("inf")}, 3: (1,)}
    assert dumps(doc) == json.dumps(doc, ensure_ascii=False, indent=1)
    assert dumps("x") == '"x"' and dumps([]) == "[]"
    with pytest.raises(TypeError):
        dumps({"a": object()})
    with pytest.raises(TypeError):
        dumps({(1, 2): 1})


ROW_KEYS = ["charge", "units", "amount", "note"]
ROW_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text())


@settings(deadline=None, max_examples=200)
@given(st.lists(st.tuples(*[ROW_VALUES] * len(ROW_KEYS)), max_size=6), st.integers(0, 4), st.integers(1, 3))
def test_rows_written_from_their_texts_as_json_dumps(values, depth, indent):
    """Rows made for one depth are written from their texts there, item by item anywhere else: the same
    text as json.dumps either way."""
    columns = [list(column) for column in zip(*values)] or [[] for _ in ROW_KEYS]
    step = " " * indent
    rows = Rows([dict(zip(ROW_KEYS, v)) for v in values],
                row_texts(ROW_KEYS, columns, "\n" + step * (depth + 1), step), "\n" + step * (depth + 1), step)
    value = rows
    for _ in range(depth):
        value = {"rows": value}
    assert dumps(value, indent=indent) == json.dumps(value, ensure_ascii=False, indent=indent)
    assert dumps({"deeper": value}, indent=indent) == json.dumps({"deeper": value}, ensure_ascii=False, indent=indent)
    assert dumps(value, indent=indent, sort_keys=True) == json.dumps(value, ensure_ascii=False, indent=indent,
                                                                      sort_keys=True)


def test_statement_document_writes_its_charges_from_their_texts(small_result):
    """The charges rows' texts are made at the depth a statement's JSON has them (else they would be
    written item by item, slowly): marked texts show in the JSON."""
    from apportion.writers.document import document_json, statement_document
    code = small_result.billing["district_code"].iloc[0]
    document = statement_document(small_result, code)
    rows = document["sections"][0]["table"]["rows"]
    assert isinstance(rows, Rows) and len(rows.texts) == len(rows) > 0
    rows.texts = [f'"row {i}"' for i in range(len(rows))]
    text = document_json(document).decode("utf-8")
    assert all(f'"row {i}"' in text for i in range(len(rows)))


def test_rows_with_some_texts_and_same_columns():
    """A Rows item without a text (None) is written as usual among those with one; a Same column is the
    one value on every row; a row_texts call with no column of values is refused (its rows are unknown)."""
    from apportion.writers.jsontext import Same, item_texts
    keys = ["label", "kind", "value"]
    values = [["a", "b%s"], [1, None]]
    texts = row_texts(keys, [values[0], Same("cents % x"), values[1]], "\n   ", " ")
    rows = [dict(zip(keys, (label, "cents % x", value))) for label, value in zip(*values)]
    step = {"label": "Total", "formula": {"op": "sum", "of": [0, 1]}}
    document = {"a": {"lines": Rows([step] + rows, [None] + texts, "\n   ", " ")}}
    plain = {"a": {"lines": [step] + rows}}
    assert dumps(document) == json.dumps(plain, ensure_ascii=False, indent=1)
    assert item_texts([step], "\n   ", " ") == [dumps(step).replace("\n", "\n   ")]
    with pytest.raises(ValueError):
        row_texts(["kind"], [Same("cents")], "\n ", " ")


def test_dumps_with_an_end():
    """dumps(..., end=...) is the text followed by ``end`` (a file's last line break)."""
    doc = {"a": [1, {"b": "é"}], "c": None}
    assert dumps(doc, end="\n") == json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    assert dumps(doc, indent=2, sort_keys=True, end="") == json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True)
